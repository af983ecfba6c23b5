"""graphkit demo: the main job end to end on the bundled sample data, with the embedded store."""

from __future__ import annotations

import click

from graphkit.cli._common import progress_bar, user_errors


def _cell(value) -> str:
    if isinstance(value, list):
        return "; ".join(str(v) for v in value[:5]) + (" ..." if len(value) > 5 else "")
    if isinstance(value, float):
        return f"{value:.3g}"
    return "" if value is None else str(value)


def _table(title: str, rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    columns = list(rows[0]) if rows else ["(no rows)"]
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    Console().print(table)


@click.command("demo")
@click.option("--out", "out_dir", default="graphkit-demo", show_default=True, type=click.Path(file_okay=False),
              help="Folder for the embedded store and every output.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bars.")
@user_errors
def demo_command(out_dir: str, quiet: bool) -> None:
    """Run the main job on the bundled sample: 213 real records on network science and the science of
    science (a Web of Science export and a PubMed export that overlap, plus the project's seed record).
    Ingest them into an embedded store, print the answers of a few canned queries (most prolific authors,
    their co-authors, the most cited papers, a chain of co-authorship) and a full-text search, and write
    a quality report, GraphML, RDF, VOSviewer, CSL-JSON and an HTML co-author map.

    No server is needed. The RDF export needs graphkit[rdf] and the map graphkit[viz]; without them the
    demo says so and writes the rest. Afterwards try e.g. `graphkit query --list --db graphkit-demo/graphkit.db`.
    """
    from graphkit.demo import run_demo

    with progress_bar(enabled=not quiet) as progress:
        result = run_demo(out_dir, progress=progress)
    counts = result.ingest.get("counts", {})
    click.echo(f"ingested {result.ingest.get('records')} records into {result.store}: "
               f"{counts.get('Paper', 0)} papers, {counts.get('Author', 0)} authors, "
               f"{counts.get('Journal', 0)} journals, {counts.get('Keyword', 0)} keywords, "
               f"{counts.get('MeshTerm', 0)} MeSH terms, {counts.get('CO_AUTHOR', 0)} co-author pairs")
    for name, params, rows in result.answers:
        shown = " ".join(f"-p {k}={v!r}" if isinstance(v, str) else f"-p {k}={v}" for k, v in params.items())
        _table(f"graphkit query {name} {shown}", rows)
    text, hits = result.search
    _table(f'graphkit search "{text}"', hits)
    click.echo("outputs:")
    for what, path in result.outputs.items():
        click.echo(f"  {what}: {path}")
    for what, why in result.skipped.items():
        click.echo(f"  skipped {what}: {why}")
    click.echo(f"store: {result.store} (use --db {result.store} with query, cypher, search, viz, export)")


COMMANDS = [demo_command]
