"""graphkit export: the one command for every export format (graph files, Neo4j import, RDF, VOSviewer,
CSL-JSON)."""

from __future__ import annotations

import click

from graphkit.cli._common import engine_options, progress_bar, store_options, user_errors
from graphkit.cli.graph import build_options

FORMATS = ("graphml", "gexf", "json", "neo4j-admin", "rdf", "vosviewer", "csl-json")
RDF_FORMATS = ("turtle", "nt", "jsonld", "xml")


@click.command("export")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--to", "to", type=click.Choice(FORMATS), required=True, help="Export format.")
@click.option("--out", type=click.Path(), required=True,
              help="Output file (a directory for neo4j-admin).")
@click.option("--rdf-format", type=click.Choice(RDF_FORMATS), default="turtle", show_default=True,
              help="RDF syntax for --to rdf.")
@click.option("--base", default=None, metavar="URL", help="Base IRI for --to rdf.")
@click.option("--network", type=click.Choice(("coauthors", "keywords", "terms")), default="coauthors",
              show_default=True, help="Which map --to vosviewer draws.")
@build_options
@engine_options
@store_options
@user_errors
def export_command(files: tuple[str, ...], to: str, out: str, rdf_format: str, base: str | None, network: str,
                   fmt: str, author_key: str, coauthor_cap: int, db: str | None, neo4j: str | None,
                   database: str | None) -> None:
    """Export the graph of FILES (or, without FILES, the stored graph) to a file format.

    \b
    --to graphml|gexf|json   networkx writers (json = node-link); every node has kind, label and its
                             properties, every edge its type; lists are ';'-joined where scalars are needed
    --to neo4j-admin         CSV files for 'neo4j-admin database import'
    --to rdf                 RDF (--rdf-format turtle|nt|jsonld|xml, --base URL)
    --to vosviewer           a VOSviewer JSON map (--network coauthors|keywords|terms; terms: keywords and
                             MeSH headings, a keyword mapped to a heading counted once)
    --to csl-json            the papers as CSL-JSON
    Without FILES the graph is read from the store (--db PATH, default ./graphkit.db, or --neo4j URI).
    """
    from graphkit.sinks import export

    if files:
        from graphkit.cli.graph import build

        graph = build(files, fmt, author_key, coauthor_cap).graph
    else:
        from graphkit.stores import open_store

        store = open_store(db, neo4j, database=database)
        try:
            graph = store.read_graph()
        finally:
            store.close()
    with progress_bar() as progress:
        summary = export(graph, to, out, progress=progress, rdf_format=rdf_format, base=base, network=network)
    details = ", ".join(f"{k} {v}" for k, v in summary.items() if k not in ("path", "format"))
    click.echo(f"wrote {summary.get('path', out)} ({to}{': ' + details if details else ''})", err=True)


COMMANDS = [export_command]
