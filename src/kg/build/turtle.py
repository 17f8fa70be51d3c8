"""Read Turtle and TriG files into quads, with the line where each subject is defined."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox

from kg.build.locations import Locations
from kg.errors import ParseError

__all__ = ["locate_subjects", "parse_error", "read_rdf", "read_text"]

_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS}
_PREFIX = re.compile(r"@prefix\s+([\w-]*):\s*<([^>]*)>\s*\.", re.I)
_SUBJECT = re.compile(r"^\s*(<[^>\s]*>|[\w-]*:[\w.-]*[\w-])(\s+a\s|\s*\{)?")
_POSITION = re.compile(r"line (\d+) column (\d+)")
_TERM = re.compile(r"<[^>\s]*>|[A-Za-z][\w-]*:[\w.-]*[\w-]")


def read_text(path: Path, label: str) -> str:
    """Read a UTF-8 file; a bad byte is reported with its line, like a syntax error.

    Raises:
        ParseError: the file is not UTF-8 or cannot be read.
    """
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ParseError(label, None, None, f"cannot read the file: {error.strerror}") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        raise ParseError(
            label, line, column, f"not UTF-8 (byte 0x{raw[error.start]:02x}); save it as UTF-8"
        ) from None


def read_rdf(
    path: Path, label: str, default_graph: str | None = None
) -> tuple[list[ox.Quad], Locations]:
    """Parse a Turtle, TriG or N-Quads file.

    Triples outside any graph block go to ``default_graph`` when one is given (the ontology
    file's own graph) and stay in the default graph otherwise, where validation reports them
    as statements without a source.

    Raises:
        ParseError: with the file, line and column of the first syntax error.
    """
    text = read_text(path, label)
    fmt = _FORMATS.get(path.suffix)
    if fmt is None:
        raise ParseError(label, None, None, f"unknown RDF file type {path.suffix!r}")
    try:
        quads = list(ox.parse(text, format=fmt, base_iri=path.resolve().as_uri()))
    except SyntaxError as error:
        raise parse_error(label, error) from None
    if default_graph is not None:
        graph = ox.NamedNode(default_graph)
        quads = [
            ox.Quad(q.subject, q.predicate, q.object, graph)
            if isinstance(q.graph_name, ox.DefaultGraph)
            else q
            for q in quads
        ]
    return quads, locate_subjects(text, label)


def parse_error(label: str, error: SyntaxError) -> ParseError:
    """Turn a pyoxigraph SyntaxError into a ParseError with file, line and column."""
    message = str(error.msg or error)
    found = _POSITION.search(message)
    line = error.lineno or (int(found[1]) if found else None)
    column = error.offset or (int(found[2]) if found else None)
    detail = re.sub(r"^Parser error (?:at|between) [^:]*: ", "", message)
    return ParseError(label, line, column, detail)


def locate_subjects(text: str, label: str) -> Locations:
    """Find the line that starts each subject's statement, and the line where it names each
    value (``kg:developedBy org:kuaishuo``: the line to fix for a misspelled reference).

    A light scan, not a parser: a statement starts on the first line after one that ends with
    ``.``, ``{`` or ``}``. It is only used to point error messages at the right place.
    """
    prefixes: dict[str, str] = {}
    locations = Locations()
    at_statement_start = True
    subject: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = _strip_comment(raw)
        if not line.strip():
            continue
        if prefix := _PREFIX.search(line):
            prefixes[prefix[1]] = prefix[2]
            at_statement_start = True
            continue
        start = 0
        if at_statement_start and (match := _SUBJECT.match(line)):
            iri = _expand(match[1], prefixes)
            is_graph_block = bool(match[2] and "{" in match[2])
            if iri and not is_graph_block:
                locations.add(iri, label, number, typed=bool(match[2]))
                subject, start = iri, match.end(1)
        if subject is not None:
            for term in _TERM.finditer(_strip_strings(line), start):
                if value := _expand(term[0], prefixes):
                    locations.mention(subject, value, label, number)
        at_statement_start = line.rstrip().endswith((".", "{", "}"))
    return locations


def _strip_strings(line: str) -> str:
    """The line with its string literals blanked, so that words in them are not taken as
    names (same length, so positions hold)."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: " " * len(m[0]), line)


def _strip_comment(line: str) -> str:
    """Drop a trailing ``# comment`` that is not inside a string or an IRI."""
    in_string = in_iri = False
    for index, char in enumerate(line):
        if char == '"' and not in_iri:
            in_string = not in_string
        elif char == "<" and not in_string:
            in_iri = True
        elif char == ">" and not in_string:
            in_iri = False
        elif char == "#" and not in_string and not in_iri:
            return line[:index]
    return line


def _expand(token: str, prefixes: dict[str, str]) -> str | None:
    if token.startswith("<"):
        return token[1:-1]
    prefix, _, local = token.partition(":")
    namespace = prefixes.get(prefix)
    return namespace + local if namespace is not None else None
