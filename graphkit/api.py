"""graphkit from Python: build a graph in memory, or open a store, and get DataFrames and networkx graphs back.

The whole surface is importable from ``graphkit`` (see docs/python-api.md)::

    import graphkit

    kg = graphkit.build(["refs.ris", "pubmed.nbib"])     # -> KnowledgeGraph (in memory)
    kg.counts()["Paper"]; kg.table("Author"); kg.coauthor_network(); kg.report.papers

    with graphkit.open("graphkit.db") as store:           # or "bolt://localhost:7687"
        store.ingest(["refs.ris"])
        store.query("prolific-authors", limit=10)         # -> pandas.DataFrame
        store.search("small world", kind="paper")

    graphkit.read("refs.ris")                             # -> records, with .diagnostics
    graphkit.records_dataframe("refs.ris")                # one row per record
    graphkit.queries()                                    # the canned queries and their parameters

The CLI is a thin layer over the same library calls. pandas is imported when a DataFrame is made.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from graphkit.build import BuildOptions, BuildResult, build_from_files, build_graph
from graphkit.errors import GraphkitError, ReadError, needs_extras
from graphkit.graph import Graph
from graphkit.model import Diagnostic, Record
from graphkit.progress import Progress, null_progress
from graphkit.resolve.authors import AUTHOR_KEY_MODES
from graphkit.schema import EDGE_PROPERTIES, NODE_PROPERTIES, Label, RelType

if TYPE_CHECKING:  # pragma: no cover - imported for annotations only
    import networkx as nx
    import pandas as pd

    from graphkit.stores import Store

log = logging.getLogger(__name__)

PathLike = str | Path
Paths = PathLike | Sequence[PathLike]
AuthorKey = Literal["compatible", "initial", "full"]
NEO4J_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


def _paths(paths: Paths) -> list[Path]:
    items = [paths] if isinstance(paths, str | Path) else list(paths)
    out = []
    for item in items:
        path = Path(item)
        if not path.is_file():
            raise ReadError(f"{item}: no such file")
        out.append(path)
    return out


def _options(author_key: AuthorKey, coauthor_cap: int, format: str) -> BuildOptions:
    if author_key not in AUTHOR_KEY_MODES:
        raise GraphkitError(f"author_key must be one of {', '.join(AUTHOR_KEY_MODES)}, got {author_key!r}")
    if coauthor_cap < 1:
        raise GraphkitError(f"coauthor_cap must be at least 1, got {coauthor_cap}")
    return BuildOptions(author_key=author_key, coauthor_cap=coauthor_cap, format=format)


def _frame(rows: Iterable[dict[str, Any]], columns: Sequence[str] | None = None) -> pd.DataFrame:
    import pandas as pd

    rows = list(rows)
    if columns is None and rows:
        columns = list(rows[0])
    return pd.DataFrame.from_records(rows, columns=list(columns) if columns is not None else None)


def _item(name: str | Label | RelType) -> Label | RelType:
    if isinstance(name, Label | RelType):
        return name
    wanted = str(name).strip().lower()
    for item in (*Label, *RelType):
        if item.value.lower() == wanted or item.name.lower() == wanted:
            return item
    known = ", ".join(i.value for i in (*Label, *RelType))
    raise GraphkitError(f"no label or relationship type {name!r}; known: {known}")


# -- reading ---------------------------------------------------------------------------------------

class Records(list[Record]):
    """The records :func:`read` returns (a list), with the readers' ``diagnostics`` alongside."""

    diagnostics: list[Diagnostic]

    def __init__(self, records: Iterable[Record] = (), diagnostics: Iterable[Diagnostic] = ()) -> None:
        super().__init__(records)
        self.diagnostics = list(diagnostics)


def read(paths: Paths, *, format: str = "auto", strict: bool = False) -> Records:
    """Read bibliographic files (format detected per file unless ``format``) into :class:`Record` objects.

    Broken records are skipped and reported in ``.diagnostics`` (file, line, record number); with
    ``strict=True`` any error diagnostic raises :class:`ReadError` instead.
    """
    from graphkit.readers import read_files

    records: list[Record] = []
    diagnostics: list[Diagnostic] = []
    for item in read_files(_paths(paths), format):
        (diagnostics if isinstance(item, Diagnostic) else records).append(item)  # type: ignore[arg-type]
    errors = [d for d in diagnostics if d.severity == "error"]
    if strict and errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ReadError(f"{errors[0]}{more}")
    return Records(records, diagnostics)


RECORD_COLUMNS = ("file", "line", "format", "type", "title", "authors", "year", "journal", "journal_abbrev",
                  "issn", "volume", "issue", "first_page", "last_page", "doi", "pmid", "publisher",
                  "keywords", "mesh", "abstract", "n_references")


def records_dataframe(records: Paths | Iterable[Record], *, format: str = "auto") -> pd.DataFrame:
    """One row per record (from paths or from records already read): the columns of ``RECORD_COLUMNS``.

    ``authors`` is a list of "Family, Given" strings, ``keywords`` a list, ``mesh`` a list of headings
    (a ``*`` suffix marks a major topic), ``issn`` a list.
    """
    rows = []
    for r in _as_records(records, format):
        j = r.journal
        rows.append({
            "file": r.source.file, "line": r.source.line, "format": r.source.format, "type": r.type,
            "title": r.title, "authors": [p.display for p in r.authors], "year": r.year,
            "journal": j.name if j else None, "journal_abbrev": j.abbreviation if j else None,
            "issn": list(j.issns) if j else [], "volume": r.volume, "issue": r.issue,
            "first_page": r.first_page, "last_page": r.last_page, "doi": r.doi, "pmid": r.pmid,
            "publisher": r.publisher, "keywords": list(r.keywords),
            "mesh": [m.heading + ("*" if m.major else "") for m in r.mesh], "abstract": r.abstract,
            "n_references": len(r.references),
        })
    frame = _frame(rows, RECORD_COLUMNS)
    return frame.astype({"year": "Int64", "line": "int64"}) if len(frame) else frame


def sample_files() -> list[Path]:
    """The bundled sample: real records on network science and the science of science, as a Web of
    Science export and a PubMed export that overlap, plus the project's seed record (graphkit/sample/)."""
    from graphkit.demo import sample_files as files

    return files()


def _is_paths(items: object) -> bool:
    return isinstance(items, str | Path) or (isinstance(items, Sequence) and len(items) > 0
                                             and isinstance(items[0], str | Path))


def _as_records(items: Paths | Iterable[Record], format: str) -> Iterable[Record]:
    if _is_paths(items):
        return read(items, format=format)  # type: ignore[arg-type]  # narrowed by _is_paths
    return [r for r in items if isinstance(r, Record)]  # type: ignore[union-attr]


def queries() -> pd.DataFrame:
    """The canned queries (``graphkit query --list``): one row per query, indexed by name, with its
    description and parameters (``name (type)``, required ones marked ``required``, others with their
    default) and whether its rows come in a defined order."""
    from graphkit.queries import format_value, load_queries

    rows = []
    for q in load_queries().values():
        params = [f"{p.name} ({p.type}, required, e.g. {format_value(p.example)})" if p.required
                  else f"{p.name} ({p.type}, default {format_value(p.default)})" for p in q.params]
        rows.append({"name": q.name, "description": q.description, "parameters": params,
                     "ordered": q.ordered()})
    return _frame(rows, ("name", "description", "parameters", "ordered")).set_index("name")


# -- the report ------------------------------------------------------------------------------------

@dataclass(slots=True)
class Report:
    """The data-quality report of a build (what ``graphkit report`` prints), as an object.

    ``data`` is the full JSON-ready dict (see graphkit.report); the properties are its headline figures.
    In Jupyter it renders as markdown.
    """

    data: dict[str, Any] = field(default_factory=dict)

    @property
    def records(self) -> int:
        """Records read (PRISMA: identified)."""
        return int(self.data.get("records", 0))

    @property
    def duplicates_removed(self) -> int:
        return int(self.data.get("prisma", {}).get("duplicates_removed", 0))

    @property
    def papers(self) -> int:
        """Unique papers after merging duplicates (PRISMA: remaining)."""
        return int(self.data.get("prisma", {}).get("remaining", 0))

    @property
    def missing(self) -> dict[str, int]:
        """Records missing a DOI, year, authors or journal."""
        return dict(self.data.get("missing", {}))

    def duplicates(self) -> pd.DataFrame:
        """Every duplicate pair merged: kept, merged, rule (doi, pmid, title, fuzzy-title), score, title."""
        pairs = self.data.get("duplicates", {}).get("pairs", [])
        return _frame(pairs, ("kept", "merged", "rule", "score", "title"))

    def author_variants(self) -> pd.DataFrame:
        """Authors that merged several name variants: one row per (author, variant) with its count."""
        rows = [{"key": a["key"], "name": a["name"], "family": v["family"], "given": v["given"],
                 "count": v["count"]}
                for a in self.data.get("authors", {}).get("variants", []) for v in a["variants"]]
        return _frame(rows, ("key", "name", "family", "given", "count"))

    def to_dict(self) -> dict[str, Any]:
        return self.data

    def to_markdown(self) -> str:
        from graphkit.report import to_markdown

        return to_markdown(self.data)

    def write(self, path: PathLike) -> Path:
        """Write the report: JSON when ``path`` ends in .json, else markdown."""
        from graphkit.report import write_report

        return write_report(self.data, path)

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        return (f"Report(records={self.records}, duplicates_removed={self.duplicates_removed}, "
                f"papers={self.papers})")


# -- an in-memory graph ----------------------------------------------------------------------------

class KnowledgeGraph:
    """A built graph in memory: counts, tables, networkx views, the quality report and exports.

    Made by :func:`build` (with the report and reader diagnostics) or by :meth:`GraphStore.knowledge_graph`
    (read back from a store; no report).
    """

    def __init__(self, graph: Graph, *, result: BuildResult | None = None) -> None:
        self.graph = graph
        self._result = result

    @property
    def report(self) -> Report:
        """The data-quality report of the build (empty for a graph read back from a store)."""
        return Report(self._result.report if self._result else {})

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """What the readers noticed (file, line, record), warnings and errors."""
        return list(self._result.diagnostics) if self._result else []

    @property
    def records(self) -> int:
        """Records read for this graph (0 when read back from a store)."""
        return self._result.records if self._result else 0

    def counts(self) -> dict[str, int]:
        """Node counts by label and edge counts by type, e.g. ``{"Paper": 154, ..., "CO_AUTHOR": 940}``."""
        return self.graph.counts()

    def table(self, label_or_type: str | Label | RelType) -> pd.DataFrame:
        """Nodes of a label (``"Paper"``, ``"Author"``, ...) or edges of a type (``"AUTHORED"``, ...) as a
        DataFrame: one column per schema property (edges: ``source`` and ``target`` keys first)."""
        item = _item(label_or_type)
        if isinstance(item, Label):
            columns = list(NODE_PROPERTIES[item])
            rows = self.graph.nodes(item)
        else:
            columns = ["source", "target", *EDGE_PROPERTIES[item]]
            rows = self.graph.edges(item)
        return _frame(({c: row.get(c) for c in columns} for row in rows), columns)

    def to_networkx(self) -> nx.MultiDiGraph:
        """Every node and edge: node id = key, attributes ``kind``, ``label`` and the properties; edge
        attribute ``type`` and the properties."""
        return self.graph.to_networkx()

    def coauthor_network(self, *, since: int | None = None, min_weight: int = 1) -> nx.Graph:
        """Authors linked by the papers they share: an undirected graph, node attributes ``label`` (the
        name), ``papers`` (paper keys), ``orcid``; edge ``weight`` = joint papers, ``first_year`` and
        ``last_year`` of those papers. With ``since``, only papers from that year on count."""
        from graphkit.analysis import coauthor_network

        g = coauthor_network(self.graph, since=since, min_weight=min_weight)
        for key, data in g.nodes(data=True):
            row = self.graph.node(Label.AUTHOR, key) or {}
            data["orcid"] = row.get("orcid")
        for a, b, data in g.edges(data=True):
            edge = self.graph.edge(RelType.CO_AUTHOR, a, b) or {}
            data["first_year"] = edge.get("first_year")
            data["last_year"] = edge.get("last_year")
        return g

    def keyword_network(self, *, since: int | None = None, min_weight: int = 1,
                        check_tags: bool = False) -> nx.Graph:
        """Keywords and MeSH terms linked by the number of papers carrying both (edge ``weight``); node
        attributes ``label``, ``kind`` (Keyword or MeshTerm) and ``papers``. MeSH check tags (Humans,
        Female, ...) are left out unless ``check_tags``."""
        from graphkit.analysis import topic_network

        return topic_network(self.graph, since=since, min_weight=min_weight, include_check_tags=check_tags)

    def export(self, to: str, out: PathLike, **options: Any) -> dict[str, Any]:
        """Write the graph as ``to`` = graphml, gexf, json (node-link), neo4j-admin, parquet, rdf,
        vosviewer or csl-json (as ``graphkit export --to``) at ``out``, a path or a URL (``s3://``,
        ``hdfs://``, ``file://``: written locally, then uploaded); options as the CLI's (``rdf_format``,
        ``base``, ``network``). Returns the exporter's summary. rdf needs graphkit[rdf]; the others work
        on the base install."""
        from graphkit.sinks import export

        with needs_extras():
            return export(self.graph, to, out, **options)

    def _repr_html_(self) -> str:
        counts = self.counts()
        cells = "".join(f"<tr><td>{k}</td><td style='text-align:right'>{v}</td></tr>" for k, v in counts.items())
        return f"<b>KnowledgeGraph</b><table>{cells}</table>"

    def __repr__(self) -> str:
        c = self.counts()
        return (f"KnowledgeGraph({c.get('Paper', 0)} papers, {c.get('Author', 0)} authors, "
                f"{c.get('Journal', 0)} journals, {c.get('Keyword', 0)} keywords, {c.get('MeshTerm', 0)} MeSH terms)")


def build(paths: Paths | Iterable[Record], *, author_key: AuthorKey = "compatible", coauthor_cap: int = 100,
          format: str = "auto", progress: Progress = null_progress) -> KnowledgeGraph:
    """Read files (or take records from :func:`read`) and resolve them into one :class:`KnowledgeGraph`.

    Options as the CLI's: ``author_key`` ("compatible": names join only when their given names fit,
    see docs/graph.md; "initial": family name + first initial; "full": all given names), ``coauthor_cap`` (papers with more authors get no CO_AUTHOR pairs), ``format`` ("auto"
    detects each file's format).
    """
    options = _options(author_key, coauthor_cap, format)
    if _is_paths(paths):
        result = build_from_files(_paths(paths), options, progress=progress)  # type: ignore[arg-type]
    else:
        result = build_graph(_as_records(paths, format), options, progress=progress)
        result.diagnostics = list(getattr(paths, "diagnostics", [])) + result.diagnostics
    return KnowledgeGraph(result.graph, result=result)


# -- stores ----------------------------------------------------------------------------------------

def is_neo4j_uri(target: PathLike) -> bool:
    """Whether ``target`` is a Neo4j URI (bolt://, neo4j://, with +s / +ssc variants)."""
    return isinstance(target, str) and target.split("://", 1)[0].lower() in NEO4J_SCHEMES and "://" in target


class GraphStore:
    """A store opened by :func:`open`: the embedded store or a Neo4j server behind one interface.

    Use it as a context manager (or call :meth:`close`). Queries return pandas DataFrames.
    """

    def __init__(self, store: Store, target: str) -> None:
        self.store = store
        self.target = target

    @property
    def dialect(self) -> str:
        """"ladybug" (embedded) or "neo4j"."""
        return self.store.dialect

    def ingest(self, paths: Paths, *, author_key: AuthorKey = "compatible", coauthor_cap: int = 100,
               format: str = "auto", progress: Progress = null_progress) -> dict[str, Any]:
        """Read, resolve and load files (as ``graphkit ingest``); returns the load summary (``records``,
        ``counts``, ``diagnostics``, per-file status on the embedded store). Loading more files later
        gives the same graph as loading everything at once."""
        options = _options(author_key, coauthor_cap, format)
        return self.store.ingest(_paths(paths), options=options, progress=progress)

    def write(self, kg: KnowledgeGraph | Graph, *, progress: Progress = null_progress) -> dict[str, Any]:
        """Merge an already built graph into the store."""
        graph = kg.graph if isinstance(kg, KnowledgeGraph) else kg
        return self.store.write_graph(graph, progress=progress)

    def query(self, name: str, /, **params: Any) -> pd.DataFrame:
        """Run the canned query ``name`` (see :func:`queries`) with its parameters as keywords."""
        from graphkit.queries import get_query, run_query

        q = get_query(name)
        rows = run_query(self.store, q, params)
        return _frame(rows)

    def cypher(self, text: str, /, write: bool = False, **params: Any) -> pd.DataFrame:
        """Run a Cypher statement with ``$name`` parameters given as keywords; read-only unless
        ``write=True`` (the embedded store refuses write clauses, Neo4j runs a read transaction)."""
        return _frame(self.store.run(text, params, write=write))

    def search(self, text: str, kind: str | None = None, limit: int = 20) -> pd.DataFrame:
        """Ranked full-text search (words, "phrases", prefix*; case and accents ignored) over papers,
        authors and terms; ``kind`` = "paper", "author" or "term" to narrow it. Columns kind, key, name,
        score; best first."""
        return _frame(self.store.search(text, limit=limit, kind=kind), ("kind", "key", "name", "score"))

    def counts(self) -> dict[str, int]:
        """Node counts by label and edge counts by type in the store."""
        return self.store.counts()

    def knowledge_graph(self) -> KnowledgeGraph:
        """The stored graph, read back into memory."""
        return KnowledgeGraph(self.store.read_graph())

    def to_networkx(self) -> nx.MultiDiGraph:
        """The stored graph as a networkx MultiDiGraph (as :meth:`KnowledgeGraph.to_networkx`)."""
        return self.store.read_graph().to_networkx()

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GraphStore({self.target!r}, dialect={self.dialect!r})"


def open(target: PathLike = "graphkit.db", *, database: str | None = None, create: bool = True,
         batch_size: int = 5000, wait: float | None = None) -> GraphStore:
    """Open a store: an embedded store directory (made when missing unless ``create=False``) or a Neo4j
    URI (``bolt://`` / ``neo4j://``; credentials from NEO4J_USER / NEO4J_PASSWORD, ``database`` picks a
    database). ``wait``: seconds an embedded write waits for another process's write lock before
    :class:`StoreLockedError` (default: the store's default). A Neo4j store needs graphkit[neo4j]."""
    from graphkit.stores import open_store

    with needs_extras():
        if is_neo4j_uri(target):
            store = open_store(None, str(target), database=database, batch_size=batch_size)
            from graphkit.sinks.neo4j import safe_uri

            return GraphStore(store, safe_uri(str(target)))
        store = open_store(Path(target), None, create=create, wait=wait)
    return GraphStore(store, str(target))
