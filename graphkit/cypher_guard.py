"""What a read-only ``graphkit cypher`` (no ``--write``) refuses before sending a statement to Neo4j.

A READ access-mode session makes the server reject writes to the graph, but some statements have side
effects in a read transaction too: ``LOAD CSV FROM 'http://...'`` fetches a URL, ``SHOW TRANSACTIONS ...
TERMINATE TRANSACTIONS`` aborts other users' work, ``SHOW USERS`` lists accounts, procedures such as
``db.clearQueryCaches()`` or APOC's ``apoc.load.*`` act on the server, and ``USE system`` reaches the
administration database. So without ``--write`` graphkit refuses, before anything is sent:

* write clauses (CREATE, MERGE, SET, DELETE, REMOVE, DROP, ALTER, FOREACH), with the hint to pass --write;
* ``LOAD CSV``;
* ``CALL`` of any procedure not in :data:`READ_PROCEDURES` (full-text queries, schema listings, waiting
  for indexes);
  ``CALL { ... }`` subqueries are Cypher, not procedures, and stay allowed;
* every administration command: ``SHOW`` anything but indexes and constraints, ``TERMINATE``,
  ``GRANT``/``DENY``/``REVOKE``, ``START``/``STOP``/``ENABLE``/``DEALLOCATE``/``REALLOCATE``/``RENAME``;
* ``USE`` (``--database NAME`` picks the database).

Strings, backtick-quoted names and comments are blanked out first, so a title containing "LOAD CSV"
is not refused; a backtick-quoted procedure name is refused (its name cannot be checked).
The embedded store has its own list (:func:`graphkit.sinks.embedded.write_clauses`) and opens its
database read-only.
"""

from __future__ import annotations

import re

from graphkit.model import GraphkitError

# Procedures that only read: full-text queries (graphkit search uses them) and schema listings.
READ_PROCEDURES = frozenset(name.lower() for name in (
    "db.index.fulltext.queryNodes", "db.index.fulltext.queryRelationships",
    "db.labels", "db.relationshipTypes", "db.propertyKeys", "db.awaitIndexes", "db.awaitIndex",
    "db.schema.visualization", "db.schema.nodeTypeProperties", "db.schema.relTypeProperties",
))

ALLOWED = "full-text queries (db.index.fulltext.*) and schema listings (db.labels, db.schema.*, ...)"

# string literals, backquoted names and comments (graphkit.cypher_compat uses it too)
LITERALS = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.DOTALL)
_WORD = r"(?<![.\w$])"  # a keyword, not part of a name or a property (n.set)
_WRITES = re.compile(_WORD + r"(CREATE|MERGE|DELETE|DETACH|SET|REMOVE|DROP|ALTER|FOREACH)(?!\w)", re.IGNORECASE)
_LOAD_CSV = re.compile(_WORD + r"LOAD\s+CSV\b", re.IGNORECASE)
# USE opens a query, a subquery or a UNION part ("use" elsewhere is a name)
_USE = re.compile(r"(?:^|[{;]|\bUNION(?:\s+ALL)?)\s*(?:(?:EXPLAIN|PROFILE)\s+)*USE\s+\S", re.IGNORECASE)
_CALL = re.compile(_WORD + r"CALL\b\s*(?P<name>[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)?\s*(?P<next>\S?)",
                   re.IGNORECASE)
_SHOW = re.compile(_WORD + r"SHOW\s+(?P<what>[^;]*)", re.IGNORECASE)
_SHOW_SCHEMA = re.compile(r"(?:(?:ALL|RANGE|FULLTEXT|TEXT|POINT|VECTOR|LOOKUP)\s+)?INDEX(?:ES)?\b"
                          r"|(?:(?:ALL|UNIQUE|UNIQUENESS|NODE|RELATIONSHIP|REL|EXIST|EXISTS|EXISTENCE|KEY|"
                          r"PROPERTY|TYPE)\s+)*CONSTRAINTS?\b", re.IGNORECASE)
# administration commands: a statement starting with one of these (after EXPLAIN/PROFILE/CYPHER options)
_ADMIN_START = re.compile(r"^\s*(?:(?:EXPLAIN|PROFILE)\s+|CYPHER(?:\s+\w+\s*=\s*\w+)*\s+)*"
                          r"(?P<word>GRANT|DENY|REVOKE|START|STOP|ENABLE|DEALLOCATE|REALLOCATE|RENAME|TERMINATE|"
                          r"DRYRUN)\b", re.IGNORECASE)
_TERMINATE = re.compile(_WORD + r"TERMINATE\s+TRANSACTIONS?\b", re.IGNORECASE)


class ReadOnlyError(GraphkitError):
    """A statement that a read-only run refuses."""


def strip_literals(cypher: str) -> str:
    """The statement with strings, backtick-quoted names and comments blanked out."""
    return LITERALS.sub(" ", cypher)


def read_only_refusal(cypher: str) -> str | None:
    """Why a read-only run must not send ``cypher`` (one line), or None when it may."""
    text = strip_literals(cypher)
    writes = sorted({m.group(1).upper() for m in _WRITES.finditer(text)})
    if writes:
        return f"the statement writes ({', '.join(writes)}); pass --write to allow it"
    if _LOAD_CSV.search(text):
        return "LOAD CSV reads files or URLs from the server; pass --write to allow it"
    for statement in text.split(";"):
        m = _ADMIN_START.match(statement)
        if m:
            return f"{m.group('word').upper()} is an administration command; graphkit cypher does not run those"
    if _TERMINATE.search(text):
        return "TERMINATE TRANSACTIONS is an administration command; graphkit cypher does not run those"
    for m in _SHOW.finditer(text):
        if not _SHOW_SCHEMA.match(m.group("what")):
            what = " ".join(m.group("what").split()[:2]).upper()
            return (f"SHOW {what} is an administration command; without --write only SHOW INDEXES and "
                    "SHOW CONSTRAINTS run")
    if _USE.search(text):
        return "USE switches databases; pick one with --database NAME instead"
    for m in _CALL.finditer(text):
        name = m.group("name")
        if name is None:
            if m.group("next") in ("{", "("):
                continue  # CALL { ... } / CALL (x) { ... }: a subquery
            return f"CALL of a quoted or unreadable procedure name; without --write only {ALLOWED} may be called"
        proc = re.sub(r"\s+", "", name)
        if proc.lower() not in READ_PROCEDURES:
            return f"CALL {proc}: without --write only {ALLOWED} may be called"
    return None


def check_read_only(cypher: str) -> None:
    """Raise :class:`ReadOnlyError` when a read-only run must not send ``cypher``."""
    reason = read_only_refusal(cypher)
    if reason:
        raise ReadOnlyError(reason)

