"""RDF export speed and memory: graphkit's streaming writers against plain rdflib, in one run.

    python bench/rdf.py --papers 100000 --rdflib-papers 10000 [--out bench/out/rdf] [--seed 42]

1. Generates ``--papers`` records with bench/generate.py (RIS + MEDLINE, 10 % duplicates), builds the graph
   once with graphkit.build.build_from_files and pickles it (reused when it exists).
2. Measures each method in its own subprocess, so every peak RSS is clean:
     graphkit-nt       write_rdf(rdf_format="nt")      streams triples, rdflib's N-Triples quoting
     graphkit-turtle   write_rdf(rdf_format="turtle")  streams subjects, rdflib's .n3() terms
     rdflib-nt         graphkit triples added to an rdflib.Graph, then Graph.serialize(format="nt")
     rdflib-turtle     the same, Graph.serialize(format="turtle")
   The rdflib rows are what a user would do without graphkit's writers: build the graph in memory, then
   serialize. Their time includes Graph.add (reported separately).
   plain rdflib holds every triple in memory (about 1 KB per triple: a 100k-record graph of ~13M triples would
   need ~14 GB and most of an hour for Turtle), so the rdflib rows run on a ``--rdflib-papers`` graph, next
   to graphkit's writers on that same graph; graphkit's writers also run on the ``--papers`` graph.
3. Prints a Markdown table: triples, seconds, triples/s, RSS after loading the graph, peak RSS, and the
   peak minus the loaded graph (what the export itself costs in memory).
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

METHODS = ("graphkit-nt", "graphkit-turtle", "rdflib-nt", "rdflib-turtle")


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


def _peak_mb() -> float:
    """Peak RSS (VmHWM) since the last reset; falls back to the lifetime ru_maxrss."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS counter (Linux >= 4.0), so the peak measures the export alone."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def worker(method: str, graph_path: Path, out: Path) -> dict:
    with open(graph_path, "rb") as fh:
        graph = pickle.load(fh)
    loaded = _rss_mb()
    peak_before = _peak_mb()
    reset = _reset_peak()
    t0 = time.perf_counter()
    result: dict = {"method": method}
    if method.startswith("graphkit-"):
        from graphkit.sinks.rdf import write_rdf

        summary = write_rdf(graph, out, rdf_format=method.split("-", 1)[1])
        result["triples"] = summary["triples"]
    else:
        import rdflib

        from graphkit.namespaces import PREFIXES
        from graphkit.sinks.rdf import iter_triples

        g = rdflib.Graph()
        for prefix, ns in PREFIXES.items():
            g.bind(prefix, ns, override=True)
        for triple in iter_triples(graph):
            g.add(triple)
        result["add_seconds"] = round(time.perf_counter() - t0, 2)
        g.serialize(destination=str(out), format=method.split("-", 1)[1])
        result["triples"] = len(g)
    result["seconds"] = round(time.perf_counter() - t0, 2)
    result["loaded_mb"] = round(loaded, 1)
    result["peak_mb"] = round(_peak_mb() if reset else max(_peak_mb(), peak_before), 1)
    result["peak_reset"] = reset
    result["load_peak_mb"] = round(peak_before, 1)
    result["bytes"] = out.stat().st_size
    return result


def prepare(papers: int, out_dir: Path, seed: int) -> tuple[Path, dict]:
    graph_path = out_dir / f"graph-{papers}-{seed}.pickle"
    info_path = graph_path.with_suffix(".json")
    if graph_path.exists() and info_path.exists():
        return graph_path, json.loads(info_path.read_text())
    from bench.generate import generate
    from graphkit.build import build_from_files

    t0 = time.perf_counter()
    manifest = generate(papers, out_dir / f"gen-{papers}-{seed}", seed=seed)
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    graph = build_from_files(manifest.paths).graph
    build_s = time.perf_counter() - t0
    with open(graph_path, "wb") as fh:
        pickle.dump(graph, fh, protocol=pickle.HIGHEST_PROTOCOL)
    info = {"records": papers, "seed": seed, "counts": graph.counts(), "generate_s": round(gen_s, 1),
            "build_s": round(build_s, 1)}
    info_path.write_text(json.dumps(info, indent=1))
    return graph_path, info


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--papers", type=int, default=100_000, help="generated records (default 100000)")
    ap.add_argument("--rdflib-papers", type=int, default=10_000,
                    help="records of the graph the rdflib baseline runs on (default 10000; 0 = skip rdflib)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "rdf")
    ap.add_argument("--methods", default=",".join(METHODS), help="comma-separated subset of " + ", ".join(METHODS))
    ap.add_argument("--keep", action="store_true", help="keep the exported files")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--graph", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.graph, args.file)))
        return

    args.out.mkdir(parents=True, exist_ok=True)
    methods = args.methods.split(",")
    sizes = sorted({args.papers} | ({args.rdflib_papers} if args.rdflib_papers else set()))
    rows = []
    infos = {}
    for size in sizes:
        graph_path, info = prepare(size, args.out, args.seed)
        infos[size] = info
        counts = info["counts"]
        print(f"graph: {size} generated records -> " + ", ".join(f"{k} {v}" for k, v in counts.items()),
              file=sys.stderr)
        for method in methods:
            if method.startswith("rdflib") and size > (args.rdflib_papers or 0):
                continue
            suffix = ".nt" if method.endswith("-nt") else ".ttl"
            out = args.out / f"export-{size}-{method}{suffix}"
            cmd = [sys.executable, __file__, "--worker", method, "--graph", str(graph_path), "--file", str(out)]
            print(f"running {method} on {size} ...", file=sys.stderr)
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            if proc.returncode != 0:
                print(proc.stderr[-2000:], file=sys.stderr)
                last = proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
                rows.append({"size": size, "method": method, "error": last})
                continue
            row = json.loads(proc.stdout.strip().splitlines()[-1])
            row["size"] = size
            rows.append(row)
            if not args.keep:
                out.unlink(missing_ok=True)
            print(f"  {row}", file=sys.stderr)

    print(f"\nRDF export of generated graphs (bench/generate.py, seed {args.seed}), Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} CPUs, each method in its own process\n")
    for size in sizes:
        c = infos[size]["counts"]
        print(f"- {size:,} records: {c['Paper']:,} papers, {c['Author']:,} authors, {c['Keyword']:,} keywords, "
              f"{c['MeshTerm']:,} MeSH terms, {c['CO_AUTHOR']:,} co-author pairs")
    print()
    print("| records | method | triples | seconds | triples/s | RSS with graph loaded (MB) | peak RSS during export (MB) |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for r in rows:
        if "error" in r:
            print(f"| {r['size']:,} | {r['method']} | failed: {r['error']} | | | | |")
            continue
        extra = f" (Graph.add {r['add_seconds']} s)" if "add_seconds" in r else ""
        print(f"| {r['size']:,} | {r['method']} | {r['triples']:,} | {r['seconds']}{extra} | "
              f"{r['triples'] / r['seconds']:,.0f} | {r['loaded_mb']:,.0f} | {r['peak_mb']:,.0f} |")


if __name__ == "__main__":
    main()
