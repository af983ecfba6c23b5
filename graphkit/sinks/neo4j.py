"""The Neo4j store: an idempotent, incremental, batched loader over the official driver, plus search.

Loading a :class:`~graphkit.graph.Graph` runs these phases, each reported to the progress callback:

1. ``schema``: uniqueness constraints on every label's ``key``, range indexes on Paper(doi), Paper(year),
   Author(name), MeshTerm(ui), and the full-text indexes ``paper_text`` (Paper title, abstract, terms)
   and ``name_text`` (Author/Keyword/MeshTerm name), analyzer ``standard-folding``. All ``IF NOT EXISTS``.
2. ``nodes:<Label>``: ``UNWIND $rows AS row MERGE (n:Label {key: row.key}) SET n += row.props`` batches.
   ``None`` values are not written (a later file never erases what an earlier one said) and Paper
   ``sources`` is a union, so loading B after A equals loading A and B together.
3. ``edges:<TYPE>``: the same for relationships, matched by their end nodes' keys.
4. ``terms``: the ``terms`` property of papers ("; "-joined keyword and MeSH names, for the full-text
   index): set with the node for papers new to the store, recomputed here from the stored
   HAS_KEYWORD/HAS_MESH edges for papers that were already there.
5. ``papers:<Label>``: the derived ``papers`` count of every Keyword and MeshTerm in the graph,
   recomputed from the stored HAS_KEYWORD/HAS_MESH links (top-keywords and top-mesh order by it).
6. ``coauthors``: every CO_AUTHOR pair among the stored authors of the touched papers recomputed from
   the stored AUTHORED edges (papers = distinct shared papers, first_year, last_year; papers with more
   than ``coauthor_cap`` authors give no pairs, and a pair left with none is deleted), so weights are
   never added twice however the files are split over ingests.
7. ``derived:<name>``: the extensions' derived relationships (AFFILIATED_WITH ...) recomputed in full from
   the stored graph with their ``graphkit.derive`` Cypher (they are never loaded from the graph).

Every batch is one managed write transaction (``session.execute_write``: retried on transient errors);
labels and types come from :mod:`graphkit.schema`, every value is a query parameter. Driver errors
become :class:`Neo4jError` subclasses with one-line messages that never contain the password.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from graphkit.build import BuildOptions, build_from_files
from graphkit.derive import Derived
from graphkit.derive import entries as derived_entries
from graphkit.graph import Graph
from graphkit.identity import StoredAuthorship, StoredPaper, reconcile, title_key
from graphkit.resolve.authors import block_key
from graphkit.model import GraphkitError
from graphkit.progress import Progress, null_progress
from graphkit.schema import EDGE_PROPERTIES, ENDPOINTS, NODE_PROPERTIES, Label, RelType
from graphkit.sinks import neo4j_cites
from graphkit.search import PAPER_FIELDS, paper_documents

log = logging.getLogger(__name__)

# -- the schema, as data ------------------------------------------------------------------------

RANGE_INDEXES: tuple[tuple[Label, str], ...] = (
    (Label.PAPER, "doi"), (Label.PAPER, "year"), (Label.AUTHOR, "name"), (Label.MESH, "ui"),
    (Label.PAPER, "cite_key"),  # cited-only works meeting their papers (graphkit.sinks.neo4j_cites)
    # identity lookups of an incremental ingest (graphkit.identity)
    (Label.PAPER, "pmid"), (Label.PAPER, "title_key"), (Label.AUTHOR, "block"), (Label.AUTHOR, "orcid"),
)
# store-only properties that make identity lookups index seeks (not part of the schema, never read back):
# Paper.title_key = the build's title hash (normalised title + year), Author.block = folded family name
IDENTITY_PROPERTIES: dict[Label, tuple[str, ...]] = {Label.PAPER: ("title_key",), Label.AUTHOR: ("block",)}
# properties a later load overwrites (the others are only filled where the store has none, so loading
# a file again changes nothing): an author's display name is recomputed over stored and new variants
OVERWRITTEN: dict[Label, tuple[str, ...]] = {Label.AUTHOR: ("name", "family", "given")}
FULLTEXT_INDEXES: dict[str, tuple[tuple[Label, ...], tuple[str, ...]]] = {
    "paper_text": ((Label.PAPER,), PAPER_FIELDS),  # title, abstract + graphkit.search.paper_documents
    "name_text": ((Label.AUTHOR, Label.KEYWORD, Label.MESH), ("name",)),
}
FULLTEXT_ANALYZER = "standard-folding"
TERMS_SEPARATOR = "; "
UNION_PROPERTIES = {"sources", "variants"}  # list properties merged as a set union instead of overwritten
EDGE_UNION_PROPERTIES = {"authors"}  # HAS_AFFILIATION.authors: a later file adds authors, never drops them
# derived entries (graphkit.derive) this sink recomputes incrementally for the papers a load touched;
# every other entry is recomputed in full with its own Cypher after the load
INCREMENTAL_DERIVED = ("co-author", "term-papers")


def full_derived() -> list[Derived]:
    """The derived entries recomputed in full in the store after every load (features' entries)."""
    return [e for e in derived_entries() if e.name not in INCREMENTAL_DERIVED]


# relationships written from the graph; CO_AUTHOR and the relationships features derive are computed in
# the store (loading them first would only be deleted again)
LOADED_TYPES = tuple(t for t in RelType if t is not RelType.CO_AUTHOR
                     and not any(t.value in e.targets for e in full_derived()))
URI_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")


class Neo4jError(GraphkitError):
    """A Neo4j server problem, told in one line."""


class Neo4jAuthError(Neo4jError):
    """Wrong user name or password."""


class Neo4jUnavailableError(Neo4jError):
    """No server answers at the URI."""


class Neo4jFeatureError(Neo4jError):
    """The server lacks something graphkit needs (version, full-text analyzer, database)."""


def safe_uri(uri: str) -> str:
    """The URI without any user:password part, for messages and logs."""
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<invalid URI>"
    if "@" in parts.netloc:
        return urlunsplit((parts.scheme, parts.netloc.rsplit("@", 1)[1], parts.path, parts.query, parts.fragment))
    return uri


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


# -- Cypher, built from the enums -----------------------------------------------------------------

def schema_statements() -> list[str]:
    """The idempotent schema statements, in order."""
    out = [f"CREATE CONSTRAINT {label.value.lower()}_key IF NOT EXISTS "
           f"FOR (n:{label.value}) REQUIRE n.key IS UNIQUE" for label in Label]
    out += [f"CREATE INDEX {label.value.lower()}_{prop} IF NOT EXISTS FOR (n:{label.value}) ON (n.{prop})"
            for label, prop in RANGE_INDEXES]
    for name, (labels, props) in FULLTEXT_INDEXES.items():
        out.append(f"CREATE FULLTEXT INDEX {name} IF NOT EXISTS FOR (n:{'|'.join(l.value for l in labels)}) "
                   f"ON EACH [{', '.join('n.' + p for p in props)}] "
                   f"OPTIONS {{indexConfig: {{`fulltext.analyzer`: '{FULLTEXT_ANALYZER}'}}}}")
    return out


def node_query(label: Label) -> str:
    """MERGE by key: a new node takes every property; a stored one keeps its values and gets only the
    ones it lacks (``OVERWRITTEN`` properties are replaced), lists in ``UNION_PROPERTIES`` are unions."""
    unions = "".join(
        f" SET n.{p} = CASE WHEN size(row.{p}) = 0 THEN n.{p} "
        f"ELSE coalesce(n.{p}, []) + [x IN row.{p} WHERE NOT x IN coalesce(n.{p}, [])] END"
        for p in sorted(UNION_PROPERTIES & set(NODE_PROPERTIES[label])))
    names = [p for p in NODE_PROPERTIES[label] if p != "key" and p not in UNION_PROPERTIES]
    names += list(IDENTITY_PROPERTIES.get(label, ())) + (["terms"] if label is Label.PAPER else [])
    over = OVERWRITTEN.get(label, ())
    fill = ", ".join(f"n.{p} = coalesce(row.props.{p}, n.{p})" if p in over else f"n.{p} = coalesce(n.{p}, row.props.{p})"
                     for p in names)
    return (f"UNWIND $rows AS row MERGE (n:{label.value} {{key: row.key}}) "
            f"ON CREATE SET n += row.props ON MATCH SET {fill}{unions}")


def edge_query(type: RelType) -> str:
    start, end = ENDPOINTS[type]
    unions = "".join(
        f" SET r.{p} = coalesce(r.{p}, []) + [x IN row.{p} WHERE NOT x IN coalesce(r.{p}, [])]"
        for p in sorted(EDGE_UNION_PROPERTIES & set(EDGE_PROPERTIES[type])))
    return (f"UNWIND $rows AS row MATCH (a:{start.value} {{key: row.source}}) "
            f"MATCH (b:{end.value} {{key: row.target}}) MERGE (a)-[r:{type.value}]->(b) SET r += row.props{unions}")


TERMS_QUERY = (
    f"UNWIND $keys AS k MATCH (p:{Label.PAPER.value} {{key: k}}) "
    f"OPTIONAL MATCH (p)-[:{RelType.HAS_KEYWORD.value}|{RelType.HAS_MESH.value}]->(t) "
    "WITH p, t.name AS name ORDER BY name "
    "WITH p, collect(DISTINCT name) AS names "
    "WITH p, reduce(s = '', x IN names | s + CASE WHEN s = '' THEN '' ELSE $sep END + x) AS terms "
    "SET p.terms = CASE WHEN terms = '' THEN null ELSE terms END"
)

# the other derived search fields of graphkit.search.paper_documents (authors in byline order, journal name,
# MeSH names), recomputed from the stored edges like TERMS_QUERY; strings joined exactly as in Python
_JOIN = "reduce(s = '', x IN {0} | s + CASE WHEN s = '' THEN '' ELSE $sep END + x)"
SEARCH_FIELDS_QUERY = (
    f"UNWIND $keys AS k MATCH (p:{Label.PAPER.value} {{key: k}}) "
    f"WITH p, COLLECT {{ MATCH (a:{Label.AUTHOR.value})-[r:{RelType.AUTHORED.value}]->(p) "
    "WHERE a.name IS NOT NULL AND a.name <> '' "
    "RETURN a.name ORDER BY coalesce(r.position, 4611686018427387904), a.key } AS authors, "
    f"COLLECT {{ MATCH (p)-[:{RelType.HAS_MESH.value}]->(m:{Label.MESH.value}) WHERE m.name IS NOT NULL AND m.name <> '' "
    "RETURN DISTINCT m.name AS name ORDER BY name } AS mesh, "
    f"COLLECT {{ MATCH (p)-[:{RelType.PUBLISHED_IN.value}]->(j:{Label.JOURNAL.value}) "
    "WHERE j.name IS NOT NULL AND j.name <> '' RETURN j.name ORDER BY j.key LIMIT 1 } AS journal "
    f"WITH p, journal, {_JOIN.format('authors')} AS authors, {_JOIN.format('mesh')} AS mesh "
    "SET p.authors = CASE WHEN authors = '' THEN null ELSE authors END, "
    "p.mesh = CASE WHEN mesh = '' THEN null ELSE mesh END, p.journal = journal[0]"
)
SEARCH_FIELDS = ("authors", "journal", "mesh")  # set by SEARCH_FIELDS_QUERY (terms by TERMS_QUERY)

# the co-author pairs an ingest may change are the pairs among the (stored) authors of its papers: a
# pair's shared papers change only through AUTHORED edges of those papers
PAPER_AUTHORS_QUERY = (
    f"UNWIND $keys AS k MATCH (p:{Label.PAPER.value} {{key: k}})<-[:{RelType.AUTHORED.value}]-(a:{Label.AUTHOR.value}) "
    "RETURN k AS key, p.year AS year, collect(a.key) AS authors"
)
# authors that already wrote something in the store before this load
AUTHORS_WITH_PAPERS_QUERY = (
    f"UNWIND $keys AS k MATCH (a:{Label.AUTHOR.value} {{key: k}}) "
    f"WHERE EXISTS {{ (a)-[:{RelType.AUTHORED.value}]->() }} RETURN k AS key"
)
# pairs whose weights are known exactly from the loaded papers (see Neo4jStore._coauthors)
COAUTHOR_SET_QUERY = (
    f"UNWIND $rows AS row MATCH (s:{Label.AUTHOR.value} {{key: row.s}}) MATCH (t:{Label.AUTHOR.value} {{key: row.t}}) "
    f"MERGE (s)-[r:{RelType.CO_AUTHOR.value}]->(t) SET r.papers = row.n, r.first_year = row.fy, r.last_year = row.ly"
)
# papers over the cap give no pairs, but a paper that grew over it may leave stored pairs to remove
STALE_PAIRS_QUERY = (
    f"UNWIND $keys AS k MATCH (p:{Label.PAPER.value} {{key: k}})<-[:{RelType.AUTHORED.value}]-(a:{Label.AUTHOR.value})"
    f"-[:{RelType.CO_AUTHOR.value}]->(b:{Label.AUTHOR.value})-[:{RelType.AUTHORED.value}]->(p) "
    "RETURN DISTINCT [a.key, b.key] AS pair"
)

_DEGREE = "size([({n})-[:%s]-() | 1])" % RelType.AUTHORED.value  # planned as getDegree: O(1)
# expand the pair's shared papers from the author with fewer papers (prolific authors stay cheap)
COAUTHOR_QUERY = (
    f"UNWIND $pairs AS pair MATCH (s:{Label.AUTHOR.value} {{key: pair[0]}}) "
    f"MATCH (t:{Label.AUTHOR.value} {{key: pair[1]}}) "
    f"WITH s, t, CASE WHEN {_DEGREE.format(n='s')} <= {_DEGREE.format(n='t')} THEN [s, t] ELSE [t, s] END AS ends "
    "WITH s, t, ends[0] AS lo, ends[1] AS hi "
    f"OPTIONAL MATCH (lo)-[:{RelType.AUTHORED.value}]->(p:{Label.PAPER.value})<-[:{RelType.AUTHORED.value}]-(hi) "
    f"WHERE {_DEGREE.format(n='p')} <= $cap "
    "WITH s, t, count(DISTINCT p) AS n, min(p.year) AS fy, max(p.year) AS ly "
    f"FOREACH (_ IN CASE WHEN n > 0 THEN [1] ELSE [] END | MERGE (s)-[r:{RelType.CO_AUTHOR.value}]->(t) "
    "SET r.papers = n, r.first_year = fy, r.last_year = ly) "
    f"WITH s, t, n OPTIONAL MATCH (s)-[old:{RelType.CO_AUTHOR.value}]-(t) WHERE n = 0 DELETE old"
)


# the derived ``papers`` count of a Keyword / MeshTerm, recomputed from the stored links of the terms a
# load touched (a term's links change only through papers that name it, and those name the term node)
TERM_LINKS = {Label.KEYWORD: RelType.HAS_KEYWORD, Label.MESH: RelType.HAS_MESH}


def term_papers_query(label: Label) -> str:
    return (f"UNWIND $keys AS k MATCH (t:{label.value} {{key: k}}) "
            f"SET t.papers = size([(t)<-[:{TERM_LINKS[label].value}]-(:{Label.PAPER.value}) | 1])")


# -- incremental identity (graphkit.identity): what the store already holds ---------------------------

ANY_PAPER_QUERY = f"MATCH (p:{Label.PAPER.value}) RETURN p.key AS key LIMIT 1"
PAPERS_BY_QUERIES = {
    "dois": f"UNWIND $values AS v MATCH (p:{Label.PAPER.value}) WHERE p.doi = v OR p.key = 'doi:' + v RETURN p.key AS key",
    "pmids": f"UNWIND $values AS v MATCH (p:{Label.PAPER.value} {{pmid: v}}) RETURN p.key AS key",
    "title_keys": f"UNWIND $values AS v MATCH (p:{Label.PAPER.value} {{title_key: v}}) RETURN p.key AS key",
}
PAPER_DETAILS_QUERY = (
    f"UNWIND $keys AS k MATCH (p:{Label.PAPER.value} {{key: k}}) "
    f"OPTIONAL MATCH (p)<-[au:{RelType.AUTHORED.value}]-(a:{Label.AUTHOR.value}) "
    "WITH p, a ORDER BY au.position WITH p, head(collect(a.family)) AS first "
    f"OPTIONAL MATCH (p)-[:{RelType.PUBLISHED_IN.value}]->(j:{Label.JOURNAL.value}) "
    "RETURN p.key AS key, p.doi AS doi, p.pmid AS pmid, p.title AS title, p.year AS year, "
    "p.first_page AS first_page, first, head(collect(j {.key, .name, .abbreviation, .issn, .issns})) AS journal"
)
JOURNALS_QUERY = (f"MATCH (j:{Label.JOURNAL.value}) RETURN j.key AS key, j.name AS name, "
                  "j.abbreviation AS abbreviation, j.issn AS issn, j.issns AS issns")
AUTHORSHIPS_QUERY = (
    f"UNWIND $blocks AS b MATCH (a:{Label.AUTHOR.value} {{block: b}})-[:{RelType.AUTHORED.value}]->(p:{Label.PAPER.value}) "
    f"OPTIONAL MATCH (p)<-[:{RelType.AUTHORED.value}]-(c:{Label.AUTHOR.value}) WHERE c <> a "
    f"OPTIONAL MATCH (p)-[:{RelType.PUBLISHED_IN.value}]->(j:{Label.JOURNAL.value}) "
    "RETURN a.key AS key, a.family AS family, a.given AS given, a.orcid AS orcid, p.key AS paper, "
    "collect(DISTINCT [c.family, c.given]) AS coauthors, head(collect(DISTINCT j.key)) AS venue"
)
AUTHOR_LISTS_QUERY = (f"UNWIND $keys AS k MATCH (p:{Label.PAPER.value} {{key: k}})<-[r:{RelType.AUTHORED.value}]-"
                      f"(a:{Label.AUTHOR.value}) RETURN k AS key, a.key AS author, a.family AS family, a.given AS given")
DROP_AUTHORED_QUERY = (f"UNWIND $keys AS k MATCH (:{Label.PAPER.value} {{key: k}})<-[r:{RelType.AUTHORED.value}]-"
                       f"(a:{Label.AUTHOR.value}) DELETE r RETURN DISTINCT a.key AS key")
DROP_ORPHANS_QUERY = (f"UNWIND $keys AS k MATCH (a:{Label.AUTHOR.value} {{key: k}}) "
                      f"WHERE NOT EXISTS {{ (a)-[:{RelType.AUTHORED.value}]->() }} DETACH DELETE a")
DROP_PAIRS_QUERY = (f"UNWIND $keys AS k MATCH (:{Label.AUTHOR.value} {{key: k}})-[r:{RelType.CO_AUTHOR.value}]-() "
                    "DELETE r")
AUTHOR_PAPERS_QUERY = (f"UNWIND $keys AS k MATCH (:{Label.AUTHOR.value} {{key: k}})-[:{RelType.AUTHORED.value}]->"
                       f"(p:{Label.PAPER.value}) RETURN DISTINCT p.key AS key")


def keys_exist_query(label: Label) -> str:
    return f"UNWIND $keys AS k MATCH (n:{label.value} {{key: k}}) RETURN k AS key"


def rename_query(label: Label) -> str:
    return f"UNWIND $rows AS row MATCH (o:{label.value} {{key: row.old}}) SET o.key = row.new"


def move_queries(label: Label) -> list[str]:
    """Merge node row.old into row.new: its relationships (CO_AUTHOR is recomputed instead), its
    missing properties, then delete it."""
    out = []
    for type, (start, end) in ENDPOINTS.items():
        if type is RelType.CO_AUTHOR:
            continue
        if start is label:
            out.append(f"UNWIND $rows AS row MATCH (o:{label.value} {{key: row.old}})-[r:{type.value}]->(x) "
                       f"MATCH (n:{label.value} {{key: row.new}}) WITH n, r, x WHERE x <> n "
                       f"MERGE (n)-[r2:{type.value}]->(x) ON CREATE SET r2 = properties(r)")
        if end is label:
            out.append(f"UNWIND $rows AS row MATCH (x)-[r:{type.value}]->(o:{label.value} {{key: row.old}}) "
                       f"MATCH (n:{label.value} {{key: row.new}}) WITH n, r, x, row WHERE x <> n AND x.key <> row.old "
                       f"MERGE (x)-[r2:{type.value}]->(n) ON CREATE SET r2 = properties(r)")
    props = [p for p in NODE_PROPERTIES[label] if p != "key"] + list(IDENTITY_PROPERTIES.get(label, ()))
    sets = ", ".join(
        f"n.{p} = coalesce(n.{p}, []) + [x IN coalesce(o.{p}, []) WHERE NOT x IN coalesce(n.{p}, [])]"
        if p in UNION_PROPERTIES else f"n.{p} = coalesce(n.{p}, o.{p})" for p in props)
    out.append(f"UNWIND $rows AS row MATCH (o:{label.value} {{key: row.old}}) MATCH (n:{label.value} {{key: row.new}}) "
               f"SET {sets} DETACH DELETE o")
    return out


EXISTING_PAPERS_QUERY = f"UNWIND $keys AS k MATCH (p:{Label.PAPER.value} {{key: k}}) RETURN k AS key"


# each paper's terms as TERMS_QUERY computes them: the names of its keywords and MeSH terms that have one
# (an empty name counts), distinct, in Cypher's string order (by code point, as DuckDB's binary collation),
# "; "-joined; ``unsure``: a term edge to a missing node or one without a name
_TERMS_SQL = """
SELECT source AS key,
       CASE WHEN count(name) = 0 THEN NULL
            ELSE array_to_string(list_sort(list_distinct(list(name))), '{sep}') END AS terms,
       bool_or(name IS NULL) AS unsure
FROM (SELECT e.source, n.name FROM has_keyword e LEFT JOIN keyword n ON n.key = e.target
      UNION ALL
      SELECT e.source, n.name FROM has_mesh e LEFT JOIN mesh n ON n.key = e.target)
GROUP BY source
"""


def graph_terms_table(graph: Graph) -> Any:
    """Every paper with a term edge: ``key``, ``terms`` as TERMS_QUERY computes them (NULL without a
    named term) and ``unsure`` (a term without a name here), computed by DuckDB over the graph's columns
    (:func:`graphkit.columnar.query`)."""
    from graphkit.columnar import query

    names, edges = ("key", "name"), ("source", "target")
    return query(graph, {"keyword": (Label.KEYWORD, names), "mesh": (Label.MESH, names),
                         "has_keyword": (RelType.HAS_KEYWORD, edges), "has_mesh": (RelType.HAS_MESH, edges)},
                 _TERMS_SQL.format(sep=TERMS_SEPARATOR.replace("'", "''")))


def graph_terms(graph: Graph) -> tuple[dict[str, str], set[str]]:
    """Each paper's ``terms`` as TERMS_QUERY computes them (:func:`graph_terms_table`), and the papers
    with a nameless term."""
    table = graph_terms_table(graph)
    rows = zip(*(table.column(c).to_pylist() for c in ("key", "terms", "unsure")))
    terms: dict[str, str] = {}
    unsure: set[str] = set()
    for key, text, nameless in rows:
        if text is not None:
            terms[key] = text
        if nameless:
            unsure.add(key)
    return terms, unsure


def _unsure_search_fields(graph: Graph) -> set[str]:
    """Papers whose search fields the graph alone cannot tell (an author, journal or MeSH term without a
    name here, which the store may know): recomputed from the stored edges."""
    unsure: set[str] = set()
    for type, label, end in ((RelType.AUTHORED, Label.AUTHOR, "source"), (RelType.HAS_MESH, Label.MESH, "target"),
                             (RelType.PUBLISHED_IN, Label.JOURNAL, "target")):
        paper_end = "target" if end == "source" else "source"
        for e in graph.edges(type):
            node = graph.node(label, e[end])
            if node is None or not node.get("name"):
                unsure.add(e[paper_end])
    return unsure


def _node_row(label: Label, row: dict[str, Any]) -> dict[str, Any]:
    props = {k: v for k, v in row.items() if k != "key" and v is not None and k not in UNION_PROPERTIES}
    if label is Label.PAPER and (tk := title_key(row.get("title"), row.get("year"))):
        props["title_key"] = tk
    elif label is Label.AUTHOR and row.get("family"):
        props["block"] = block_key(row["family"])
    out = {"key": row["key"], "props": props}
    for p in UNION_PROPERTIES & set(NODE_PROPERTIES[label]):
        out[p] = list(row.get(p) or [])
    return out


def _edge_row(row: dict[str, Any]) -> dict[str, Any]:
    out = {"source": row["source"], "target": row["target"],
           "props": {k: v for k, v in row.items() if k not in ("source", "target") and v is not None
                     and k not in EDGE_UNION_PROPERTIES}}
    for p in EDGE_UNION_PROPERTIES & row.keys():
        out[p] = list(row.get(p) or [])
    return out


def _copy(graph: Graph) -> Graph:
    """A copy of ``graph`` whose rows can be changed (lists copied too)."""
    out = Graph()
    for label in Label:
        for row in graph.nodes(label):
            out.add_node(label, row["key"], **{k: (list(v) if isinstance(v, list) else v)
                                               for k, v in row.items() if k != "key"})
    for type in RelType:
        for row in graph.edges(type):
            out.add_edge(type, row["source"], row["target"],
                         **{k: v for k, v in row.items() if k not in ("source", "target")})
    return out


class _Everyone(set):
    """``published`` when every pair must be recounted from the store (after authors were merged)."""

    def __contains__(self, item: object) -> bool:
        return True


class _AllBut(set):
    """``published``: every author but the ones this load brings to the store for the first time."""

    def __init__(self, fresh: set[str]) -> None:
        super().__init__()
        self.fresh = fresh

    def __contains__(self, item: object) -> bool:
        return item not in self.fresh


def _chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# -- the store ----------------------------------------------------------------------------------------

class Neo4jStore:
    """A graphkit store on a Neo4j 5 server (``bolt://``, ``neo4j://``, ``neo4j+s://`` ... URIs)."""

    dialect = "neo4j"

    def __init__(self, uri: str, *, user: str, password: str, database: str | None = None,
                 batch_size: int = 5000) -> None:
        from neo4j import GraphDatabase

        self.uri = uri
        self.database = database or None
        self.batch_size = max(1, int(batch_size))
        # test hook: called after every committed batch with (phase, batch number); may raise
        self.after_batch: Callable[[str, int], None] | None = None
        self._orphans: list[str] = []  # stored authors whose papers' author lists were replaced
        self._pairs_dropped = 0
        scheme = uri.split("://", 1)[0].lower() if "://" in uri else ""
        if scheme not in URI_SCHEMES:
            raise Neo4jError(f"cannot use Neo4j URI {safe_uri(uri)}: the scheme must be one of "
                             f"{', '.join(URI_SCHEMES)}")
        with self._errors():
            self._driver = GraphDatabase.driver(uri, auth=(user, password), connection_timeout=15,
                                                max_transaction_retry_time=30,
                                                notifications_min_severity="OFF")
        try:
            with self._errors():
                self._driver.verify_connectivity()
                self._check_version()
        except Exception:
            self._driver.close()
            raise

    # -- errors ----------------------------------------------------------------------------------
    @contextmanager
    def _errors(self) -> Iterator[None]:
        """Translate driver exceptions into one-line Neo4jError subclasses (no credentials)."""
        from neo4j import exceptions as ex

        where = safe_uri(self.uri)
        try:
            yield
        except ex.AuthError:
            raise Neo4jAuthError(f"Neo4j at {where} refused the credentials: check NEO4J_USER and "
                                 "NEO4J_PASSWORD") from None
        except (ex.ServiceUnavailable, ex.SessionExpired) as exc:
            raise Neo4jUnavailableError(f"cannot reach Neo4j at {where} (is the server running? "
                                        f"{type(exc).__name__})") from None
        except ex.ClientError as exc:
            code = exc.code or ""
            if code.endswith("DatabaseNotFound"):
                raise Neo4jFeatureError(f"Neo4j at {where} has no database {self.database!r}") from None
            if ".Security." in code:
                raise Neo4jAuthError(f"Neo4j at {where}: {_one_line(exc.message or code)}") from None
            raise Neo4jError(f"Neo4j at {where}: {code.rsplit('.', 1)[-1]}: "
                             f"{_one_line(exc.message or '')}") from None
        except ex.Neo4jError as exc:
            raise Neo4jError(f"Neo4j at {where}: {exc.code}: {_one_line(exc.message or '')}") from None
        except (ex.ConfigurationError, ex.DriverError, ValueError) as exc:
            msg = _one_line(str(exc)).replace(self.uri, where)
            raise Neo4jError(f"cannot use Neo4j URI {where}: {msg}") from None

    def _check_version(self) -> None:
        records, _, _ = self._driver.execute_query("CALL dbms.components() YIELD name, versions, edition",
                                                   database_=self.database)
        versions = [v for r in records if r["name"] == "Neo4j Kernel" for v in r["versions"]]
        self.server_version = versions[0] if versions else "unknown"
        major = versions[0].split(".")[0] if versions else ""
        if major.isdigit() and int(major) < 5:
            raise Neo4jFeatureError(f"Neo4j at {safe_uri(self.uri)} is version {versions[0]}; graphkit "
                                    "needs Neo4j 5 or later (constraints/indexes IF NOT EXISTS, full-text "
                                    "analyzer standard-folding)")

    # -- plumbing --------------------------------------------------------------------------------
    def _session(self, write: bool):
        from neo4j import READ_ACCESS, WRITE_ACCESS

        return self._driver.session(database=self.database,
                                    default_access_mode=WRITE_ACCESS if write else READ_ACCESS)

    def _write(self, query: str, params: dict[str, Any]) -> dict[str, int]:
        """Run one statement in a managed write transaction; its counters."""

        def work(tx) -> dict[str, int]:
            counters = tx.run(query, params).consume().counters
            return {"nodes_created": counters.nodes_created,
                    "relationships_created": counters.relationships_created,
                    "relationships_deleted": counters.relationships_deleted,
                    "properties_set": counters.properties_set}

        with self._session(True) as session:
            return session.execute_write(work)

    def _write_rows(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        """Run one writing statement in a managed write transaction; its rows."""
        with self._session(True) as session:
            return session.execute_write(lambda tx: [r.data() for r in tx.run(query, params)])

    def _read(self, query: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        with self._session(False) as session:
            return session.execute_read(lambda tx: [r.data() for r in tx.run(query, params)])

    def _batched(self, phase: str, query: str, rows: Sequence[Any], param: str, progress: Progress,
                 extra: dict[str, Any] | None = None, expected: int | None = None) -> dict[str, int]:
        total = {"rows": 0, "nodes_created": 0, "relationships_created": 0, "relationships_deleted": 0}
        expected = len(rows) if expected is None else expected
        progress(phase, 0, expected)
        for number, batch in enumerate(_chunks(rows, self.batch_size), start=1):
            counters = self._write(query, {param: list(batch), **(extra or {})})
            total["rows"] += len(batch)
            for k in ("nodes_created", "relationships_created", "relationships_deleted"):
                total[k] += counters[k]
            progress(phase, len(batch), expected)
            if self.after_batch is not None:
                self.after_batch(phase, number)
        return total

    # -- the Store protocol ------------------------------------------------------------------------
    def ensure_schema(self, progress: Progress = null_progress) -> None:
        """Create constraints and indexes if missing and wait until they are online."""
        from neo4j import exceptions as ex

        statements = schema_statements()
        progress("schema", 0, len(statements))
        with self._errors():
            self._drop_changed_fulltext_indexes()
            for statement in statements:
                try:
                    self._write(statement, {})
                except ex.ClientError as exc:
                    raise Neo4jFeatureError(
                        f"Neo4j at {safe_uri(self.uri)} cannot create the graphkit schema "
                        f"({statement.split(' IF ')[0]}): {_one_line(exc.message or exc.code or '')}") from None
                progress("schema", 1, len(statements))
            self._write("CALL db.awaitIndexes(300)", {})

    def _drop_changed_fulltext_indexes(self) -> None:
        """Drop a full-text index of ours whose labels or properties differ from FULLTEXT_INDEXES (made by
        an older graphkit), so that the ``IF NOT EXISTS`` statement creates it anew."""
        for r in self._read("SHOW FULLTEXT INDEXES YIELD name, labelsOrTypes, properties "
                            "WHERE name IN $names RETURN name, labelsOrTypes, properties",
                            {"names": list(FULLTEXT_INDEXES)}):
            labels, props = FULLTEXT_INDEXES[r["name"]]
            if list(r["properties"]) != list(props) or sorted(r["labelsOrTypes"]) != sorted(l.value for l in labels):
                log.info("full-text index %s changed: dropping it to create it again", r["name"])
                self._write(f"DROP INDEX {r['name']} IF EXISTS", {})

    # -- incremental identity: graphkit.identity.StoredIdentities --------------------------------------
    def stored_papers(self, dois: list[str], pmids: list[str], title_keys: list[str]) -> list[StoredPaper]:
        keys: set[str] = set()
        for name, values in (("dois", dois), ("pmids", pmids), ("title_keys", title_keys)):
            for batch in _chunks(values, self.batch_size):
                keys.update(r["key"] for r in self._read(PAPERS_BY_QUERIES[name], {"values": list(batch)}))
        out = []
        for batch in _chunks(sorted(keys), self.batch_size):
            for r in self._read(PAPER_DETAILS_QUERY, {"keys": list(batch)}):
                out.append(StoredPaper(r["key"], r["doi"], r["pmid"], r["title"], r["year"], r["first_page"],
                                       r["first"], r["journal"]))
        return out

    def stored_journals(self) -> list[dict[str, Any]]:
        return self._read(JOURNALS_QUERY, {})

    def stored_authorships(self, blocks: list[str]) -> list[StoredAuthorship]:
        out = []
        for batch in _chunks(blocks, self.batch_size):
            for r in self._read(AUTHORSHIPS_QUERY, {"blocks": list(batch)}):
                author = {k: r[k] for k in ("key", "family", "given", "orcid")}
                out.append(StoredAuthorship(author, r["paper"], [tuple(c) for c in r["coauthors"] if c[0]],
                                            r["venue"]))
        return out

    def stored_author_lists(self, papers: list[str]) -> dict[str, list[tuple[str, str, str | None]]]:
        out: dict[str, list[tuple[str, str, str | None]]] = {}
        for batch in _chunks(papers, self.batch_size):
            for r in self._read(AUTHOR_LISTS_QUERY, {"keys": list(batch)}):
                out.setdefault(r["key"], []).append((r["author"], r["family"] or "", r["given"]))
        return out

    def _identity(self, graph: Graph, author_key: str,
                  progress: Progress) -> tuple[Graph, dict[str, Any], list[str]]:
        """Resolve ``graph`` against the stored identifiers and rename/merge stored nodes to match; the
        graph to load (a rekeyed copy: the caller's graph is not changed), the summary and the papers
        whose co-author pairs the merges touched."""
        self._orphans = []
        self._pairs_dropped = 0  # CO_AUTHOR pairs removed to be recounted (the summary reports the net change)
        if not self._read(ANY_PAPER_QUERY, {}):
            return graph, {}, []
        progress("identity", 0, None)
        graph = _copy(graph)
        before = [r["key"] for r in graph.nodes(Label.AUTHOR)]
        rec = reconcile(graph, self, author_key)
        # a stored author under a key the graph no longer uses (renamed onto another) may be left with
        # no authorship (an interrupted load wrote the node, not its edges): removed after the load
        renamed = rec.renamed.get(Label.AUTHOR) or {}
        self._orphans = sorted(k for k in before if k in renamed)
        touched: list[str] = []
        for label in (Label.PAPER, Label.JOURNAL, Label.AUTHOR):
            moves = rec.moves.get(label) or []
            if not moves:
                continue
            targets = sorted({new for _, new in moves})
            exists: set[str] = set()
            for batch in _chunks(targets, self.batch_size):
                exists.update(r["key"] for r in self._read(keys_exist_query(label), {"keys": list(batch)}))
            renames, merges = [], []
            for old, new in moves:
                if new in exists:
                    merges.append({"old": old, "new": new})
                else:
                    renames.append({"old": old, "new": new})
                    exists.add(new)
            self._batched(f"identity:{label.value}", rename_query(label), renames, "rows", progress)
            for query in move_queries(label):
                self._batched(f"identity:{label.value}", query, merges, "rows", progress)
            if label is Label.AUTHOR:  # their pairs are recounted whole (a renamed pair may point the wrong way)
                t = self._batched("identity:Author", DROP_PAIRS_QUERY, targets, "keys", progress)
                self._pairs_dropped += t["relationships_deleted"]
                for batch in _chunks(targets, self.batch_size):
                    touched += [r["key"] for r in self._read(AUTHOR_PAPERS_QUERY, {"keys": list(batch)})]
        if rec.replace_authors:  # the new author lists replace the stored ones of these papers
            old_authors: list[str] = []
            for batch in _chunks(rec.replace_authors, self.batch_size):
                old_authors += [r["key"] for r in self._write_rows(DROP_AUTHORED_QUERY, {"keys": list(batch)})]
            self._orphans = sorted(set(old_authors) | set(self._orphans))
            for batch in _chunks(self._orphans, self.batch_size):
                touched += [r["key"] for r in self._read(AUTHOR_PAPERS_QUERY, {"keys": list(batch)})]
            t = self._batched("identity:Author", DROP_PAIRS_QUERY, self._orphans, "keys", progress)
            self._pairs_dropped += t["relationships_deleted"]
        summary = rec.summary()
        if summary:
            log.info("neo4j identity: %s", summary)
        return graph, summary, touched

    def write_graph(self, graph: Graph, *, progress: Progress | None = None,
                    coauthor_cap: int = BuildOptions().coauthor_cap,
                    author_key: str = BuildOptions().author_key) -> dict[str, Any]:
        """Merge ``graph`` into the database (see the module doc for the phases); a summary dict.
        ``graph`` is first resolved against what the store holds (:mod:`graphkit.identity`, with the
        author-key mode ``author_key``) and rekeyed in place."""
        progress = progress or null_progress
        started = time.perf_counter()
        summary: dict[str, Any] = {"store": "neo4j", "uri": safe_uri(self.uri), "nodes": {}, "relationships": {}}
        self.ensure_schema(progress)
        with self._errors():
            graph, summary["identity"], touched = self._identity(graph, author_key, progress)
            # cited-only works: stored ones taken over by papers of this graph, rows of this graph that
            # are stored papers (-> mapped: not written, CITES redirected)
            mapped = neo4j_cites.prepare(graph, self._read, self._write, self.batch_size)
            authors = [r["key"] for r in graph.nodes(Label.AUTHOR)]
            published: set[str] = set()
            for batch in _chunks(authors, self.batch_size):
                published.update(r["key"] for r in self._read(AUTHORS_WITH_PAPERS_QUERY, {"keys": list(batch)}))
            papers = [r["key"] for r in graph.nodes(Label.PAPER) if not r.get("cited_only")]
            # a paper new to the store gets its terms with its node (all its term edges are in ``graph``);
            # stored papers get them recomputed from their stored edges after the edges phase
            recompute: set[str] = set()
            for batch in _chunks(papers, self.batch_size):
                recompute.update(r["key"] for r in self._read(EXISTING_PAPERS_QUERY, {"keys": list(batch)}))
            terms, unsure = graph_terms(graph)
            recompute |= unsure | _unsure_search_fields(graph)
            docs = paper_documents(graph, terms=False)  # (terms: graph_terms above)
            for label in Label:
                rows = [_node_row(label, r) for r in graph.nodes(label)
                        if label is not Label.PAPER or not r.get("cited_only")]
                if label is Label.PAPER:
                    for row in rows:
                        if row["key"] not in recompute and row["key"] in terms:
                            row["props"]["terms"] = terms[row["key"]]
                        if row["key"] not in recompute:
                            doc = docs.get(row["key"], {})
                            row["props"].update({f: doc[f] for f in SEARCH_FIELDS if f in doc})
                t = self._batched(f"nodes:{label.value}", node_query(label), rows, "rows", progress)
                if label is Label.PAPER:
                    cited_only = [_node_row(label, r) for r in graph.nodes(label)
                                  if r.get("cited_only") and r["key"] not in mapped]
                    c = self._batched("nodes:Paper(cited-only)", neo4j_cites.CITED_ONLY_NODE_QUERY, cited_only,
                                      "rows", progress)
                    t = {k: t[k] + c[k] for k in t}
                summary["nodes"][label.value] = {"created": t["nodes_created"],
                                                 "matched": t["rows"] - t["nodes_created"]}
            for type in LOADED_TYPES:
                rows = [_edge_row(r) for r in graph.edges(type)]
                if type is RelType.CITES and mapped:
                    for row in rows:
                        row["target"] = mapped.get(row["target"], row["target"])
                    rows = [row for row in rows if row["source"] != row["target"]]
                t = self._batched(f"edges:{type.value}", edge_query(type), rows, "rows", progress)
                summary["relationships"][type.value] = {"created": t["relationships_created"],
                                                        "matched": t["rows"] - t["relationships_created"]}
            self._batched("terms", TERMS_QUERY, [k for k in papers if k in recompute], "keys", progress,
                          {"sep": TERMS_SEPARATOR})
            self._batched("terms", SEARCH_FIELDS_QUERY, [k for k in papers if k in recompute], "keys", progress,
                          {"sep": TERMS_SEPARATOR})
            for label in TERM_LINKS:
                self._batched(f"papers:{label.value}", term_papers_query(label),
                              [r["key"] for r in graph.nodes(label)], "keys", progress)
            orphans, self._orphans = self._orphans, []
            self._batched("identity:Author", DROP_ORPHANS_QUERY, orphans, "keys", progress)
            extra = sorted(set(touched) - set(papers))  # other papers of merged authors: their pairs too
            if summary["identity"]:  # nodes met stored ones: recount every pair from the stored links
                published = _Everyone()
            else:  # an author this load does not name (another record's list won) wrote before too
                published = _AllBut(set(authors) - published)
            summary["relationships"][RelType.CO_AUTHOR.value] = self._coauthors(papers + extra, coauthor_cap,
                                                                                progress, published)
            summary["relationships"].update(self._derive_extensions(progress, coauthor_cap))
        summary["nodes_created"] = sum(v["created"] for v in summary["nodes"].values())
        summary["nodes_matched"] = sum(v["matched"] for v in summary["nodes"].values())
        summary["relationships_created"] = sum(v["created"] for v in summary["relationships"].values())
        summary["relationships_matched"] = sum(v["matched"] for v in summary["relationships"].values())
        summary["seconds"] = round(time.perf_counter() - started, 3)
        log.info("neo4j load: %s", summary)
        return summary

    def _derive_extensions(self, progress: Progress, cap: int) -> dict[str, dict[str, int]]:
        """Recompute, over the whole stored graph, the derived data features declare in graphkit.derive
        (the core's CO_AUTHOR and term counts are recomputed incrementally above); for each derived
        relationship type, the number of its relationships in the store now (as ``created``)."""
        out: dict[str, dict[str, int]] = {}
        for entry in full_derived():
            progress(f"derived:{entry.name}", 0, len(entry.cypher))
            net = 0
            for statement in entry.cypher:
                counters = self._write(statement, {"cap": cap})
                net += counters["relationships_created"] - counters["relationships_deleted"]
                progress(f"derived:{entry.name}", 1, len(entry.cypher))
            for target in entry.targets:
                if target in RelType._value2member_map_:
                    out[target] = {"created": max(net, 0), "matched": 0}
        return out

    def _coauthors(self, papers: list[str], cap: int, progress: Progress,
                   published: set[str]) -> dict[str, int]:
        """Recompute CO_AUTHOR for every pair among the stored authors of ``papers``.

        A pair with an author who had no papers in the store before this load (not in ``published``)
        shares only loaded papers, so its weight is computed here from the papers' stored author
        lists and written directly. Pairs of two previously published authors are recomputed in Cypher
        over all their stored papers.
        """
        progress("coauthors", 0, None)  # the papers' stored authors are read first
        known: dict[tuple[str, str], list] = {}  # pair -> [papers, first_year, last_year]
        recount: set[tuple[str, str]] = set()
        for batch in _chunks(papers, self.batch_size):
            crowded = []
            for r in self._read(PAPER_AUTHORS_QUERY, {"keys": list(batch)}):
                authors = sorted(set(r["authors"]))
                if len(authors) > cap:
                    crowded.append(r["key"])
                    continue
                year = r["year"]
                for i, a in enumerate(authors):
                    for b in authors[i + 1:]:
                        if a in published and b in published:
                            recount.add((a, b))
                            continue
                        w = known.setdefault((a, b), [0, None, None])
                        w[0] += 1
                        if year is not None:
                            w[1] = year if w[1] is None else min(w[1], year)
                            w[2] = year if w[2] is None else max(w[2], year)
            if crowded:
                recount.update(tuple(r["pair"]) for r in self._read(STALE_PAIRS_QUERY, {"keys": crowded}))
        rows = [{"s": a, "t": b, "n": w[0], "fy": w[1], "ly": w[2]} for (a, b), w in sorted(known.items())]
        total = len(rows) + len(recount)
        progress("coauthors", 0, total)
        t1 = self._batched("coauthors", COAUTHOR_SET_QUERY, rows, "rows", progress, expected=total)
        t2 = self._batched("coauthors", COAUTHOR_QUERY, [list(p) for p in sorted(recount)], "pairs", progress,
                           {"cap": cap}, expected=total)
        created = t1["relationships_created"] + t2["relationships_created"]
        deleted = t2["relationships_deleted"]
        dropped, self._pairs_dropped = self._pairs_dropped, 0  # pairs the identity step took out to recount
        back = min(dropped, created)  # a dropped pair written again is neither created nor deleted
        created, deleted = created - back, deleted + dropped - back
        return {"created": created, "matched": total - created - deleted, "deleted": deleted}

    def ingest(self, paths: Sequence[str | Path], *, options: BuildOptions = BuildOptions(),
               progress: Progress | None = None) -> dict[str, Any]:
        """Read, resolve and merge files into the database; the summary of :meth:`write_graph` plus
        ``records`` and ``diagnostics`` (the readers' diagnostics as one-line strings)."""
        progress = progress or null_progress
        result = build_from_files(paths, options, progress=progress)
        summary = self.write_graph(result.graph, progress=progress, coauthor_cap=options.coauthor_cap,
                                   author_key=options.author_key)
        files = [{"path": f, "status": "read" if e.get("records") else "no records", "records": e.get("records", 0)}
                 for f, e in result.report.get("files", {}).items()]
        return {"records": result.records, "diagnostics": [str(d) for d in result.diagnostics], "files": files,
                **summary}

    def run(self, cypher: str, params: dict[str, Any] | None = None, *, write: bool = False) -> list[dict[str, Any]]:
        """Run Cypher in a managed transaction; rows as dicts. Unless ``write``: refuse, before sending,
        what has side effects even in a read transaction (:mod:`graphkit.cypher_guard`), and run the rest
        in a READ access-mode session, where the server rejects writes."""
        if not write:
            from graphkit.cypher_guard import ReadOnlyError, read_only_refusal

            reason = read_only_refusal(cypher)
            if reason:
                class Neo4jReadOnlyError(Neo4jError, ReadOnlyError):
                    """A read-only run refused the statement before sending it (both error kinds)."""

                raise Neo4jReadOnlyError(reason)
        with self._errors():
            with self._session(write) as session:
                work = lambda tx: [r.data() for r in tx.run(cypher, params or {})]  # noqa: E731
                return session.execute_write(work) if write else session.execute_read(work)

    def search(self, text: str, *, limit: int = 10, kind: str | None = None) -> list[dict[str, Any]]:
        """Ranked full-text search through ``paper_text`` / ``name_text`` (query language of
        :mod:`graphkit.search`); rows ``{"kind", "key", "name", "score"}``, best first."""
        from graphkit.search import DEFAULT_FIELDS, KIND_LABELS, KINDS, SearchError, merge_ranked, parse, to_lucene

        if kind is not None and kind not in KINDS:
            raise SearchError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
        query = parse(text)
        log.debug("lucene query %r", to_lucene(query, DEFAULT_FIELDS))
        rows: list[dict[str, Any]] = []
        with self._errors():
            if kind in (None, "paper"):
                rows += self._read(
                    "CALL db.index.fulltext.queryNodes('paper_text', $q, {limit: $limit}) YIELD node, score "
                    "RETURN 'paper' AS kind, node.key AS key, node.title AS name, score",
                    {"q": to_lucene(query, DEFAULT_FIELDS), "limit": limit})
            for k in ("author", "term"):
                if kind not in (None, k) or query.fielded:  # field prefixes name paper fields
                    continue
                labels = [label.value for label in KIND_LABELS[k]]
                rows += self._read(
                    "CALL db.index.fulltext.queryNodes('name_text', $q) YIELD node, score "
                    "WHERE any(l IN labels(node) WHERE l IN $labels) "
                    "RETURN $kind AS kind, node.key AS key, node.name AS name, score "
                    "ORDER BY score DESC, key LIMIT $limit",
                    {"q": to_lucene(query), "labels": labels, "kind": k, "limit": limit})
        return merge_ranked(rows, limit)

    def counts(self) -> dict[str, int]:
        """Node counts by label and relationship counts by type (the keys of :meth:`Graph.counts`)."""
        out: dict[str, int] = {}
        with self._errors():
            for label in Label:
                out[label.value] = self._read(f"MATCH (n:{label.value}) RETURN count(n) AS c", {})[0]["c"]
            for type in RelType:
                out[type.value] = self._read(f"MATCH ()-[r:{type.value}]->() RETURN count(r) AS c", {})[0]["c"]
        return out

    def read_graph(self) -> Graph:
        """The stored graph (schema properties only) as a :class:`Graph`."""
        graph = Graph()
        with self._errors():
            for label in Label:
                names = [p for p in NODE_PROPERTIES[label] if p != "key"]
                for r in self._read(f"MATCH (n:{label.value}) RETURN n.key AS key, properties(n) AS props "
                                    "ORDER BY key", {}):
                    graph.add_node(label, r["key"], **{k: v for k, v in r["props"].items() if k in names})
            for type in RelType:
                start, end = ENDPOINTS[type]
                names = list(EDGE_PROPERTIES[type])
                for r in self._read(f"MATCH (a:{start.value})-[r:{type.value}]->(b:{end.value}) "
                                    "RETURN a.key AS s, b.key AS t, properties(r) AS props ORDER BY s, t", {}):
                    graph.add_edge(type, r["s"], r["t"], **{k: v for k, v in r["props"].items() if k in names})
        return graph

    def close(self) -> None:
        self._driver.close()

    def __enter__(self) -> Neo4jStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

