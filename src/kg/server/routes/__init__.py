"""Route handlers: each parses a request, calls one library function and formats its result."""
