"""Every error graphkit raises for the user, in one hierarchy (the CLI prints each as one line).

::

    GraphkitError                      base: catch this to handle any graphkit failure
    ├── ReadError                      a file cannot be read (missing, or errors with ``strict=True``)
    ├── UnsupportedFormatError         a file in a format graphkit does not read
    ├── QueryError                     unknown canned query, bad or missing parameters
    ├── SearchError                    a malformed full-text search
    ├── StoreError                     the embedded store is missing, damaged, not ours or refused a statement
    │   └── StoreLockedError           another process writes the store (after --wait)
    ├── ReadOnlyError                  cypher without --write refused a statement before sending it
    ├── Neo4jError                     Neo4j refused or failed
    │   ├── Neo4jAuthError             wrong credentials (NEO4J_USER / NEO4J_PASSWORD)
    │   ├── Neo4jUnavailableError      no server at the URI
    │   └── Neo4jFeatureError          server too old, no such database
    └── MissingExtraError              an optional dependency is not installed; names the extra

The classes live next to the code that raises them; this module gathers them so they can be imported
from one place (``from graphkit.errors import StoreError``, or ``graphkit.StoreError``).

Optional dependencies: the base install reads, resolves, stores (embedded), queries, searches and writes
GraphML/GEXF/JSON. Neo4j, the HTML maps, RDF and SHACL validation need extras; :data:`EXTRAS` maps each
optional top-level module to the extra that installs it, and :func:`missing_extra` turns the
``ModuleNotFoundError`` of such a module into a :class:`MissingExtraError` that says what to install.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from graphkit.compiled import CompileError
from graphkit.model import GraphkitError, UnsupportedFormatError
from graphkit.queries import QueryError
from graphkit.search import SearchError
from graphkit.cypher_guard import ReadOnlyError
from graphkit.sinks.embedded import StoreError
from graphkit.store_lock import StoreLockedError
from graphkit.sinks.neo4j import Neo4jAuthError, Neo4jError, Neo4jFeatureError, Neo4jUnavailableError

# optional top-level module -> (extra that installs it, what needs it)
EXTRAS: dict[str, tuple[str, str]] = {
    "neo4j": ("neo4j", "a Neo4j store (--neo4j URI)"),
    "pyvis": ("viz", "the HTML maps (graphkit viz)"),
    "scipy": ("viz", "the HTML map layout (graphkit viz)"),
    "rdflib": ("rdf", "RDF export, validation and SPARQL"),
    "pyshacl": ("rdf", "SHACL validation (graphkit validate)"),
    "Cython": ("fast", "compiling the hot modules (graphkit compile)"),
}


class ReadError(GraphkitError):
    """A file could not be read: it does not exist, or (with ``strict=True``) a reader reported errors."""


class MissingExtraError(GraphkitError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""

    def __init__(self, module: str, extra: str, what: str) -> None:
        super().__init__(f"{what} needs the optional dependency {module!r}: pip install 'graphkit[{extra}]'")
        self.module = module
        self.extra = extra


def missing_extra(exc: ImportError) -> MissingExtraError | None:
    """The MissingExtraError for an ImportError of an optional module, or None if it is not one."""
    name = (getattr(exc, "name", None) or "").split(".")[0]
    if name not in EXTRAS:
        return None
    extra, what = EXTRAS[name]
    return MissingExtraError(name, extra, what)


@contextmanager
def needs_extras() -> Iterator[None]:
    """Turn an ImportError of an optional module inside the block into a :class:`MissingExtraError`."""
    try:
        yield
    except MissingExtraError:
        raise
    except ImportError as exc:
        err = missing_extra(exc)
        if err is None:
            raise
        raise err from None


__all__ = [
    "EXTRAS", "CompileError", "GraphkitError", "MissingExtraError", "Neo4jAuthError", "Neo4jError", "Neo4jFeatureError",
    "Neo4jUnavailableError", "QueryError", "ReadError", "ReadOnlyError", "SearchError", "StoreError",
    "StoreLockedError", "UnsupportedFormatError",
    "missing_extra", "needs_extras",
]
