"""graphkit: bibliographic exports in, a knowledge graph of papers, authors, journals and terms out.

From Python (docs/python-api.md)::

    import graphkit

    kg = graphkit.build(["refs.ris", "pubmed.nbib"])       # a KnowledgeGraph in memory
    kg.table("Author"); kg.coauthor_network(); kg.report

    with graphkit.open("graphkit.db") as store:             # or a bolt:// / neo4j:// URI
        store.ingest(["refs.ris"])
        store.query("prolific-authors", limit=10)           # pandas DataFrames

The data flow is visible in the package layout::

    readers/  (one module per input format)  -> Record, Diagnostic
    resolve/  (identity of papers, authors, journals, terms) -> Graph
    graph.py  (the one model every sink reads)
    sinks/    (neo4j, embedded, rdf, files, html)
"""

__version__ = "0.1.0"

from graphkit import compiled as _compiled

_compiled.install()  # compiled copies of the hot modules, when `graphkit compile` made them (else nothing)


from graphkit.api import (
    GraphStore,
    KnowledgeGraph,
    Records,
    Report,
    build,
    open,
    queries,
    read,
    records_dataframe,
    sample_files,
)
from graphkit.errors import (
    GraphkitError,
    MissingExtraError,
    Neo4jAuthError,
    Neo4jError,
    Neo4jFeatureError,
    Neo4jUnavailableError,
    QueryError,
    ReadError,
    ReadOnlyError,
    SearchError,
    StoreError,
    StoreLockedError,
    UnsupportedFormatError,
)
from graphkit.model import Diagnostic, JournalRef, MeshRef, Person, Record, Source

__all__ = [
    "Diagnostic",
    "GraphStore",
    "GraphkitError",
    "JournalRef",
    "KnowledgeGraph",
    "MeshRef",
    "MissingExtraError",
    "Neo4jAuthError",
    "Neo4jError",
    "Neo4jFeatureError",
    "Neo4jUnavailableError",
    "Person",
    "QueryError",
    "ReadError",
    "ReadOnlyError",
    "Record",
    "Records",
    "Report",
    "SearchError",
    "Source",
    "StoreError",
    "StoreLockedError",
    "UnsupportedFormatError",
    "__version__",
    "build",
    "open",
    "queries",
    "read",
    "records_dataframe",
    "sample_files",
]
