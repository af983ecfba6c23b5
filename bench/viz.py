"""Time to a stable, interactive co-author map in headless Chromium: graphkit's page against pyvis's defaults.

    python bench/viz.py [--sizes 500,2000,5000] [--records 4000] [--cap 120] [--runs 3] [--out bench/out/viz]

Data: ``bench/generate.py`` writes a seeded synthetic RIS + MEDLINE export (realistic authors per paper,
Zipf author productivity with co-author teams); graphkit builds the graph and takes the co-author maps of
the top 500 / 2,000 / 5,000 authors by degree. Both pages get exactly the same nodes and edges:

- graphkit: ``graphkit viz`` as shipped: layout precomputed in Python (timed separately), physics off.
  Stable = vis-network's first drawing (``graphkit.readyAt``); median of ``--runs`` loads.
- pyvis defaults: ``pyvis.network.Network()`` with its default options (physics on, barnesHut, vis's
  default stabilisation), nodes without positions. pyvis's page loads vis-network and bootstrap from CDNs,
  which this machine cannot reach, so the baseline is written with ``cdn_resources="in_line"`` (the same
  vis-network 9.1.2, inlined) and its bootstrap tags removed: only layout/physics differ. Stable = vis's
  ``stabilized`` event (the simulation stopped); one load, given up after ``--cap`` seconds ("> cap").

Times are from navigation start (performance.now() in the page), each load in a freshly launched browser.
Prints a Markdown table.

    python bench/viz.py --readability [--shots docs/img]

Readability at the first view (issue 17), for the demo sample (graphkit.sample_files()) and three corpus
files per map kind: the page as shipped is opened in headless Chromium (1280x800) and
``graphkit.readability()`` gives the share of visible labels whose box overlaps another's (target <= 5%;
next to it the share if every label were drawn, as the page did before) and the share of the canvas taken
by the box around the nodes that are on the map only because of one paper, for the paper with most of them
(target <= 10%; "n/a" for the paper and citation maps, which are about one paper or draw papers
themselves), next to the time to a stable page. ``--shots DIR`` saves a screenshot of each demo map.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from graphkit import analysis  # noqa: E402
from graphkit.build import build_from_files  # noqa: E402
from graphkit.sinks.html import write_selection  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run"]
# where the pyvis page's physics had got to when the cap was hit
PROGRESS = """(() => {
  const p = network.physics, b = window.__bench;
  if (b.iterationsDone === null)
    return `stabilisation ${p.stabilizationIterations}/${p.options.stabilization.iterations} iterations`;
  return `stabilisation done at ${(b.iterationsDone / 1000).toFixed(1)} s, still moving`;
})()"""
HOOK = """
window.__bench = {stable: null, iterationsDone: null};
network.on("stabilizationIterationsDone", function () { window.__bench.iterationsDone = performance.now(); });
network.on("stabilized", function () { if (window.__bench.stable === null) window.__bench.stable = performance.now(); });
"""


def pyvis_default_page(sel: analysis.Selection, out: Path) -> Path:
    """The same nodes and edges through pyvis with its defaults, vis-network inlined, bootstrap dropped."""
    from pyvis.network import Network

    net = Network(cdn_resources="in_line")  # every other setting: pyvis's default (physics on)
    # add_node as a user would; edges appended directly (pyvis's add_edge rescans all edges per call,
    # which would take minutes at 5,000 nodes and is not what is being measured here)
    for n in sel.nodes:
        net.add_node(n.id, label=n.label, title=n.label, value=n.size)
    for e in sel.edges:
        net.edges.append({"from": e.source, "to": e.target, "value": e.weight})
    html = net.generate_html(name=out.name)
    html = re.sub(r"<link[^>]*bootstrap[^>]*/?>", "", html, flags=re.S)
    html = re.sub(r"<script\s+src=\"[^\"]*bootstrap[^\"]*\"[^>]*>\s*</script>", "", html, flags=re.S)
    marker = "network = new vis.Network(container, data, options);"
    assert marker in html, "pyvis template changed"
    html = html.replace(marker, marker + HOOK, 1)
    out.write_text(html, encoding="utf-8")
    return out


def load(playwright, path: Path, ready_js: str, time_js: str, cap: float,
         progress_js: str | None = None) -> tuple[float | None, list[str], str]:
    """Seconds from navigation start to ``ready_js`` (None past the cap), the foreign requests made, and
    ``progress_js`` evaluated when the cap was hit."""
    # a fresh browser per load: a capped pyvis page must not leave a busy renderer behind for the next one
    browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    requests: list[str] = []
    url = path.resolve().as_uri()
    context.on("request", lambda r: requests.append(r.url))
    try:
        # "load": inline scripts have run (vis-network is built); waiting from "commit" races the
        # navigation and can fail with a destroyed execution context
        start = time.perf_counter()
        try:
            page.goto(url, wait_until="load", timeout=cap * 1000)
            left = max(cap - (time.perf_counter() - start), 0.001)
            page.wait_for_function(ready_js, timeout=left * 1000)
        except PlaywrightTimeout:
            note = ""
            if progress_js:  # the page's main thread may be stuck in vis's set-up: ask with a time limit
                try:
                    note = page.wait_for_function(progress_js, timeout=10_000).json_value()
                except Exception:  # noqa: BLE001 - Playwright's TimeoutError or a page without `network`
                    note = "page still busy in its first script"
            return None, [u for u in requests if u != url], note
        return page.evaluate(time_js) / 1000.0, [u for u in requests if u != url], ""
    finally:
        browser.close()


def fmt(seconds: float | None, cap: float, note: str = "") -> str:
    if seconds is None:
        return f"> {cap:.0f} s" + (f" ({note})" if note else "")
    return f"{seconds:.2f} s"


CORPUS = Path(__import__("os").environ.get("GRAPHKIT_CORPUS", ROOT.parent / "shared" / "corpus"))
# three corpus files per map kind, picked to exercise it: many authors (one WoS file has papers with
# hundreds), MeSH-rich PubMed and keyword-rich WoS for topics, WoS files with cited references for the
# paper and citation maps; "ego" alternates author and term centres
READABILITY_FILES = {
    "coauthors": ["wos/metaknowledge__ManyAuthors.isi", "nbib/pybibx__pubmed.txt", "ris/citesource__WoS_early.ris"],
    "topics": ["nbib/pybibx__pubmed.txt", "wos/revtools__restoration_WoS.ciw", "ris/citesource__TiAb.ris"],
    "ego": ["wos/metaknowledge__ManyAuthors.isi", "ris/revtools__restoration_scopus.ris",
            "ris/citesource__20221207_gambling-harms_pubmed_176.ris"],
    "paper": ["wos/bibliometrix__performance_soccer.txt", "wos/revtools__restoration_WoS.ciw",
              "wos/metaknowledge__savedrecs.txt"],
    "citations": ["wos/bibliometrix__performance_soccer.txt", "wos/metaknowledge__ManyAuthors.isi",
                  "wos/metaknowledge__savedrecs.txt"],
}
KINDS = ["coauthors", "topics", "ego", "paper", "citations"]


def _map_options(graph, kind: str, which: int) -> dict:
    """select_map options for a kind: the ego map's centre (the best-connected author, or on every third
    file the best-connected term), the paper map's paper (most citations in and out, then links)."""
    from collections import Counter

    if kind == "ego":
        if which % 3 == 2:
            net = analysis.topic_network(graph, include_check_tags=True)
            return {"term": min(net, key=lambda v: (-net.degree(v), v))}
        net = analysis.coauthor_network(graph)
        return {"author": net.nodes[min(net, key=lambda v: (-net.degree(v), v))]["label"]}
    if kind == "paper":
        score: Counter = Counter()
        for e in graph.edges(analysis.RelType.CITES):
            score[e["source"]] += 1
            score[e["target"]] += 1
        for e in graph.edges(analysis.RelType.AUTHORED):
            score[e["target"]] += 0.01
        papers = [r for r in graph.nodes(analysis.Label.PAPER) if r.get("doi") and not r.get("cited_only")]
        return {"doi": max(papers, key=lambda r: (score[r["key"]], r["key"]))["key"]}
    return {}


def _save_png(data: bytes, path: Path) -> None:
    """A screenshot as a 256-colour PNG (a map page has few colours: a third of the bytes, no visible loss)
    when Pillow is there (it is optional, for these docs images only); else as Chromium wrote it."""
    try:
        import io

        from PIL import Image
    except ImportError:
        path.write_bytes(data)
        return
    image = Image.open(io.BytesIO(data)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.FASTOCTREE).save(path, optimize=True)


def readability(argv_out: Path, shots: Path | None) -> None:
    from playwright.sync_api import sync_playwright

    from graphkit import sample_files

    datasets = [("demo sample", [Path(p) for p in sample_files()], KINDS)]
    for kind in KINDS:
        for f in READABILITY_FILES[kind]:
            datasets.append((f, [CORPUS / f], [kind]))
    graphs: dict = {}
    rows = []
    argv_out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
        for name, paths, kinds in datasets:
            if not all(x.exists() for x in paths):
                print(f"{name}: missing, skipped", file=sys.stderr)
                continue
            if name not in graphs:
                graphs[name] = build_from_files(paths).graph
            graph = graphs[name]
            for kind in kinds:
                which = READABILITY_FILES.get(kind, []).index(name) if name in READABILITY_FILES.get(kind, []) else 0
                try:
                    sel = analysis.select_map(graph, kind, **_map_options(graph, kind, which))
                except Exception as exc:  # noqa: BLE001 - a file without what the map needs: say so
                    rows.append((name, kind, str(exc).split(":")[0], None))
                    continue
                page_path = argv_out / f"read-{kind}-{Path(name).stem}.html"
                write_selection(sel, page_path)
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.goto(page_path.resolve().as_uri(), wait_until="load")
                page.wait_for_function("window.graphkit && window.graphkit.ready", timeout=120_000)
                stable = page.evaluate("graphkit.readyAt") / 1000.0
                first = page.evaluate("graphkit.readability()")
                if shots is not None and name == "demo sample":
                    shots.mkdir(parents=True, exist_ok=True)
                    _save_png(page.screenshot(), shots / f"{kind}.png")
                every = page.evaluate("graphkit.showAllLabels()")
                context.close()
                label = (kind if kind != "ego" else "ego " + ("term" if "term" in _map_options(graph, kind, which)
                                                              else "author"))
                rows.append((name, label, f"{len(sel.nodes):,} / {len(sel.edges):,}",
                             (stable, first, every, kind in ("paper", "citations"))))
                print(f"{name} {label}: {stable:.2f} s {first}", file=sys.stderr)
        browser.close()
    print("| data | map | nodes / links | stable | labels shown (smallest) | overlapping (target <= 5%) "
          "| overlapping if every label drawn | largest single-paper share (target <= 10%) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for name, kind, size, m in rows:
        if m is None:
            print(f"| {name} | {kind} | {size} | | | | | |")
            continue
        stable, first, every, na = m
        share = "n/a" if na else f"{first['largest_paper_share']:.1%}"
        print(f"| {name} | {kind} | {size} | {stable:.2f} s "
              f"| {first['labels']:,} ({first['smallest_label_px']:.1f} px) "
              f"| {first['overlap_share']:.1%} "
              f"| {every['overlap_share']:.1%} ({every['labels']:,} labels) | {share} |")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="500,2000,5000")
    ap.add_argument("--records", type=int, default=4000, help="generated records (enough authors for the sizes)")
    ap.add_argument("--cap", type=float, default=120.0, help="seconds to wait for the pyvis page to stabilise")
    ap.add_argument("--runs", type=int, default=3, help="loads of each graphkit page (median reported)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "viz")
    ap.add_argument("--readability", action="store_true",
                    help="readability at the first view (demo sample + corpus files) instead of the timing table")
    ap.add_argument("--shots", type=Path, default=None, help="with --readability: save PNGs of the demo maps here")
    args = ap.parse_args(argv)
    if args.readability:
        readability(args.out, args.shots)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)

    manifest = generate(args.records, args.out / "data", seed=args.seed)
    t = time.perf_counter()
    graph = build_from_files(manifest.paths).graph
    print(f"built {args.records:,} generated records in {time.perf_counter() - t:.1f} s: "
          f"{graph.count(analysis.Label.AUTHOR):,} authors", file=sys.stderr)

    from playwright.sync_api import sync_playwright

    rows = []
    with sync_playwright() as p:
        for size in sizes:
            t = time.perf_counter()
            sel = analysis.select_map(graph, "coauthors", top=size, seed=args.seed)
            gk_path = args.out / f"graphkit-{size}.html"
            write_selection(sel, gk_path)
            python_s = time.perf_counter() - t
            gk_times = []
            foreign: list[str] = []
            for _ in range(args.runs):
                s, f, _note = load(p, gk_path, "window.graphkit && window.graphkit.ready",
                                   "graphkit.readyAt", args.cap)
                gk_times.append(s)
                foreign += f
            done = [t for t in gk_times if t is not None]
            gk = (f"{statistics.median(done):.2f} s ({min(done):.2f}\u2013{max(done):.2f}, {len(done)} runs)"
                  if len(done) == len(gk_times) else f"> {args.cap:.0f} s in {len(gk_times) - len(done)} of "
                                                      f"{len(gk_times)} runs")
            base_path = pyvis_default_page(sel, args.out / f"pyvis-default-{size}.html")
            base, f, note = load(p, base_path, "window.__bench && window.__bench.stable !== null",
                                 "window.__bench.stable", args.cap, PROGRESS)
            foreign += f
            rows.append((size, len(sel.nodes), len(sel.edges), python_s, gk, fmt(base, args.cap, note), foreign))
            print(f"{size}: graphkit {gk} (python {python_s:.1f} s), pyvis defaults "
                  f"{fmt(base, args.cap, note)}", file=sys.stderr)

    print("| authors shown | links | graphkit: Python select + layout + write | graphkit page: stable, interactive "
          "| pyvis defaults (physics on): stable | network requests |")
    print("|---:|---:|---:|---:|---:|---|")
    for size, n, e, py, gk, base, foreign in rows:
        print(f"| {n:,} | {e:,} | {py:.1f} s | {gk} | {base} | "
              f"{len(foreign) or 'none'} |")


if __name__ == "__main__":
    main()
