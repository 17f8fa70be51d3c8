"""A small SPARQL lexer: find keywords, IRIs and braces outside strings and comments.

Not a parser: the store parses queries. This exists so that safety checks and HTTP bindings can
look at query text without being fooled by a ``#`` in an IRI or a ``{`` in a string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Token", "tokens"]

_TOKEN = re.compile(
    r"""
      (?P<comment>\#[^\n]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''
                 |"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\s]*>)
    | (?P<var>[?$][A-Za-z0-9_\u00b7-\uffff]+)
    | (?P<word>[A-Za-z_\u00c0-\uffff][\w.\u00c0-\uffff-]*(?::[\w.\u00c0-\uffff%-]*)?|:[\w.-]*)
    | (?P<punct>[{}()\[\].;,])
    | (?P<other>\S)
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind (word, iri, var, punct, string, other), text and offset."""

    kind: str
    text: str
    start: int


def tokens(text: str) -> Iterator[Token]:
    """The tokens of a query, comments dropped.

    >>> [t.text for t in tokens('SELECT * { ?s <http://x/#a> "{" } # {')]
    ['SELECT', '*', '{', '?s', '<http://x/#a>', '"{"', '}']
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind != "comment":
            yield Token(kind, match.group(), match.start())
