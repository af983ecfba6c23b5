"""graphkit export: the one command for every export format (graph files, Neo4j import, RDF, VOSviewer,
CSL-JSON)."""

from __future__ import annotations

import click

from graphkit.cli._common import engine_options, progress_bar, store_options, user_errors
from graphkit.cli.graph import build_options

FORMATS = ("graphml", "gexf", "json", "neo4j-admin", "parquet", "rdf", "vosviewer", "csl-json")
RDF_FORMATS = ("turtle", "nt", "jsonld", "xml")


# option -> the formats it applies to (given with another --to it is a usage error, not silently ignored)
FORMAT_OPTIONS = {"rdf_format": ("rdf",), "base": ("rdf",), "network": ("vosviewer",)}


@click.command("export")
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--to", "to", type=click.Choice(FORMATS), required=True, help="Export format.")
@click.option("--out", type=click.Path(), required=True,
              help="Output file (a directory for neo4j-admin and parquet), or a URL to upload it to: "
                   "s3://BUCKET/PATH, gs://..., hdfs://HOST:PORT/PATH, file:///PATH.")
@click.option("--rdf-format", type=click.Choice(RDF_FORMATS), default=None,
              help="RDF syntax for --to rdf [default: turtle].")
@click.option("--base", default=None, metavar="URL", help="Base IRI for --to rdf.")
@click.option("--network", type=click.Choice(("coauthors", "keywords", "terms", "institutions", "countries",
                                                  "cocitation", "coupling", "citation")),
              default=None, help="Which map --to vosviewer draws [default: coauthors]: co-citation of "
                                 "cited works, bibliographic coupling of papers and the direct citation "
                                 "network come from cited references.")
@click.option("--force", is_flag=True,
              help="Overwrite existing files graphkit did not write (and replace symbolic links).")
@build_options
@engine_options
@store_options
@user_errors
def export_command(files: tuple[str, ...], to: str, out: str, rdf_format: str | None, base: str | None,
                   network: str | None, force: bool, fmt: str, author_key: str, author_map: str | None,
                   coauthor_cap: int, db: str | None, neo4j: str | None, database: str | None) -> None:
    """Export the graph of FILES (or, without FILES, the stored graph) to a file format.

    \b
    --to graphml|gexf|json   networkx writers (json = node-link); every node has kind, label and its
                             properties, every edge its type and a unique id; lists are ';'-joined
                             where scalars are needed; CO_AUTHOR edges are undirected in GraphML/GEXF
    --to neo4j-admin         CSV files for 'neo4j-admin database import'
    --to parquet             the node and edge tables as Parquet (nodes_<Label>.parquet,
                             rels_<TYPE>.parquet: keys, endpoints and typed properties)
    --to rdf                 RDF (--rdf-format turtle|nt|jsonld|xml, --base URL)
    --to vosviewer           a VOSviewer JSON map (--network coauthors|keywords|terms|institutions|countries|
                             cocitation|coupling|citation; terms: keywords and MeSH headings, a keyword
                             mapped to a heading counted once; institutions, countries: organizations or
                             countries linked by shared papers; cocitation|coupling|citation: cited references)
    --to csl-json            the papers as CSL-JSON
    Without FILES the graph is read from the store (--db PATH, default ./graphkit.db, or --neo4j URI).

    Every file is written to a temporary file and renamed into place; symbolic links are never written
    through, and a file graphkit did not write is not overwritten without --force. With a URL as --out
    the export is written to a scratch directory (--work-dir) and uploaded; an existing remote file is
    replaced only with --force. A missing, empty or
    unreadable input file stops the export (exit 2) before anything is written.
    """
    from graphkit.sinks import check_export_target, export

    given = {"rdf_format": rdf_format, "base": base, "network": network}
    for name, value in given.items():
        if value is not None and to not in FORMAT_OPTIONS[name]:
            flag = "--" + name.replace("_", "-")
            raise click.UsageError(f"{flag} applies to --to {' / '.join(FORMAT_OPTIONS[name])}, not --to {to}")
    options = {k: v for k, v in given.items() if v is not None}
    check_export_target(to, out, force=force)  # refuse before the (possibly long) build
    empty: list[str] = []
    if files:
        from graphkit.cli.graph import build

        result, empty = build(files, fmt, author_key, coauthor_cap, author_map)
        graph = result.graph
    else:
        from graphkit.stores import open_store

        store = open_store(db, neo4j, database=database)
        try:
            graph = store.read_graph()
        finally:
            store.close()
    with progress_bar() as progress:
        summary = export(graph, to, out, progress=progress, force=force, **options)
    details = ", ".join(f"{k} {v}" for k, v in summary.items() if k not in ("path", "format"))
    click.echo(f"wrote {summary.get('path', out)} ({to}{': ' + details if details else ''})", err=True)
    if empty:
        raise SystemExit(1)


COMMANDS = [export_command]
