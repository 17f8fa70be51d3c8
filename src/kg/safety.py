"""What a public endpoint refuses before running a query: reaching outside the dataset.

pyoxigraph evaluates ``SERVICE <http://...>`` by making the HTTP request itself, so without
this check anyone could make the server fetch ``http://169.254.169.254/`` (server-side request
forgery). ``FROM <iri>`` and ``FROM NAMED <iri>`` only select graphs inside an Oxigraph store,
but other SPARQL servers behind ``--store http://...`` may dereference them (Virtuoso's
Sponger does), so they must name a graph of this dataset or an allowed host. Updates (``LOAD``
included) never reach the query engine of the read-only endpoint: kg.server refuses them.

Targets are resolved as the store would: prefixed names through the query's PREFIX
declarations over the predeclared ones, relative IRIs against the query's BASE.
"""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from kg.errors import QueryRefusedError
from kg.namespaces import BASE, PREFIXES
from kg.sparql_text import Token, tokens

__all__ = ["check_outside_access"]


def check_outside_access(text: str, allowed_hosts: frozenset[str] = frozenset()) -> None:
    """Refuse SERVICE to hosts not allowed, and FROM outside the dataset and allowed hosts.

    >>> check_outside_access("SELECT * FROM <https://w3id.org/genvid-kg/id/source/report> {}")
    >>> check_outside_access("SELECT * { SERVICE <http://example.org/q> { ?s ?p ?o } }",
    ...                      frozenset({"example.org"}))

    Raises:
        QueryRefusedError: naming the clause, its target and how an operator allows it.
    """
    stream = list(tokens(text))
    prefixes = dict(PREFIXES)
    base = ""
    for index, token in enumerate(stream):
        word = token.text.upper() if token.kind == "word" else ""
        following = stream[index + 1 : index + 4]
        if word == "PREFIX" and len(following) >= 2 and following[1].kind == "iri":
            prefixes[following[0].text.rstrip(":")] = _resolve(following[1], prefixes, base) or ""
        elif word == "BASE" and following and following[0].kind == "iri":
            base = _resolve(following[0], prefixes, base) or ""
        elif word == "SERVICE":
            target = _skip(following, "SILENT")
            iri = _resolve(target, prefixes, base)
            if iri is None or _host(iri) not in allowed_hosts:
                raise QueryRefusedError(
                    f"SERVICE {_shown(target)} is refused: this endpoint does not query other "
                    "servers unless its operator allows their hosts (kg serve --allow-service "
                    "HOST)"
                )
        elif word == "FROM":
            target = _skip(following, "NAMED")
            iri = _resolve(target, prefixes, base)
            if iri is None or not (iri.startswith(BASE) or _host(iri) in allowed_hosts):
                raise QueryRefusedError(
                    f"FROM {_shown(target)} is refused: this endpoint never loads data from "
                    f"elsewhere; FROM and FROM NAMED select graphs of this dataset ({BASE}...), "
                    "and GRAPH ?g finds them"
                )


def _skip(following: list[Token], optional_word: str) -> Token | None:
    rest = [t for t in following[:2] if t.text.upper() != optional_word]
    return rest[0] if rest else None


def _resolve(token: Token | None, prefixes: dict[str, str], base: str) -> str | None:
    """The absolute IRI a token names, or None (a variable, an unknown prefix, nothing)."""
    if token is None:
        return None
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1])
    if token.kind == "word" and ":" in token.text:
        prefix, _, local = token.text.partition(":")
        return prefixes[prefix] + local if prefix in prefixes else None
    return None


def _host(iri: str) -> str:
    return (urlsplit(iri).hostname or "").lower()


def _shown(token: Token | None) -> str:
    return token.text if token is not None else "(nothing)"
