"""graphkit validate / graphkit sparql: check an RDF export against the shipped SHACL shapes, query it."""

from __future__ import annotations

import csv
import sys

import click

from graphkit.cli._common import check_inputs, progress_bar, user_errors

RDF_PARSE_FORMATS = ("turtle", "nt", "json-ld", "xml", "n3", "trig", "nquads")


@click.command("validate")
@click.argument("path", type=click.Path())
@click.option("--format", "rdf_format", type=click.Choice(RDF_PARSE_FORMATS), default=None,
              help="RDF syntax of PATH [default: from the suffix: .ttl .nt .jsonld .rdf].")
@click.option("--shapes", "shapes_path", type=click.Path(dir_okay=False, exists=True), default=None,
              help="SHACL shapes to use instead of the shipped ontologies/graphkit-shapes.ttl.")
@click.option("--max-examples", default=3, show_default=True, help="Focus nodes listed per violation group.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@user_errors
def validate_command(path: str, rdf_format: str | None, shapes_path: str | None, max_examples: int,
                     quiet: bool) -> None:
    """Check an RDF export (from 'graphkit export --to rdf') against graphkit's SHACL shapes.

    Runs pyshacl with the shipped shapes (one title per paper, DOI/ISSN/ORCID/MeSH IRI patterns, creators
    are persons, the author list holds exactly the creators, ...) and the graphkit ontology. Prints whether
    the file conforms and the violations grouped by shape, property and message with example nodes.
    Progress (parsing, then shape by shape) shows on stderr. Exit status 0 when it conforms, 1 when it
    does not, 2 when PATH is missing, unreadable or empty.
    """
    from graphkit.linked import validate

    check_inputs([path], detect=False)
    with progress_bar(not quiet) as progress:
        report = validate(path, rdf_format=rdf_format, shapes_path=shapes_path, progress=progress)
    click.echo(f"{path}: {report.triples} triples")
    if report.conforms:
        click.echo("conforms: yes")
        return
    groups = report.groups()
    click.echo(f"conforms: no - {len(report.violations)} result(s) in {len(groups)} group(s)")
    for shape, prop, message, count, examples in groups:
        where = f"{shape} {prop}".strip()
        click.echo(f"\n  {count:>6} x  {where}: {message}")
        for focus in examples[:max_examples]:
            click.echo(f"            e.g. {focus}")
    sys.exit(1)


def _list_queries() -> None:
    from graphkit.linked import shipped_queries

    for q in shipped_queries():
        params = " ".join(f"-p {n}=<{t}>" for n, (t, _) in q.params.items())
        click.echo(f"{q.path.stem:<30} {params}")
        click.echo(f"    {q.description}")


@click.command("sparql")
@click.argument("path", type=click.Path(), required=False)
@click.argument("query", required=False)
@click.option("-p", "--param", "params", multiple=True, metavar="NAME=VALUE",
              help="Query parameter (repeatable); declared in the query's '# param:' header.")
@click.option("--format", "rdf_format", type=click.Choice(RDF_PARSE_FORMATS), default=None,
              help="RDF syntax of PATH [default: from the suffix].")
@click.option("--csv", "as_csv", is_flag=True, help="Write CSV to stdout instead of a table.")
@click.option("--list", "list_queries", is_flag=True, help="List the shipped queries and exit.")
@user_errors
def sparql_command(path: str | None, query: str | None, params: tuple[str, ...], rdf_format: str | None,
                   as_csv: bool, list_queries: bool) -> None:
    """Run a SPARQL SELECT query (a .rq file or a shipped query name) on an RDF export.

    \b
    Shipped queries (queries/sparql/*.rq; see --list):
      coauthors                     -p author="Kaltsas, G."
      papers-under-mesh             -p descriptor="Liver Neoplasms"   (or a UI, D008113)
      papers-per-year-for-keyword   -p keyword="liver metastasis"
      top-keywords
    Parameters are bound with rdflib's initBindings, never pasted into the query text.
    """
    from graphkit.linked import run_sparql

    if list_queries:
        _list_queries()
        return
    if not path or not query:
        raise click.UsageError("give an RDF file and a query (a .rq file or a shipped name; see --list)")
    check_inputs([path], detect=False)
    values: dict[str, str] = {}
    for pair in params:
        if "=" not in pair:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="-p")
        name, value = pair.split("=", 1)
        values[name.strip()] = value  # typed by the query's '# param:' header, not guessed
    columns, rows = run_sparql(path, query, values, rdf_format=rdf_format)
    if as_csv:
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(*columns, show_lines=False)
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    console = Console(soft_wrap=False)
    console.print(table)
    click.echo(f"{len(rows)} row(s)", err=True)


COMMANDS = [validate_command, sparql_command]
