"""graphkit viz: an interactive HTML map (co-authors, topics, ego network, one paper, institution and country
collaboration), offline and self-contained."""

from __future__ import annotations

import click

from graphkit.analysis import DEFAULT_TOP, MAP_KINDS
from graphkit.cli._common import check_inputs, empty_reads, store_options, user_errors


def _load_graph(files: tuple[str, ...], db: str | None, neo4j: str | None, database: str | None):
    if files:
        from graphkit.build import build_from_files
        from graphkit.cli._common import records_per_file

        check_inputs(files)
        result = build_from_files(files)
        empty_reads(files, records_per_file(result))
        errors = sum(1 for d in result.diagnostics if d.severity == "error")
        if result.diagnostics:
            click.echo(f"{len(result.diagnostics)} diagnostic(s) while reading ({errors} error(s)); "
                       f"see 'graphkit parse' for details", err=True)
        return result.graph
    from graphkit.stores import open_store

    store = open_store(db, neo4j, database=database)
    try:
        return store.read_graph()
    finally:
        store.close()


@click.command("viz")
@click.argument("kind", metavar="coauthors|topics|ego|paper|citations|institutions|countries",
                type=click.Choice(MAP_KINDS))
@click.argument("files", nargs=-1, type=click.Path())
@click.option("--author", metavar="NAME", help="ego map: the author at the centre: any recorded form of the name (any case), an "
                   "ORCID or the key.")
@click.option("--term", metavar="TERM", help="ego map: the keyword or MeSH term at the centre.")
@click.option("--doi", metavar="DOI", help="paper map: the paper's DOI (bare, doi: or URL), PMID or key.")
@click.option("--top", type=click.IntRange(min=1), default=DEFAULT_TOP, show_default=True,
              help="Node budget: above it, keep the N nodes with the most papers, then the strongest links "
                   "(the page says so).")
@click.option("--depth", type=click.IntRange(min=1), default=None,
              help="ego map: how many links out from the centre [default: 2 for an author, 1 for a term].")
@click.option("--min-weight", type=click.IntRange(min=1), default=1, show_default=True,
              help="Drop links with fewer shared papers than this.")
@click.option("--since", type=int, metavar="YEAR", help="Only count papers from YEAR on.")
@click.option("--check-tags", is_flag=True, help="topics map: keep check tags (Humans, Female, ...).")
@click.option("--all-authors", "--all-terms", "all_authors", is_flag=True,
              help="co-author and ego maps: draw every shown author of a paper with more than 20 authors (by "
                   "default those with no other link on the map are counted in the paper's node, not drawn); "
                   "topic and term ego maps: draw every term, also when more than 12 come from one paper "
                   "alone (by default those are counted in one node for the paper).")
@store_options
@click.option("--out", "-o", required=True, type=click.Path(dir_okay=False), help="The HTML file to write.")
@user_errors
def viz_command(kind: str, files: tuple[str, ...], author: str | None, term: str | None, doi: str | None,
                top: int, depth: int | None, min_weight: int, since: int | None, check_tags: bool,
                all_authors: bool, db: str | None,
                neo4j: str | None, database: str | None, out: str) -> None:
    """Draw an interactive map as one self-contained HTML page that works offline.

    \b
    Maps:
      coauthors  authors sized by papers, linked by shared papers, coloured by community (Louvain);
                 a paper with more than 20 authors is one paper node linking them, not a clique
                 (its authors with no other link on the map are counted in it: --all-authors)
      topics     keywords and MeSH terms linked by co-occurrence (check tags left out by default);
                 more than 12 terms that only one paper carries are one node for that paper
                 (--all-terms draws them)
      ego        one author (--author) or term (--term) and its neighbourhood (--depth; default 2
                 links for an author, 1 for a term)
      paper      one paper (--doi) with its authors, journal, terms, its references (left) and
                 the papers citing it (right); its title in the side panel
      citations  historiograph: papers placed by year, arrows from citing to cited paper, sized by
                 citations inside the graph; the most-cited cited-only works (known only from
                 reference lists) in their own colour
      institutions  institutions sized by papers, linked by papers with addresses at both
      countries  countries sized by papers, linked by papers with addresses in both (collaboration)

    With FILE arguments the graph is built from those files; otherwise it is read from the store
    (--db PATH, default ./graphkit.db, or --neo4j URI). The page has a legend, a search box, tooltips,
    and opens a paper's DOI on click. Examples:

    \b
      graphkit viz coauthors refs.ris pubmed.nbib --out coauthors.html
      graphkit viz topics --since 2015 --min-weight 2 --out topics.html
      graphkit viz ego --author "Smith, J" --out smith.html
      graphkit viz citations savedrecs.txt --top 40 --out historiograph.html
      graphkit viz countries savedrecs.txt --min-weight 2 --out countries.html
    """
    from graphkit.sinks.html import write_map

    graph = _load_graph(files, db, neo4j, database)
    summary = write_map(graph, kind, out, author=author, term=term, doi=doi, top=top, min_weight=min_weight,
                        since=since, include_check_tags=check_tags, depth=depth, fold=not all_authors)
    click.echo(f"wrote {summary['path']}: {summary['summary']}")


COMMANDS = [viz_command]
