"""graphkit's co-citation network next to metaknowledge's on the same WoS file, with every difference
traced to the reference strings that cause it.

    python bench/cites_peer.py [FILE.txt ...]      # default: the corpus's WoS files with CR fields

Installs nothing itself: ``pip install metaknowledge`` (3.4.1, GPL-2.0; used here only as the peer to
compare with). For each file: references read, distinct cited works and co-citation pairs (weight = papers
citing both) in each tool, then the two reasons the networks differ, counted reference by reference:

- works **metaknowledge merges and graphkit keeps apart**: metaknowledge identifies a cited work by
  ``Author, year, SOURCE`` (``Citation.ID()``), without volume and page, so two papers of one author in
  one journal and year become one node; graphkit keys by DOI, else author|year|volume|page;
- works **graphkit merges and metaknowledge keeps apart**: spelling variants of one work
  (``Erdos P.`` / ``ERDOS P``, a DOI given in one reference and not the other, an abbreviated vs a full
  source title, a reference to a paper of the file) that graphkit resolves to one key.

Writes ``bench/out/cites-peer.md`` and prints it.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CORPUS = ROOT.parent / "shared" / "corpus"
DEFAULT = ["wos/metaknowledge__savedrecs.txt", "wos/bibliometrix__performance_soccer.txt"]


def graphkit_side(path: Path):
    """Per citing record (in file order): the graphkit key of each reference, and the graph's counts."""
    from graphkit.build import build_from_files
    from graphkit.citations.extension import _identities, _PaperIndex, _Works
    from graphkit.citations.extract import references_of
    from graphkit.model import Record
    from graphkit.readers import read
    from graphkit.schema import RelType

    result = build_from_files([path])
    graph = result.graph
    index = _PaperIndex(graph)
    works = _Works()
    records = [r for r in read(path) if isinstance(r, Record)]
    per_record: list[list[tuple[str, str | None]]] = []
    titles = [" ".join((r.title or "").lower().split()) for r in records]
    pending = []
    for rec in records:
        row = []
        for ref in references_of(rec):
            target, _ = index.resolve(ref)
            if target is None:
                ids = _identities(ref)
                if ids:
                    pending.append((len(per_record), len(row), works.add(ids)))
            row.append((ref.raw, target))
        per_record.append(row)
    keys = works.keys()
    for i, j, slot in pending:
        raw, _ = per_record[i][j]
        per_record[i][j] = (raw, keys[slot])
    pairs: Counter = Counter()
    for e_src, targets in _targets(graph, RelType.CITES).items():
        for a, b in combinations(sorted(targets), 2):
            pairs[(a, b)] += 1
    return dict(zip(titles, per_record)), pairs


def _targets(graph, rel) -> dict[str, set[str]]:
    out: dict[str, set[str]] = defaultdict(set)
    for e in graph.edges(rel):
        out[e["source"]].add(e["target"])
    return out


def metaknowledge_side(path: Path):
    import metaknowledge as mk

    rc = mk.RecordCollection(str(path))
    per_record = {}
    for rec in rc:
        cites = rec.get("citations") or []
        per_record[" ".join((rec.get("title") or "").lower().split())] = [(c.original, c.ID()) for c in cites]
    g = rc.networkCoCitation()
    pairs = {tuple(sorted((a, b))): d.get("weight", 1) for a, b, d in g.edges(data=True)}
    return per_record, pairs, g.number_of_nodes()


def compare(path: Path) -> list[str]:
    gk, gk_pairs = graphkit_side(path)
    mk_refs, mk_pairs, mk_nodes = metaknowledge_side(path)
    # align references: records by title, references by their original text
    gk_of_mk: dict[str, set[str]] = defaultdict(set)
    mk_of_gk: dict[str, set[str]] = defaultdict(set)
    aligned = unaligned = 0
    for title, m_row in mk_refs.items():
        g_keys = {raw: key for raw, key in gk.get(title, [])}
        for original, mid in m_row:
            key = g_keys.get(original)
            if key is None:
                unaligned += 1
                continue
            aligned += 1
            gk_of_mk[mid].add(key)
            mk_of_gk[key].add(mid)
    gk_keys = {k for row in gk.values() for _, k in row if k}
    refs = sum(len(r) for r in gk.values())
    mk_merges = {m: ks for m, ks in gk_of_mk.items() if len(ks) > 1}
    gk_merges = {k: ms for k, ms in mk_of_gk.items() if len(ms) > 1}
    lines = [f"### {path.name}", "",
             "| | graphkit | metaknowledge 3.4.1 |", "|---|---:|---:|",
             f"| references read | {refs:,} | {sum(len(r) for r in mk_refs.values()):,} |",
             f"| distinct cited works | {len(gk_keys):,} | {mk_nodes:,} |",
             f"| co-citation pairs | {len(gk_pairs):,} | {len(mk_pairs):,} |",
             f"| sum of pair weights | {sum(gk_pairs.values()):,} | {sum(mk_pairs.values()):,} |", "",
             f"References traced in both tools (same record, same reference text): {aligned:,}; "
             f"not traced: {unaligned:,}.", "",
             f"- metaknowledge ids that graphkit splits into several works: **{len(mk_merges)}** "
             f"(covering {sum(len(v) for v in mk_merges.values())} graphkit works). Examples:"]
    for mid, ks in sorted(mk_merges.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:4]:
        lines.append(f"  - `{mid}` = {', '.join(f'`{k}`' for k in sorted(ks)[:4])}")
    lines.append(f"- graphkit works that metaknowledge splits into several ids: **{len(gk_merges)}** "
                 f"(covering {sum(len(v) for v in gk_merges.values())} metaknowledge ids). Examples:")
    for key, ms in sorted(gk_merges.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:4]:
        lines.append(f"  - `{key}` = {', '.join(f'`{m}`' for m in sorted(ms)[:4])}")
    top_gk = sorted(gk_pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    top_mk = sorted(mk_pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    lines += ["", "Strongest pairs (graphkit | metaknowledge):", ""]
    lines += [f"- {w} `{a}` + `{b}`" for (a, b), w in top_gk]
    lines += [f"- {w} `{a}` + `{b}`" for (a, b), w in top_mk]
    lines.append("")
    return lines


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="*", type=Path)
    args = ap.parse_args(argv)
    files = args.files or [CORPUS / f for f in DEFAULT]
    out = ["## Co-citation: graphkit vs metaknowledge", ""]
    for path in files:
        out += compare(path)
    text = "\n".join(out)
    dest = ROOT / "bench" / "out"
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "cites-peer.md").write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
