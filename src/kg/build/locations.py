"""Where each entity was defined, and where each subject mentions a value: rdflib and SHACL
drop positions, so we keep our own map."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Locations"]


@dataclass
class Locations:
    """Map each subject IRI to the file and line that define it (its typed statement first)."""

    _where: dict[str, tuple[str, int, bool]] = field(default_factory=dict)
    _mentions: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)

    def add(self, iri: str, file: str, line: int, typed: bool = False) -> None:
        """Record a definition; a typed one (``a kg:Model``) wins over a mere mention."""
        known = self._where.get(iri)
        if known is None or (typed and not known[2]):
            self._where[iri] = (file, line, typed)

    def mention(self, subject: str, value: str, file: str, line: int) -> None:
        """Record the line where ``subject``'s statements name ``value`` (the first one)."""
        self._mentions.setdefault((subject, value), (file, line))

    def find_value(self, subject: str, value: str) -> tuple[str, int] | None:
        """The (file, line) of the statement of ``subject`` that names ``value``, if known:
        where a misspelled reference is, rather than where its subject starts."""
        return self._mentions.get((subject, value))

    def find(self, iri: str) -> tuple[str, int] | None:
        """The (file, line) that defines ``iri``, if any file does."""
        known = self._where.get(iri)
        return (known[0], known[1]) if known else None

    def update(self, other: Locations) -> None:
        """Merge another file's map into this one."""
        for iri, (file, line, typed) in other._where.items():
            self.add(iri, file, line, typed)
        for (subject, value), (file, line) in other._mentions.items():
            self.mention(subject, value, file, line)
