"""Where each entity was defined: rdflib and SHACL drop positions, so we keep our own map."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Locations"]


@dataclass
class Locations:
    """Map each subject IRI to the file and line that define it (its typed statement first)."""

    _where: dict[str, tuple[str, int, bool]] = field(default_factory=dict)

    def add(self, iri: str, file: str, line: int, typed: bool = False) -> None:
        """Record a definition; a typed one (``a kg:Model``) wins over a mere mention."""
        known = self._where.get(iri)
        if known is None or (typed and not known[2]):
            self._where[iri] = (file, line, typed)

    def find(self, iri: str) -> tuple[str, int] | None:
        """The (file, line) that defines ``iri``, if any file does."""
        known = self._where.get(iri)
        return (known[0], known[1]) if known else None

    def update(self, other: Locations) -> None:
        """Merge another file's map into this one."""
        for iri, (file, line, typed) in other._where.items():
            self.add(iri, file, line, typed)
