"""graphkit: bibliographic exports in, a knowledge graph of papers, authors, journals and terms out.

The data flow is visible in the package layout::

    readers/  (one module per input format)  -> Record, Diagnostic
    resolve/  (identity of papers, authors, journals, terms) -> Graph
    graph.py  (the one model every sink reads)
    sinks/    (neo4j, embedded, rdf, files, html)
"""

__version__ = "0.1.0"

from graphkit.model import Diagnostic, JournalRef, MeshRef, Person, Record, Source

__all__ = ["Diagnostic", "JournalRef", "MeshRef", "Person", "Record", "Source", "__version__"]
