"""What a public endpoint refuses before running a query: federation to hosts not allowed.

pyoxigraph evaluates ``SERVICE <http://...>`` by making the HTTP request itself, so without
this check anyone could make the server fetch ``http://169.254.169.254/`` (server-side request
forgery). ``FROM <iri>`` only selects graphs inside the store and fetches nothing; updates
(``LOAD`` included) never reach the query engine of a read-only endpoint.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from kg.errors import QueryRefusedError
from kg.sparql_text import tokens

__all__ = ["check_federation"]


def check_federation(text: str, allowed_hosts: frozenset[str] = frozenset()) -> None:
    """Refuse ``SERVICE`` clauses unless they name an allowed host.

    >>> check_federation("SELECT * { ?s ?p ?o }")
    >>> check_federation("SELECT * { SERVICE <http://example.org/q> { ?s ?p ?o } }",
    ...                  frozenset({"example.org"}))

    Raises:
        QueryRefusedError: a SERVICE names a host not in ``allowed_hosts``, or a variable.
    """
    stream = list(tokens(text))
    for index, token in enumerate(stream):
        if token.kind != "word" or token.text.upper() != "SERVICE":
            continue
        following = [t for t in stream[index + 1 : index + 3] if t.text.upper() != "SILENT"]
        target = following[0] if following else None
        if target is not None and target.kind == "iri":
            host = urlsplit(target.text[1:-1]).hostname or ""
            if host.lower() in allowed_hosts:
                continue
        shown = target.text if target is not None else "(nothing)"
        raise QueryRefusedError(
            f"SERVICE {shown} is refused: this endpoint does not query other servers unless "
            "its operator allows their hosts (kg serve --allow-service HOST)"
        )
