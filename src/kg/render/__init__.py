"""Pure renderers: data in, text or HTML out. They never touch the store or files."""
