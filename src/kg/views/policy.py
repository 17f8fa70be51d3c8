"""The content security policy both edges send: the web app (kg.server.guards) as it is, the
static site's server (kg.site.serve) with what its in-browser engine needs added."""

from __future__ import annotations

__all__ = ["POLICY_DIRECTIVES", "content_security_policy"]

#: Only our own scripts, styles, workers and connections. Inline styles stay allowed because
#: plotly.js and vis-network set element styles at run time; inline scripts do not, so markup
#: injected into a page (a label from a hostile import, say) cannot run. Pages may not be
#: framed (clickjacking), forms cannot point elsewhere and no <base> may be set. Directives
#: by name, so that the static site's server (kg.site.serve) adds only what it needs.
POLICY_DIRECTIVES: dict[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def content_security_policy(directives: dict[str, str]) -> str:
    """A Content-Security-Policy header value from directives by name."""
    return "; ".join(f"{name} {value}" for name, value in directives.items())
