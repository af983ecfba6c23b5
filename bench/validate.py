"""graphkit validate speed: the pyshacl call graphkit made before against graphkit.linked.validate today.

    python bench/validate.py [--records 1700] [--out bench/out/validate] [--seed 7]

1. Generates ``--records`` records with bench/generate.py (RIS + MEDLINE; 1,700 records give ~258k triples,
   the size of the field report) and exports them as Turtle with graphkit (reused when present).
2. Times the whole job (parse + validate), each method in its own subprocess, side by side:
     pyshacl-one-call   rdflib's Turtle parser, then pyshacl.validate(data, shacl_graph=shapes,
                        ont_graph=ontology, inference="none", advanced=True): what ``graphkit validate``
                        ran before (and what a user of pyshacl would run)
     graphkit           graphkit.linked.load_rdf (pyoxigraph's parser) + graphkit.linked.validate
                        (ontology mixed in once, one shape at a time in place, SHACL-SPARQL constraints
                        evaluated once over the graph)
   and checks that both report the same number of results.
3. Prints a Markdown table: wall seconds, CPU seconds (parse, validate, total) and the CPU ratio, which
   is the figure to quote on a busy machine; report the load with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
METHODS = ("pyshacl-one-call", "graphkit")


def worker(method: str, ttl: Path) -> dict:
    from graphkit.linked import load_rdf, ontology, shapes, validate

    t0, cpu0 = time.perf_counter(), time.process_time()
    if method == "graphkit":
        g = load_rdf(ttl)  # pyoxigraph's parser when installed (the rdf extra)
    else:
        import rdflib

        g = rdflib.Graph().parse(ttl, format="turtle")
    parse_cpu = time.process_time() - cpu0
    if method == "graphkit":
        report = validate(None, data=g)
        conforms, results = report.conforms, len(report.violations)
    else:
        import pyshacl
        from rdflib.namespace import RDF, SH

        conforms, graph, _ = pyshacl.validate(g, shacl_graph=shapes(), ont_graph=ontology(), inference="none",
                                              advanced=True, allow_warnings=True, meta_shacl=False)
        results = len(list(graph.subjects(RDF.type, SH.ValidationResult)))
    cpu = time.process_time() - cpu0
    return {"method": method, "triples": len(g), "seconds": round(time.perf_counter() - t0, 1),
            "parse_cpu": round(parse_cpu, 1), "validate_cpu": round(cpu - parse_cpu, 1), "cpu_seconds": round(cpu, 1),
            "conforms": bool(conforms), "results": results}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--records", type=int, default=1700)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "validate")
    ap.add_argument("--worker", nargs=2, metavar=("METHOD", "TTL"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker[0], Path(args.worker[1]))))
        return
    args.out.mkdir(parents=True, exist_ok=True)
    ttl = args.out / f"export-{args.records}-{args.seed}.ttl"
    if not ttl.exists():
        data = args.out / f"records-{args.records}-{args.seed}"
        subprocess.run([sys.executable, str(ROOT / "bench" / "generate.py"), "--records", str(args.records),
                        "--seed", str(args.seed), "--out", str(data)], check=True)
        files = sorted(str(p) for p in data.iterdir() if p.suffix in (".ris", ".nbib"))
        subprocess.run([sys.executable, "-m", "graphkit", "export", *files, "--to", "rdf", "--out", str(ttl)],
                       check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    rows = []
    for method in METHODS:
        done = subprocess.run([sys.executable, __file__, "--worker", method, str(ttl)], capture_output=True,
                              text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(rows[-1], file=sys.stderr)
    base = rows[0]["cpu_seconds"]
    print(f"load average: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
    print("| method | triples | wall s | parse CPU s | validate CPU s | CPU s | results | conforms | CPU speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['method']} | {r['triples']:,} | {r['seconds']} | {r['parse_cpu']} | {r['validate_cpu']} | "
              f"{r['cpu_seconds']} | {r['results']} | {r['conforms']} | {base / r['cpu_seconds']:.1f}x |")
    if rows[0]["results"] != rows[1]["results"]:
        sys.exit("the two methods report different numbers of results")


if __name__ == "__main__":
    main()
