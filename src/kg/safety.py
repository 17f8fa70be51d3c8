"""What a public endpoint refuses before running a query: reaching outside the dataset, and
nesting deeper than the engine's parser survives.

pyoxigraph evaluates ``SERVICE <http://...>`` by making the HTTP request itself, so without
this check anyone could make the server fetch ``http://169.254.169.254/`` (server-side request
forgery). ``FROM <iri>`` and ``FROM NAMED <iri>`` only select graphs inside an Oxigraph store,
but other SPARQL servers behind ``--store http://...`` may dereference them (Virtuoso's
Sponger does), so they must name a graph of this dataset or an allowed host. Updates (``LOAD``
included) never reach the query engine of the read-only endpoint: kg.server refuses them.

How the guard reads a query, so that it cannot disagree with the engine without refusing:

1. kg.sparql_text's lexer, built from SPARQL 1.1's terminals as Oxigraph 0.5 reads them,
   finds the SERVICE and FROM keywords. Oxigraph matches keywords case-insensitively and
   needs no space around them (``ASKFROM<g>{}`` is ``ASK FROM <g> {}``, ``?s ?p trueSERVICE``
   ends a triple with ``true``), so a bare word or the prefix of a prefixed name that
   *contains* ``service`` or ``from`` counts as that keyword (``SERVICE:x`` is SERVICE to
   ``:x`` when ``SERVICE:`` is not a declared prefix). A prefix named like that is refused.
2. Every other ``service`` or ``from`` in the text (in a string, comment, IRI, variable or local
   name, by the lexer's reading) is checked with the engine itself: one letter of each is
   changed (``servxce``/``frxm``: letters stay letters, so strings, IRIs and names stay
   valid) and pyoxigraph *parses* (never evaluates) the original and the changed text. If the
   original parses and the changed one does not, one of them was a keyword to the engine, and
   the query is refused. Queries without such words cost no parse.
3. Targets are resolved as the store would: prefixed names through the query's PREFIX
   declarations over the predeclared ones, relative IRIs against the query's BASE, ``\\u``
   escapes in IRIs decoded.

tests/test_sparql_guard.py checks all this against pyoxigraph with generated queries and a
canary HTTP server.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pyoxigraph as ox

from kg.errors import QueryRefusedError, QuerySyntaxError
from kg.namespaces import BASE, PREFIXES
from kg.sparql_text import INERT_KINDS, Token, tokens

__all__ = ["MAX_BRACKETS", "MAX_NESTING", "check_nesting", "check_outside_access"]

#: How deep ``{``, ``(`` and ``[`` may nest. pyoxigraph 0.5.13's parser recurses per level and
#: crashes the process (segmentation fault) at about 2,180 nested braces or 4,660 parentheses
#: on an 8 MB stack, 540 braces on a 2 MB thread stack; no real query comes near 100.
MAX_NESTING = 100
#: How many opening brackets a query may hold in all, wherever they are: a bound on the depth
#: that holds even if the lexer misread a string, so the engine cannot be crashed through a
#: difference between them.
MAX_BRACKETS = 1000

_KEYWORD = re.compile("service|from", re.IGNORECASE | re.ASCII)
#: Which letter of each keyword the engine check changes, and to what (not a hex digit, not an
#: escape letter, and no keyword contains the result).
_MUTATION = {"service": (4, "x"), "from": (2, "x")}
_OPENERS, _CLOSERS = "{([", "})]"
#: Parses without evaluating: pyoxigraph parses first, then refuses this pair of options.
_PARSE_ONLY = {"use_default_graph_as_union": True, "default_graph": ox.DefaultGraph()}
_PARSER = ox.Store()


def check_outside_access(text: str, allowed_hosts: frozenset[str] = frozenset()) -> None:
    """Refuse SERVICE to hosts not allowed, FROM outside the dataset and allowed hosts, and
    queries nested too deep (see check_nesting).

    >>> check_outside_access("SELECT * FROM <https://w3id.org/genvid-kg/id/source/report> {}")
    >>> check_outside_access("SELECT * { SERVICE <http://example.org/q> { ?s ?p ?o } }",
    ...                      frozenset({"example.org"}))

    Raises:
        QueryRefusedError: naming the clause, its target and how an operator allows it.
        QuerySyntaxError: the query nests deeper than MAX_NESTING.
    """
    check_nesting(text)
    stream = list(_keywords_split(tokens(text)))
    prefixes = dict(PREFIXES)
    base = ""
    for index, token in enumerate(stream):
        word = token.text.upper() if token.kind in ("word", "keyword") else ""
        following = stream[index + 1 : index + 4]
        if word == "PREFIX" and len(following) >= 2 and following[1].kind == "iri":
            prefixes[following[0].text.rstrip(":")] = _resolve(following[1], prefixes, base) or ""
        elif word == "BASE" and following and following[0].kind == "iri":
            base = _resolve(following[0], prefixes, base) or ""
        elif word == "SERVICE":
            _check_service(_after(following, "SILENT"), prefixes, base, allowed_hosts)
        elif word == "FROM":
            _check_from(_after(following, "NAMED"), prefixes, base, allowed_hosts)
    _check_with_the_engine(text, {t.start for t in stream if t.kind == "keyword"})


def check_nesting(text: str) -> None:
    """Refuse a query whose ``{``, ``(`` and ``[`` nest deeper than MAX_NESTING.

    Counted fail-closed: brackets in a string, comment or IRI never lower the count, but
    opening ones there raise it while the token lasts (and for good if they outnumber the
    closing ones), so a misread string cannot hide depth; and MAX_BRACKETS bounds the total.

    >>> check_nesting("SELECT * { FILTER(REGEX(?x, '(((((')) }")
    >>> check_nesting("SELECT * " + "{" * 101 + "}" * 101)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    kg.errors.QuerySyntaxError: SPARQL syntax error: ... nests deeper than 100 levels ...

    Raises:
        QuerySyntaxError: too deep, or too many brackets; the message says which and why.
    """
    depth = deepest = 0
    for token in tokens(text, comments=True):
        if token.kind in INERT_KINDS:
            peak = net = 0
            for char in token.text:
                net += (char in _OPENERS) - (char in _CLOSERS)
                peak = max(peak, net)
            deepest = max(deepest, depth + peak)
            depth += max(net, 0)
        elif token.text in _OPENERS:
            depth += 1
            deepest = max(deepest, depth)
        elif token.text in _CLOSERS:
            depth = max(depth - 1, 0)
        if deepest > MAX_NESTING:
            raise QuerySyntaxError(
                f"the query nests deeper than {MAX_NESTING} levels of {{ }}, ( ) or [ ] "
                "(the engine's parser could crash); flatten it"
            )
    total = sum(text.count(c) for c in _OPENERS)
    if total > MAX_BRACKETS:
        raise QuerySyntaxError(
            f"the query has {total} opening brackets, more than the {MAX_BRACKETS} allowed: "
            "the engine's parser could crash on queries nested that deep"
        )


def _keywords_split(stream: Iterator[Token]) -> Iterator[Token]:
    """The tokens, with SERVICE and FROM cut out of the words that contain them (kind keyword).

    >>> [(t.kind, t.text) for t in _keywords_split(tokens("ASKFROM<g> trueSERVICE:x ?from"))]
    [('word', 'ASK'), ('keyword', 'FROM'), ('iri', '<g>'), ('word', 'true'), \
('keyword', 'SERVICE'), ('word', ':x'), ('var', '?from')]
    """
    for token in stream:
        if token.kind != "word":
            yield token
            continue
        text, start = token.text, token.start
        while match := _KEYWORD.search(text.partition(":")[0]):
            if match.start():
                yield Token("word", text[: match.start()], start)
            yield Token("keyword", match.group().upper(), start + match.start())
            text, start = text[match.end() :], start + match.end()
        if text:
            yield Token("word", text, start)


def _after(following: list[Token], optional_word: str) -> Token | None:
    """The token after an optional SILENT or NAMED, which may be glued to it (``NAMED:g``)."""
    if not following:
        return None
    first = following[0]
    if first.kind == "word" and first.text.upper().startswith(optional_word):
        rest = first.text[len(optional_word) :]
        if rest:
            return Token("word", rest, first.start + len(optional_word))
        return following[1] if len(following) > 1 else None
    return first


def _check_service(
    target: Token | None, prefixes: dict[str, str], base: str, allowed_hosts: frozenset[str]
) -> None:
    iri = _resolve(target, prefixes, base)
    if iri is None or _host(iri) not in allowed_hosts:
        raise QueryRefusedError(
            f"SERVICE {_shown(target)} is refused: this endpoint does not query other "
            "servers unless its operator allows their hosts (kg serve --allow-service HOST)"
        )


def _check_from(
    target: Token | None, prefixes: dict[str, str], base: str, allowed_hosts: frozenset[str]
) -> None:
    iri = _resolve(target, prefixes, base)
    if iri is None or not (_in_dataset(iri) or _host(iri) in allowed_hosts):
        raise QueryRefusedError(
            f"FROM {_shown(target)} is refused: this endpoint never loads data from "
            f"elsewhere; FROM and FROM NAMED select graphs of this dataset ({BASE}...), "
            "and GRAPH ?g finds them"
        )


def _check_with_the_engine(text: str, keywords: set[int]) -> None:
    """Refuse if a ``service``/``from`` the lexer read as inert is a keyword to pyoxigraph."""
    inert = [m for m in _KEYWORD.finditer(text) if m.start() not in keywords]
    if not inert:
        return
    changed = list(text)
    for match in inert:
        offset, letter = _MUTATION[match.group().lower()]
        changed[match.start() + offset] = letter
    if _parses(text) and not _parses("".join(changed)):
        words = sorted({m.group() for m in inert})
        raise QueryRefusedError(
            f"the query is refused: {' or '.join(words)} is read as a keyword by the engine "
            "where it looks like part of a string, comment, IRI or name (SERVICE and FROM "
            "to other places are not allowed)"
        )


def _parses(text: str) -> bool:
    """Whether pyoxigraph parses ``text`` as a query, with the store's options; never runs it."""
    try:
        _PARSER.query(text, prefixes=PREFIXES, **_PARSE_ONLY)
    except SyntaxError:
        return False
    except ValueError:
        return True
    raise AssertionError("pyoxigraph evaluated a query meant to be parsed only")


def _resolve(token: Token | None, prefixes: dict[str, str], base: str) -> str | None:
    """The absolute IRI a token names, or None (a variable, an unknown prefix, nothing)."""
    if token is None:
        return None
    if token.kind == "iri":
        return urljoin(base, _unescape(token.text[1:-1]))
    if token.kind == "word" and ":" in token.text:
        prefix, _, local = token.text.partition(":")
        return prefixes[prefix] + local.replace("\\", "") if prefix in prefixes else None
    return None


def _unescape(iri: str) -> str:
    r"""Decode the ``\uXXXX`` and ``\UXXXXXXXX`` escapes Oxigraph accepts in IRIs."""
    return re.sub(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})", _decoded, iri)


def _decoded(match: re.Match[str]) -> str:
    code = int(match[1] or match[2], 16)
    return chr(code) if code <= 0x10FFFF else match[0]


def _in_dataset(iri: str) -> bool:
    return iri.startswith(BASE) and not re.search(r"/\.\.?(/|$)", iri)


def _host(iri: str) -> str:
    return (urlsplit(iri).hostname or "").lower()


def _shown(token: Token | None) -> str:
    return token.text if token is not None else "(nothing)"
