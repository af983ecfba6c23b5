"""Working with an RDF export: the shipped ontology and shapes, SHACL validation, canned SPARQL queries.

The ontology (``ontologies/graphkit.ttl``), the SHACL shapes (``ontologies/graphkit-shapes.ttl``) and the
SPARQL examples (``queries/sparql/*.rq``) ship inside the package and load without network.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphkit.model import GraphkitError

log = logging.getLogger(__name__)

PACKAGE_DIR = Path(__file__).resolve().parent
ONTOLOGY_PATH = PACKAGE_DIR / "ontologies" / "graphkit.ttl"
SHAPES_PATH = PACKAGE_DIR / "ontologies" / "graphkit-shapes.ttl"
SPARQL_DIR = PACKAGE_DIR / "queries" / "sparql"

# file suffix -> rdflib parser name
PARSERS: dict[str, str] = {
    ".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".ntriples": "nt", ".n3": "n3",
    ".jsonld": "json-ld", ".json": "json-ld", ".rdf": "xml", ".xml": "xml", ".owl": "xml", ".trig": "trig",
    ".nq": "nquads",
}


def load_rdf(path: str | Path, rdf_format: str | None = None):
    """Parse an RDF file into an rdflib Graph; the format comes from the suffix unless given."""
    import rdflib

    path = Path(path)
    if not path.is_file():
        raise GraphkitError(f"{path}: no such file")
    fmt = rdf_format or PARSERS.get(path.suffix.lower())
    if fmt is None:
        raise GraphkitError(f"{path}: cannot tell the RDF format from the suffix; pass --format "
                            f"({', '.join(sorted(set(PARSERS.values())))})")
    g = rdflib.Graph()
    try:
        g.parse(path, format=fmt)
    except Exception as exc:  # noqa: BLE001 - any parser error is bad data
        raise GraphkitError(f"{path}: not valid {fmt}: {' '.join(str(exc).split())[:300]}") from None
    return g


def ontology():
    """The graphkit OWL ontology as an rdflib Graph."""
    return load_rdf(ONTOLOGY_PATH, "turtle")


def shapes():
    """The graphkit SHACL shapes as an rdflib Graph."""
    return load_rdf(SHAPES_PATH, "turtle")


# ---------------------------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------------------------

@dataclass(slots=True)
class Violation:
    shape: str
    path: str | None
    message: str
    focus: str
    severity: str


@dataclass(slots=True)
class ValidationReport:
    conforms: bool
    triples: int
    violations: list[Violation] = field(default_factory=list)

    def groups(self) -> list[tuple[str, str, str, int, list[str]]]:
        """(shape, path, message, count, up to 3 example focus nodes), most frequent first."""
        counts: Counter[tuple[str, str, str]] = Counter()
        examples: dict[tuple[str, str, str], list[str]] = {}
        for v in self.violations:
            k = (v.shape, v.path or "", v.message)
            counts[k] += 1
            ex = examples.setdefault(k, [])
            if len(ex) < 3:
                ex.append(v.focus)
        return [(s, p, m, n, examples[(s, p, m)]) for (s, p, m), n in counts.most_common()]


def _short(term: Any, nm) -> str:
    if term is None:
        return ""
    try:
        text = term.n3(nm)
    except Exception:  # noqa: BLE001
        text = str(term)
    return text


def validate(path: str | Path, *, rdf_format: str | None = None, shapes_path: str | Path | None = None,
             data=None) -> ValidationReport:
    """Validate an RDF export against the shipped SHACL shapes (ontology as the ontology graph)."""
    try:
        import pyshacl
    except ImportError:  # pyshacl is in the "rdf" extra
        raise GraphkitError("graphkit validate needs the optional dependency 'pyshacl': "
                            "pip install 'graphkit[rdf]'") from None
    from rdflib import BNode
    from rdflib.namespace import RDF, SH

    g = data if data is not None else load_rdf(path, rdf_format)
    sg = load_rdf(shapes_path, None) if shapes_path else shapes()
    conforms, results, _text = pyshacl.validate(
        g, shacl_graph=sg, ont_graph=ontology(), inference="none", advanced=True, allow_warnings=True,
        meta_shacl=False, abort_on_first=False)
    report = ValidationReport(bool(conforms), len(g))
    nm = g.namespace_manager
    for prefix, ns in sg.namespace_manager.namespaces():
        nm.bind(prefix, ns, override=False)
    for result in results.subjects(RDF.type, SH.ValidationResult):
        shape = results.value(result, SH.sourceShape)
        if isinstance(shape, BNode):  # a property shape: name it by its node shape
            parent = sg.value(None, SH.property, shape)
            shape = parent if parent is not None else shape
        shape_name = _short(shape, nm) if not isinstance(shape, BNode) else "(anonymous shape)"
        messages = sorted(str(m) for m in results.objects(result, SH.resultMessage))
        severity = results.value(result, SH.resultSeverity)
        report.violations.append(Violation(
            shape=shape_name,
            path=_short(results.value(result, SH.resultPath), nm) or None,
            message=messages[0] if messages else "",
            focus=_short(results.value(result, SH.focusNode), nm),
            severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation"))
    report.violations.sort(key=lambda v: (v.shape, v.path or "", v.message, v.focus))
    return report


# ---------------------------------------------------------------------------------------------------------
# SPARQL
# ---------------------------------------------------------------------------------------------------------

HEADER_RE = re.compile(r"^#\s*(name|description|param)\s*:\s*(.*)$")
PARAM_RE = re.compile(r"^(\w+)\s*(?:\((\w+)\))?\s*(?:example:\s*(.*))?$")


@dataclass(slots=True)
class SparqlQuery:
    name: str
    description: str
    text: str
    params: dict[str, tuple[str, str | None]]  # name -> (type, example)
    path: Path


def parse_query(path: str | Path) -> SparqlQuery:
    """Read a .rq file with its ``# name:`` / ``# description:`` / ``# param: NAME (TYPE) example: X`` header."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    name, description, params = path.stem, "", {}
    for line in text.splitlines():
        m = HEADER_RE.match(line.strip())
        if not m:
            continue
        kind, value = m.group(1), m.group(2).strip()
        if kind == "name":
            name = value
        elif kind == "description":
            description = (description + " " + value).strip()
        else:
            pm = PARAM_RE.match(value)
            if pm:
                params[pm.group(1)] = ((pm.group(2) or "string").lower(), (pm.group(3) or "").strip() or None)
    return SparqlQuery(name, description, text, params, path)


def shipped_queries() -> list[SparqlQuery]:
    return [parse_query(p) for p in sorted(SPARQL_DIR.glob("*.rq"))]


def find_query(name_or_path: str | Path) -> SparqlQuery:
    """A .rq file by path, or a shipped query by name (file stem or ``# name:``)."""
    path = Path(name_or_path)
    if path.is_file():
        return parse_query(path)
    for q in shipped_queries():
        if str(name_or_path) in (q.name, q.path.stem):
            return q
    known = ", ".join(q.path.stem for q in shipped_queries())
    raise GraphkitError(f"{name_or_path}: no such query file or shipped query (shipped: {known})")


def _bind(value: Any, type_name: str):
    from rdflib import Literal, URIRef
    from rdflib.namespace import XSD

    if type_name in ("iri", "uri"):
        return URIRef(str(value))
    if type_name in ("int", "integer"):
        try:
            return Literal(int(value))
        except ValueError:
            raise GraphkitError(f"expected an integer, got {value!r}") from None
    if type_name in ("year", "gyear"):
        return Literal(f"{int(value):04d}", datatype=XSD.gYear)
    if type_name in ("bool", "boolean"):
        return Literal(str(value).lower() in ("1", "true", "yes"))
    return Literal(str(value))


def run_sparql(data_path: str | Path, query: str | Path | SparqlQuery, params: dict[str, Any] | None = None,
               *, rdf_format: str | None = None, data=None) -> tuple[list[str], list[list[Any]]]:
    """Run a SELECT query on an RDF file; returns (column names, rows of Python values).

    ``params`` are bound with rdflib's initBindings, typed by the query's ``# param:`` header (string by
    default); a declared parameter without a value takes its example.
    """
    from rdflib.query import ResultRow

    q = query if isinstance(query, SparqlQuery) else find_query(query)
    params = dict(params or {})
    unknown = set(params) - set(q.params)
    if unknown and q.params:
        raise GraphkitError(f"query {q.name} has no parameter(s) {', '.join(sorted(unknown))}; "
                            f"it takes: {', '.join(q.params)}")
    bindings = {}
    for name, (type_name, example) in q.params.items():
        value = params.get(name, example)
        if value is None:
            raise GraphkitError(f"query {q.name} needs -p {name}=VALUE")
        bindings[name] = _bind(value, type_name)
    for name in unknown:
        bindings[name] = _bind(params[name], "string")
    g = data if data is not None else load_rdf(data_path, rdf_format)
    try:
        result = g.query(q.text, initBindings=bindings)
    except Exception as exc:  # noqa: BLE001 - a broken query file is a user error
        raise GraphkitError(f"{q.path}: {' '.join(str(exc).split())[:300]}") from None
    if result.type != "SELECT":
        raise GraphkitError(f"{q.path}: only SELECT queries are supported (got {result.type})")
    columns = [str(v) for v in result.vars or []]
    rows: list[list[Any]] = []
    for row in result:
        assert isinstance(row, ResultRow)
        rows.append([_py(v) for v in row])
    return columns, rows


def _py(term: Any) -> Any:
    """A result cell as a plain Python value: IRIs and years as strings, numbers and booleans as such."""
    from rdflib import Literal

    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return value if isinstance(value, (int, float, bool, str)) else str(term)
    return str(term)
