"""Neo4j load benchmark: graphkit's batched loader vs a per-record MERGE loader vs neo4j-admin import.

    python bench/neo4j_load.py [--records 20000] [--seed 7] [--batch-size 5000] [--per-record-limit N]

One run, one machine, the same graph for all three:

* ``graphkit``: :class:`graphkit.sinks.neo4j.Neo4jStore.write_graph` (schema, UNWIND batches of
  ``--batch-size`` rows in managed transactions, terms, CO_AUTHOR recomputed in Cypher);
* ``per-record``: what most scripts do: one write transaction per paper, MERGE the paper, its authors,
  journal, keywords, MeSH terms and their relationships, and ``MERGE ... ON MATCH SET r.papers =
  r.papers + 1`` for every co-author pair (same constraints in place, so MERGE is indexed);
* ``neo4j-admin``: ``write_neo4j_admin`` CSVs + ``neo4j-admin database import full`` (the AdminTool of the
  same Maven jars) into a fresh store directory (offline: the DBMS is not running for it).

The records come from ``bench/generate.py`` (RIS + MEDLINE exports, read and resolved by graphkit; the
read/resolve time is reported apart and is not part of any load time). The script starts its own
Neo4j (scripts/neo4j with a home under bench/out/, so it never wipes a server you use) and stops it.
``--per-record-limit N`` times the per-record loader on the first N papers only and extrapolates
linearly (marked in the table); by default it loads them all.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphkit.build import build_from_files  # noqa: E402
from graphkit.graph import Graph  # noqa: E402
from graphkit.schema import Label, RelType  # noqa: E402
from graphkit.sinks.neo4j import Neo4jStore  # noqa: E402
from graphkit.sinks.neo4j_admin import write_neo4j_admin  # noqa: E402

log = logging.getLogger("bench.neo4j_load")
OUT = ROOT / "bench" / "out"
SCRIPT = ROOT / "scripts" / "neo4j"

# the per-record loader's statement: one paper with everything hanging off it
PER_RECORD = """
MERGE (p:Paper {key: $paper.key}) SET p += $paper.props
WITH p
CALL { WITH p
  UNWIND $authors AS a
  MERGE (x:Author {key: a.key}) SET x += a.props
  MERGE (x)-[r:AUTHORED]->(p) SET r.position = a.position
  RETURN count(*) AS authors }
CALL { WITH p
  UNWIND $journals AS j
  MERGE (x:Journal {key: j.key}) SET x += j.props
  MERGE (p)-[:PUBLISHED_IN]->(x)
  RETURN count(*) AS journals }
CALL { WITH p
  UNWIND $keywords AS k
  MERGE (x:Keyword {key: k.key}) SET x += k.props
  MERGE (p)-[:HAS_KEYWORD]->(x)
  RETURN count(*) AS keywords }
CALL { WITH p
  UNWIND $mesh AS m
  MERGE (x:MeshTerm {key: m.key}) SET x += m.props
  MERGE (p)-[r:HAS_MESH]->(x) SET r += m.rel
  RETURN count(*) AS mesh }
CALL { WITH p
  UNWIND $pairs AS pair
  MATCH (a:Author {key: pair[0]}), (b:Author {key: pair[1]})
  MERGE (a)-[r:CO_AUTHOR]->(b)
    ON CREATE SET r.papers = 1, r.first_year = p.year, r.last_year = p.year
    ON MATCH SET r.papers = r.papers + 1
  RETURN count(*) AS pairs }
RETURN authors
"""


def props(row: dict[str, Any], drop: tuple[str, ...] = ("key",)) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in drop and v is not None}


def per_record_params(graph: Graph, cap: int = 100) -> list[dict[str, Any]]:
    """One parameter map per paper, as a script reading records one by one would have them."""
    hang: dict[str, dict[str, list]] = {p["key"]: {"authors": [], "journals": [], "keywords": [], "mesh": []}
                                        for p in graph.nodes(Label.PAPER)}
    for e in graph.edges(RelType.AUTHORED):
        a = graph.node(Label.AUTHOR, e["source"])
        hang[e["target"]]["authors"].append({"key": a["key"], "props": props(a), "position": e["position"]})
    for e in graph.edges(RelType.PUBLISHED_IN):
        j = graph.node(Label.JOURNAL, e["target"])
        hang[e["source"]]["journals"].append({"key": j["key"], "props": props(j)})
    for e in graph.edges(RelType.HAS_KEYWORD):
        k = graph.node(Label.KEYWORD, e["target"])
        hang[e["source"]]["keywords"].append({"key": k["key"], "props": props(k)})
    for e in graph.edges(RelType.HAS_MESH):
        m = graph.node(Label.MESH, e["target"])
        hang[e["source"]]["mesh"].append({"key": m["key"], "props": props(m),
                                          "rel": props(e, ("source", "target"))})
    out = []
    for p in graph.nodes(Label.PAPER):
        h = hang[p["key"]]
        keys = sorted({a["key"] for a in h["authors"]})
        pairs = [[a, b] for i, a in enumerate(keys) for b in keys[i + 1:]] if len(keys) <= cap else []
        out.append({"paper": {"key": p["key"], "props": props(p)}, "pairs": pairs, **h})
    return out


def per_record_load(store: Neo4jStore, params: list[dict[str, Any]]) -> None:
    with store._session(True) as session:  # noqa: SLF001 - the bench reuses the store's driver
        for p in params:
            session.execute_write(lambda tx, p=p: tx.run(PER_RECORD, p).consume())


def start_server(home: Path) -> dict[str, str]:
    done = subprocess.run([str(SCRIPT), "start", "--home", str(home), "--retry", "3", "--print-env"],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"could not start Neo4j:\n{done.stderr}")
    return dict(line.removeprefix("export ").split("=", 1) for line in done.stdout.splitlines())


def stop_server(home: Path) -> None:
    subprocess.run([str(SCRIPT), "stop", "--home", str(home)], capture_output=True, check=False)


def wipe(store: Neo4jStore) -> None:
    with store._session(True) as session:  # noqa: SLF001
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


def build(records: int, seed: int) -> tuple[Graph, int, float, str]:
    from bench.generate import generate

    gen_dir = OUT / f"neo4j-gen-{records}-{seed}"
    t = time.perf_counter()
    for formats in (("ris", "medline"), ("medline",)):
        shutil.rmtree(gen_dir, ignore_errors=True)
        manifest = generate(records, gen_dir, seed=seed, formats=formats)
        try:
            result = build_from_files([f.path for f in manifest.files])
        except Exception as exc:  # noqa: BLE001 - a reader still being written: fall back to MEDLINE only
            log.warning("reading %s failed (%s); using MEDLINE only", formats, exc)
            continue
        return result.graph, result.records, time.perf_counter() - t, "+".join(formats)
    sys.exit("could not read the generated files")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--batch-size", type=int, default=5000)
    ap.add_argument("--per-record-limit", type=int, default=0)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    graph, n_records, t_build, formats = build(args.records, args.seed)
    counts = graph.counts()
    n_nodes = sum(counts[str(lb)] for lb in Label)
    n_rels = sum(counts[str(t)] for t in RelType)
    print(f"input: {n_records} generated records ({formats}) -> {counts['Paper']} papers, {n_nodes} nodes, "
          f"{n_rels} relationships (read + resolve {t_build:.1f} s, not counted below)", flush=True)

    home = OUT / "neo4j-bench-server"
    shutil.rmtree(home, ignore_errors=True)
    env = start_server(home)
    rows: list[tuple[str, float, str]] = []
    try:
        store = Neo4jStore(env["NEO4J_URI"], user="neo4j", password=env["NEO4J_PASSWORD"],
                           batch_size=args.batch_size)
        # 1. graphkit's loader (schema included)
        phases: dict[str, list[float]] = {}

        def progress(phase: str, advance: int, total: int | None) -> None:
            now = time.perf_counter()
            phases.setdefault(phase.split(":")[0], [now, now])[1] = now

        t = time.perf_counter()
        store.write_graph(graph, progress=progress)
        t_gk = time.perf_counter() - t
        print("graphkit phases: " + ", ".join(f"{k} {v[1] - v[0]:.1f} s" for k, v in phases.items()), flush=True)
        assert store.counts() == counts, (store.counts(), counts)
        rows.append(("graphkit (UNWIND batches)", t_gk, f"batch {args.batch_size}, schema + terms + CO_AUTHOR"))
        print(f"graphkit loader: {t_gk:.1f} s", flush=True)

        # 2. the per-record loader, on the same empty database with the same constraints
        wipe(store)
        params = per_record_params(graph)
        limit = args.per_record_limit or len(params)
        t = time.perf_counter()
        per_record_load(store, params[:limit])
        t_pr = time.perf_counter() - t
        note = "one transaction per paper"
        if limit < len(params):
            t_pr = t_pr * len(params) / limit
            note += f"; timed on {limit} papers, extrapolated"
        else:
            got = store.counts()
            assert all(got[str(lb)] == counts[str(lb)] for lb in Label), (got, counts)
        rows.append(("per-record MERGE", t_pr, note))
        print(f"per-record loader: {t_pr:.1f} s", flush=True)
        store.close()
    finally:
        stop_server(home)

    # 3. neo4j-admin: CSVs + offline import into a fresh store
    admin_home = OUT / "neo4j-bench-admin"
    shutil.rmtree(admin_home, ignore_errors=True)
    csv_dir = OUT / "neo4j-bench-csv"
    shutil.rmtree(csv_dir, ignore_errors=True)
    t = time.perf_counter()
    write_neo4j_admin(graph, csv_dir)
    t_csv = time.perf_counter() - t
    t = time.perf_counter()
    done = subprocess.run(["bash", str(csv_dir / "import.sh")], capture_output=True, text=True,
                          env={**os.environ, "NEO4J_ADMIN": f"{SCRIPT} admin --home {admin_home}"})
    t_imp = time.perf_counter() - t
    if done.returncode:
        sys.exit(f"neo4j-admin import failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    rows.append(("neo4j-admin import", t_csv + t_imp, f"CSV {t_csv:.1f} s + import {t_imp:.1f} s (JVM start incl.)"))
    shutil.rmtree(admin_home, ignore_errors=True)

    print()
    print(f"| loader | seconds | papers/s | vs per-record | notes |")
    print("|---|---:|---:|---:|---|")
    for name, secs, note in rows:
        print(f"| {name} | {secs:.1f} | {counts['Paper'] / secs:,.0f} | {t_pr / secs:.1f}x | {note} |")


if __name__ == "__main__":
    main()
