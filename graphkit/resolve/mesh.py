"""The bundled MeSH 2024 descriptor table (graphkit/data/mesh.tsv.gz, see NOTICE): lookup by heading."""

from __future__ import annotations

import gzip
import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

log = logging.getLogger(__name__)

MESH_YEAR = 2024
TABLE = "mesh.tsv.gz"


@dataclass(frozen=True, slots=True)
class Descriptor:
    ui: str
    heading: str
    tree_numbers: tuple[str, ...]


class MeshVocabulary:
    """Headings (exact, case-sensitive), then case-folded headings, then entry terms -> descriptor."""

    def __init__(self, rows: list[tuple[str, str, str, str]]) -> None:
        self.by_heading: dict[str, Descriptor] = {}
        self.by_ui: dict[str, Descriptor] = {}
        self._folded: dict[str, Descriptor] = {}
        self._entry: dict[str, Descriptor] = {}
        for ui, heading, trees, entries in rows:
            d = Descriptor(ui, heading, tuple(t for t in trees.split("|") if t))
            self.by_heading[heading] = d
            self.by_ui[ui] = d
            self._folded.setdefault(heading.casefold(), d)
        for ui, heading, trees, entries in rows:
            d = self.by_ui[ui]
            for term in entries.split("|"):
                if term:
                    self._entry.setdefault(term.casefold(), d)

    def __len__(self) -> int:
        return len(self.by_ui)

    def exact(self, heading: str) -> Descriptor | None:
        """The descriptor whose preferred heading is exactly ``heading`` (case-sensitive)."""
        return self.by_heading.get(heading)

    def lookup(self, heading: str) -> Descriptor | None:
        """Exact heading, else case-insensitive heading, else an entry term (synonym)."""
        return (self.by_heading.get(heading) or self._folded.get(heading.casefold())
                or self._entry.get(heading.casefold()))


@lru_cache(maxsize=1)
def vocabulary() -> MeshVocabulary:
    """The bundled table, loaded once per process (about 30,000 descriptors, ~0.3 s)."""
    rows: list[tuple[str, str, str, str]] = []
    with resources.files("graphkit").joinpath("data").joinpath(TABLE).open("rb") as raw, \
            gzip.open(raw, "rt", encoding="utf-8") as fh:
        next(fh, None)  # header
        for line in fh:
            cells = line.rstrip("\n").split("\t")
            cells += [""] * (4 - len(cells))
            rows.append((cells[0], cells[1], cells[2], cells[3]))
    log.debug("loaded %d MeSH descriptors", len(rows))
    return MeshVocabulary(rows)
