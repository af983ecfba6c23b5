"""Canned Cypher queries: ``queries/*.cypher``, one file per query, shipped in the package.

Each file starts with ``//`` header lines::

    // name: co-authors
    // description: Co-authors of an author, with shared-paper counts and years.
    // param: author (string) example: "Grozinsky-Glasberg, S." -- optional help text
    // param: limit (int) default: 25
    // unordered: journals          (list columns whose element order means nothing; sorted on output)

The body may be several statements, each ending in ``;`` but the last: the last row each earlier
statement returns gives parameters to the later ones (:func:`split_steps`). A parameter with a
``default`` is optional; one with only an ``example`` must be given. Types are
``string``, ``int``, ``float``, ``bool``. The same file runs on every store; where portable Cypher is
impossible a variant ``NAME.<dialect>.cypher`` (e.g. ``collaboration-path.ladybug.cypher``) sits beside
it and is picked for stores of that dialect.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphkit.model import GraphkitError

log = logging.getLogger(__name__)

QUERY_DIR = Path(__file__).resolve().parent / "queries"
# parameters that name a node, by name -> the lookup kind (graphkit.lookup): what the user typed (any
# case, any recorded variant, an ORCID, a DOI URL, an ISSN ...) becomes the node's key before the query runs
LOOKUP_PARAMS: dict[str, str] = {
    "author": "author", "from": "author", "to": "author", "paper": "paper", "journal": "journal",
    "keyword": "keyword", "heading": "mesh",
}
DIALECTS = ("neo4j", "ladybug")
TYPES = {"string": str, "int": int, "float": float, "bool": bool}

_HEADER = re.compile(r"^//\s*(\w+)\s*:\s*(.*?)\s*$")
_PARAM = re.compile(r"^(?P<name>\w+)\s*\((?P<type>\w+)\)"
                    r"(?:\s+(?P<kind>example|default)\s*:\s*(?P<value>\"(?:[^\"\\]|\\.)*\"|[^\s\"]+))?"
                    r"(?:\s*--\s*(?P<help>.*))?$")


class QueryError(GraphkitError):
    """An unknown query, a bad query file or missing/ill-typed parameters."""


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    type: str
    example: Any = None
    default: Any = None
    required: bool = True
    help: str = ""


@dataclass(slots=True)
class Query:
    name: str
    description: str
    params: list[Param]
    cypher: str
    path: Path
    variants: dict[str, str] = field(default_factory=dict)  # dialect -> cypher
    unordered: tuple[str, ...] = ()

    def text_for(self, dialect: str) -> str:
        """The Cypher this query runs on a store of ``dialect``."""
        return self.variants.get(dialect, self.cypher)

    def steps_for(self, dialect: str) -> list[str]:
        """The statements this query runs on a store of ``dialect``, in order (see :func:`split_steps`)."""
        return split_steps(self.text_for(dialect))

    def example_params(self) -> dict[str, Any]:
        """Every parameter at its example (or default) value."""
        return {p.name: p.example if p.example is not None else p.default for p in self.params}

    def bind(self, given: dict[str, Any]) -> dict[str, Any]:
        """Check and complete parameters: unknown names and missing required ones are errors,
        values are converted to the declared type, defaults fill the rest."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(given) - set(known))
        if unknown:
            raise QueryError(f"query {self.name!r} has no parameter {', '.join(unknown)}; "
                             f"it takes: {', '.join(known) or 'none'}")
        out: dict[str, Any] = {}
        for p in self.params:
            if p.name in given:
                out[p.name] = convert(given[p.name], p)
            elif p.required:
                raise QueryError(f"query {self.name!r} needs -p {p.name}=... ({p.type}), "
                                 f"e.g. -p {p.name}={format_value(p.example)}")
            else:
                out[p.name] = p.default
        return out

    def ordered(self) -> bool:
        """Whether the result has a defined order (an ORDER BY in every variant)."""
        return all(re.search(r"\bORDER\s+BY\b", text, re.IGNORECASE)
                   for text in (self.cypher, *self.variants.values()))


def split_steps(text: str) -> list[str]:
    """A query body's statements: a line ending in ``;`` ends a step. The columns of the last row a
    step returns become parameters of the steps after it (a step returning no row ends the query with
    no rows): a value computed in a cheap first statement is then a constant for the planner of the
    next (LadybugDB does not push a value carried by ``WITH`` into a scan filter). Numbers are written
into the later steps as literals, other values passed as parameters."""
    steps, current = [], []
    for line in text.splitlines():
        if line.rstrip().endswith(";"):
            current.append(line.rstrip()[:-1])
            steps.append("\n".join(current).strip())
            current = []
        else:
            current.append(line)
    last = "\n".join(current).strip()
    if last:
        steps.append(last)
    return [step for step in steps if step]


def convert(value: Any, param: Param) -> Any:
    cast = TYPES[param.type]
    if isinstance(value, cast) and not (cast is int and isinstance(value, bool)):
        return value
    text = str(value)
    try:
        if cast is bool:
            if text.lower() in ("true", "1", "yes"):
                return True
            if text.lower() in ("false", "0", "no"):
                return False
            raise ValueError(text)
        return cast(text)
    except ValueError:
        raise QueryError(f"parameter {param.name!r} must be {param.type}, got {value!r}") from None


def format_value(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False) if re.search(r"\s|\"", value) else value
    return json.dumps(value)


def parse_query_file(path: Path) -> Query:
    """Read one query file's header and body."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    params: list[Param] = []
    unordered: tuple[str, ...] = ()
    body_lines = []
    in_header = True
    for number, line in enumerate(text.splitlines(), start=1):
        m = _HEADER.match(line) if in_header else None
        if m is None:
            if line.strip() and not line.lstrip().startswith("//"):
                in_header = False
            if not in_header:
                body_lines.append(line)
            continue
        key, value = m.group(1), m.group(2)
        if key == "param":
            params.append(_parse_param(value, path, number))
        elif key == "unordered":
            unordered = tuple(c.strip() for c in value.split(",") if c.strip())
        else:
            header[key] = value
    for needed in ("name", "description"):
        if needed not in header:
            raise QueryError(f"{path}: header line '// {needed}: ...' is missing")
    return Query(header["name"], header["description"], params, "\n".join(body_lines).strip(), path,
                 unordered=unordered)


def _parse_param(spec: str, path: Path, line: int) -> Param:
    m = _PARAM.match(spec)
    if m is None or m.group("type") not in TYPES:
        raise QueryError(f"{path}:{line}: bad param line {spec!r}; "
                         "expected 'NAME (string|int|float|bool) example|default: VALUE -- help'")
    kind, raw = m.group("kind"), m.group("value")
    value = None
    if raw is not None:
        value = json.loads(raw) if raw.startswith('"') else raw
        value = convert(value, Param(m.group("name"), m.group("type")))
    return Param(m.group("name"), m.group("type"), example=value if kind == "example" else None,
                 default=value if kind == "default" else None, required=kind != "default",
                 help=(m.group("help") or "").strip())


def load_queries(directory: Path = QUERY_DIR) -> dict[str, Query]:
    """All canned queries by name, with their per-dialect variants attached."""
    queries: dict[str, Query] = {}
    variants: list[tuple[str, Path]] = []
    for path in sorted(directory.glob("*.cypher")):
        stem = path.name[: -len(".cypher")]
        base, _, dialect = stem.rpartition(".")
        if base and dialect in DIALECTS:
            variants.append((dialect, path))
            continue
        query = parse_query_file(path)
        if query.name in queries:
            raise QueryError(f"{path}: query name {query.name!r} is used twice")
        queries[query.name] = query
    for dialect, path in variants:
        variant = parse_query_file(path)
        if variant.name not in queries:
            raise QueryError(f"{path}: variant of unknown query {variant.name!r}")
        main = queries[variant.name]
        if [p.name for p in variant.params] != [p.name for p in main.params]:
            raise QueryError(f"{path}: parameters differ from {main.path.name}")
        main.variants[dialect] = variant.cypher
    return queries


def get_query(name: str, directory: Path = QUERY_DIR) -> Query:
    queries = load_queries(directory)
    try:
        return queries[name]
    except KeyError:
        raise QueryError(f"no canned query {name!r}; `graphkit query --list` shows: "
                         f"{', '.join(sorted(queries))}") from None


def run_query(store: Any, name: str | Query, params: dict[str, Any] | None = None, *,
              notes: list[str] | None = None) -> list[dict[str, Any]]:
    """Run a canned query on a store (its dialect picks the variant); rows as dicts.

    Parameters naming an author, paper, journal, keyword or MeSH term (:data:`LOOKUP_PARAMS`) are
    resolved to node keys first (:mod:`graphkit.lookup`): an unknown or ambiguous name raises a
    :class:`graphkit.lookup.LookupError`; when one of several matches was taken, the note is appended
    to ``notes``. List cells named in the query's ``unordered`` header are sorted, so both stores print
    the same.
    """
    from graphkit.lookup import resolve_params

    query = name if isinstance(name, Query) else get_query(name)
    bound = query.bind(params or {})
    names = {p.name for p in query.params}
    resolved = resolve_params(store, bound, {k: v for k, v in LOOKUP_PARAMS.items() if k in names})
    bound = resolved.params
    if notes is not None:
        notes.extend(resolved.notes)
    steps = query.steps_for(store.dialect)
    for i in range(len(steps) - 1):  # by index: a step sees the literals written into it by earlier ones
        found = store.run(steps[i], bound)
        if not found:
            return []
        for column, value in found[-1].items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                # a number the store computed, written into the later steps as a literal: LadybugDB
                # prunes a scan by `x >= 664` but not by `x >= $cut` (1 ms against 11 ms on 138k keywords)
                steps[i + 1:] = [re.sub(rf"\${column}\b", repr(value), s) for s in steps[i + 1:]]
            else:
                bound[column] = value
    rows = store.run(steps[-1], bound)
    for row in rows:
        for column in query.unordered:
            if isinstance(row.get(column), list):
                row[column] = sorted(row[column], key=lambda v: (v is None, str(v)))
    return rows
