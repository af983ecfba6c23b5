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


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sizes", default="500,2000,5000")
    ap.add_argument("--records", type=int, default=4000, help="generated records (enough authors for the sizes)")
    ap.add_argument("--cap", type=float, default=120.0, help="seconds to wait for the pyvis page to stabilise")
    ap.add_argument("--runs", type=int, default=3, help="loads of each graphkit page (median reported)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "viz")
    args = ap.parse_args(argv)
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
