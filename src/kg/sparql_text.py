"""A SPARQL lexer built from SPARQL 1.1's terminals, to the letter, as Oxigraph 0.5 reads them.

Not a parser: the store parses queries. This exists so that safety checks and HTTP bindings can
look at query text without being fooled by a ``#`` in an IRI or a ``{`` in a string. The
terminals are the grammar's (https://www.w3.org/TR/sparql11-query/#sparqlGrammar, §19.8):
``WS`` is space, tab, CR and LF only (not U+00A0 nor any other Unicode space); a comment runs
from ``#`` to the next CR or LF; ``IRIREF`` excludes U+0000-U+0020 and ``<>"{}|^`\\`` (Oxigraph
also takes ``\\uXXXX`` escapes in IRIs, so this does); the four string forms take ``ECHAR`` and
``UCHAR`` escapes; prefixed names and variables are built from ``PN_CHARS_BASE`` and friends.
Oxigraph 0.5 does not unescape ``\\u`` sequences outside IRIs and strings (checked by the
differential test in tests/test_sparql_guard.py), so neither does this lexer.

A character no terminal starts with is one ``other`` token; so is ``<`` when no IRI follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["INERT_KINDS", "Token", "tokens"]

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_HEX = "0-9A-Fa-f"
_UCHAR = rf"\\u[{_HEX}]{{4}}|\\U[{_HEX}]{{8}}"
_ECHAR = r"""\\[tbnrf"'\\]"""
_PLX = rf"%[{_HEX}]{{2}}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = rf"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_VARNAME = rf"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*"
_EXPONENT = "[eE][+-]?[0-9]+"

_TOKEN = re.compile(
    rf"""
      (?P<ws>[\x20\x09\x0d\x0a]+)
    | (?P<comment>\#[^\r\n]*)
    | (?P<string>'''(?:(?:''|')?(?:[^'\\]|{_ECHAR}|{_UCHAR}))*'''
                 |\"\"\"(?:(?:\"\"|\")?(?:[^"\\]|{_ECHAR}|{_UCHAR}))*\"\"\"
                 |'(?:[^'\\\n\r]|{_ECHAR}|{_UCHAR})*'
                 |"(?:[^"\\\n\r]|{_ECHAR}|{_UCHAR})*")
    | (?P<iri><(?:[^\x00-\x20<>"{{}}|^`\\]|{_UCHAR})*>)
    | (?P<var>[?$]{_VARNAME})
    | (?P<bnode>_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)
    | (?P<word>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?|[A-Za-z_][A-Za-z0-9_]*)
    | (?P<langtag>@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*)
    | (?P<number>[0-9]+\.[0-9]*{_EXPONENT}|\.?[0-9]+{_EXPONENT}|[0-9]*\.[0-9]+|[0-9]+)
    | (?P<punct>[{{}}()\[\].;,])
    | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

#: Token kinds whose text the engine never reads as a keyword (when the lexer is right).
INERT_KINDS = frozenset({"comment", "string", "iri", "var", "bnode", "langtag"})


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind, text and offset.

    Kinds: word (keywords, function names, prefixed names), iri, var, bnode, string, langtag,
    number, punct, comment, other.
    """

    kind: str
    text: str
    start: int


def tokens(text: str, *, comments: bool = False) -> Iterator[Token]:
    """The tokens of a query, white space dropped, comments too unless ``comments``.

    >>> [t.text for t in tokens('SELECT * { ?s <http://x/#a> "{" } # {')]
    ['SELECT', '*', '{', '?s', '<http://x/#a>', '"{"', '}']
    >>> [t.kind for t in tokens('ASK { # a comment ends at CR\\r ?s ?p 1.5e3 }')]
    ['word', 'punct', 'var', 'var', 'number', 'punct']
    """
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind == "ws" or (kind == "comment" and not comments):
            continue
        yield Token(kind, match.group(), match.start())
