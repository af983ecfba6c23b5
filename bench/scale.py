"""End-to-end scale runs: 100k and 1M generated records through every path graphkit offers.

    python bench/scale.py                                   # sizes 100000,1000000, every step
    python bench/scale.py --sizes 100000 --steps parse,build,embedded
    python bench/scale.py --sizes 1000000 --start-neo4j --bolt-limit 1200

For each size: generate N records (RIS + MEDLINE with duplicates, bench/generate.py, seed 42; the
generation time is reported on its own and reused when the directory already holds the same set),
then run each step in its own subprocess (bench/_measure.py: wall time, peak RSS of the process tree,
load average):

  parse      parse only: ``read_files`` (serial) and ``read_files_parallel`` (process pool, 2 workers)
  build      ``build_from_files`` (read + resolve + graph, in memory)
  embedded   ``graphkit ingest FILES --db DIR -q`` into a fresh embedded store (LadybugDB by COPY)
  bolt       ``graphkit ingest FILES --neo4j URI -q`` into an empty Neo4j through the Bolt loader. Needs
             NEO4J_URI/NEO4J_USER/NEO4J_PASSWORD or --start-neo4j (a private server per size, started
             with ``scripts/neo4j start --home bench/out/scale/neo4j-N`` and stopped after). Peak RSS is
             graphkit's python process; the server's JVM is reported in the note. When a previous size's
             Bolt rate predicts more than --bolt-limit seconds, the step runs on a record-aligned prefix
             of every file (a fraction of the records) and an extrapolated row is added, labelled so.
  admin      ``graphkit export FILES --to neo4j-admin --out DIR`` then ``DIR/import.sh`` with
             ``NEO4J_ADMIN="scripts/neo4j admin --home H"`` (neo4j-admin database import full from the
             same jars) into a fresh store: export, import and their total.
  rdf        ``graphkit export FILES --to rdf --rdf-format nt --out F``

Prints a markdown table and writes it to bench/out/scale.md (rewritten after every step, so a partial
run leaves its figures) plus bench/out/scale.json. Outputs of the steps are deleted after their size
is recorded (they are several GB at 1M).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._measure import Measurement, measure  # noqa: E402

OUT = ROOT / "bench" / "out"
STEPS = ("parse", "build", "embedded", "bolt", "admin", "rdf")
RECORD_START = {".ris": re.compile(rb"^TY  -", re.M), ".nbib": re.compile(rb"^PMID- ", re.M)}
FORMAT_OF = {".ris": "ris", ".nbib": "medline"}
TARGETS = {("embedded", 100_000): 30.0, ("admin total", 1_000_000): 600.0}
RSS_LIMIT_MB = 8 * 1024


@dataclass
class Row:
    size: int
    step: str
    records: int
    wall_s: float | None
    cpu_s: float | None
    rss_mb: float | None
    load: str
    note: str = ""
    ok: bool = True

    @property
    def rate(self) -> float | None:
        return self.records / self.wall_s if self.wall_s else None


@dataclass
class Run:
    rows: list[Row] = field(default_factory=list)
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))

    def add(self, row: Row, out: Path) -> None:
        self.rows.append(row)
        print(_row_md(row), flush=True)
        self.write(out)

    def table(self) -> str:
        head = ("| records | step | wall s | records/s | CPU s | peak RSS MB | load (1 min, before/after) | note |\n"
                "| ---: | --- | ---: | ---: | ---: | ---: | --- | --- |\n")
        return head + "\n".join(_row_md(r) for r in self.rows) + "\n"

    def write(self, out: Path) -> None:
        out.parent.mkdir(parents=True, exist_ok=True)
        text = (f"# graphkit scale run ({self.started}, {os.cpu_count()} cores)\n\n"
                f"Command: `python bench/scale.py {' '.join(sys.argv[1:])}`\n\n" + self.table())
        out.write_text(text, encoding="utf-8")
        out.with_suffix(".json").write_text(json.dumps([asdict(r) | {"rate": r.rate} for r in self.rows],
                                                       indent=1), encoding="utf-8")


def _fmt(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "-"
    return f"{x:,.{digits}f}" if x < 100 else f"{x:,.0f}"


def _row_md(r: Row) -> str:
    status = "" if r.ok else "FAILED: "
    return (f"| {r.size:,} | {r.step} | {_fmt(r.wall_s)} | {_fmt(r.rate, 0)} | {_fmt(r.cpu_s)} | {_fmt(r.rss_mb, 0)} "
            f"| {r.load} "
            f"| {status}{r.note} |")


def _load(m: Measurement) -> str:
    return f"{m.load_before:.1f} / {m.load_after:.1f}"


def _du(path: Path) -> str:
    if not path.exists():
        return "?"
    size = path.stat().st_size if path.is_file() else sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return f"{size / 1e6:,.0f} MB" if size < 1e9 else f"{size / 1e9:,.2f} GB"


def _rm(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path, ignore_errors=True)
    elif path.exists():
        path.unlink()


def _tail(text: str, n: int = 3) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " / ".join(lines[-n:])[:300]


# ---- the steps run in children -------------------------------------------------------------------

def child_step(step: str, files: list[str]) -> None:
    """Run one in-process step and print one JSON line (runs in the measured subprocess)."""
    from graphkit.model import Diagnostic

    if step in ("parse-serial", "parse-parallel"):
        if step == "parse-serial":
            from graphkit.readers import read_files
            items = read_files(files)
        else:
            from graphkit.readers.parallel import read_files_parallel
            items = read_files_parallel(files, workers=os.cpu_count() or 2)
        records = diagnostics = 0
        for item in items:
            if isinstance(item, Diagnostic):
                diagnostics += 1
            else:
                records += 1
        print(json.dumps({"records": records, "diagnostics": diagnostics}))
    elif step == "build":
        from graphkit.build import build_from_files
        result = build_from_files(files)
        from graphkit.schema import Label
        counts = result.graph.counts()
        nodes = sum(counts[str(label)] for label in Label)
        print(json.dumps({"records": result.records, "counts": counts, "nodes": nodes}))
    else:
        raise SystemExit(f"unknown step {step}")


# ---- generation and inputs -----------------------------------------------------------------------

def generated(n: int, out: Path, seed: int) -> tuple[list[Path], str]:
    """The generated files for n records in ``out`` (made unless already there); (files, note)."""
    from bench.generate import Manifest, generate

    manifest_path = out / "manifest.json"
    reused = False
    if manifest_path.exists():
        m = Manifest.load(manifest_path)
        reused = m.n_records == n and m.seed == seed
    if not reused:
        _rm(out)
        m = generate(n, out, seed=seed)
    files = sorted(out.glob("export-*.ris")) + sorted(out.glob("export-*.nbib"))
    note = (f"generated {n:,} records in {m.seconds:,.0f} s{' (earlier run, same seed, reused)' if reused else ''}; "
            f"{m.unique_works:,} unique works, {m.duplicate_pairs:,} duplicate pairs, {len(m.broken):,} broken; "
            f"{_du(out)}")
    return files, note


def prefix_files(files: list[Path], fraction: float, out: Path) -> tuple[list[Path], int]:
    """Record-aligned prefixes holding about ``fraction`` of each file; (paths, records)."""
    from graphkit.readers.parallel import find_cuts

    out.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    records = 0
    for f in files:
        size = f.stat().st_size
        cuts = find_cuts(str(f), FORMAT_OF[f.suffix], 1 << 20)
        cut = min(cuts, key=lambda c: abs(c - fraction * size)) if cuts else size
        dest = out / f.name
        with open(f, "rb") as src, open(dest, "wb") as dst:
            data = src.read(cut)
            dst.write(data)
        records += len(RECORD_START[f.suffix].findall(data))
        paths.append(dest)
    return paths, records


# ---- Neo4j ---------------------------------------------------------------------------------------

def start_neo4j(home: Path, heap: str) -> dict[str, str]:
    env = os.environ | {"GRAPHKIT_NEO4J_HEAP": heap}
    out = subprocess.run([str(ROOT / "scripts" / "neo4j"), "start", "--print-env", "--home", str(home)],
                         env=env, capture_output=True, text=True, check=True).stdout
    found = dict(re.findall(r"export (\w+)=(\S+)", out))
    return {k: found[k] for k in ("NEO4J_URI", "NEO4J_USER", "NEO4J_PASSWORD")}


def stop_neo4j(home: Path) -> None:
    subprocess.run([str(ROOT / "scripts" / "neo4j"), "stop", "--home", str(home)], capture_output=True)


def server_rss_mb(home: Path) -> float | None:
    import psutil
    pidfile = home / "run" / "graphkit-neo4j.pid"
    try:
        return psutil.Process(int(pidfile.read_text().strip())).memory_info().rss / 2**20
    except (OSError, ValueError, psutil.Error):
        return None


# ---- one size ------------------------------------------------------------------------------------

def run_size(n: int, steps: list[str], args: argparse.Namespace, run: Run, state: dict) -> None:
    work = args.out / f"scale-{n}"
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    files, note = generated(n, args.out / f"gen-{n}", args.seed)
    run.add(Row(n, "generate (not counted)", n, time.perf_counter() - t0 if "earlier" not in note else None,
                None, None, f"{os.getloadavg()[0]:.1f}", note), args.table)
    gk = [sys.executable, "-m", "graphkit.cli"] if args.module_cli else [shutil.which("graphkit") or "graphkit"]
    me = [sys.executable, str(Path(__file__).resolve()), "--step"]

    def add(step: str, m: Measurement, records: int = n, note: str = "") -> Row:
        if not m.ok:
            note = f"exit {m.returncode}: {_tail(m.stderr) or _tail(m.stdout)}"
        row = Row(n, step, records, m.wall_s, m.cpu_s, m.rss_mb, _load(m), note, m.ok)
        run.add(row, args.table)
        return row

    for step in steps:  # in the order given
        if step == "parse":
            for kind in ("serial", "parallel"):
                m = measure([*me, f"parse-{kind}", *map(str, files)])
                info = json.loads(m.stdout.strip().splitlines()[-1]) if m.ok else {}
                add(f"parse ({kind}{', 2 workers' if kind == 'parallel' else ''})", m,
                    note=f"{info.get('records', 0):,} records, {info.get('diagnostics', 0):,} diagnostics" if m.ok else "")

        if step == "build":
            m = measure([*me, "build", *map(str, files)])
            info = json.loads(m.stdout.strip().splitlines()[-1]) if m.ok else {}
            c = info.get("counts", {})
            add("build graph (build_from_files)", m,
                note=(f"{info.get('nodes', 0):,} nodes; {c.get('Paper', 0):,} papers, {c.get('Author', 0):,} authors, "
                      f"{c.get('AUTHORED', 0):,} AUTHORED, {c.get('CO_AUTHOR', 0):,} CO_AUTHOR") if m.ok else "")

        if step == "embedded":
            db = work / "embedded.db"
            _rm(db)
            m = measure([*gk, "ingest", *map(str, files), "--db", str(db), "-q"])
            add("ingest: embedded store (graphkit ingest --db)", m, note=f"store {_du(db)}")
            _rm(db)

        if step == "bolt":
            run_bolt(n, files, work, args, run, state, add)

        if step == "admin":
            csv = work / "neo4j-admin"
            home = work / "neo4j-admin-home"
            _rm(csv)
            _rm(home)
            m1 = measure([*gk, "export", *map(str, files), "--to", "neo4j-admin", "--out", str(csv)])
            add("neo4j-admin: export CSV (graphkit export --to neo4j-admin)", m1, note=f"CSV {_du(csv)}")
            if m1.ok:
                env = os.environ | {"NEO4J_ADMIN": f"{ROOT / 'scripts' / 'neo4j'} admin --home {home}",
                                    "GRAPHKIT_NEO4J_HEAP": args.import_heap}
                m2 = measure(["bash", str(csv / "import.sh"), "neo4j"], env=env)
                done = re.search(r"Imported:\s*(\d+) nodes\s*(\d+) relationships", m2.stdout + m2.stderr)
                note = (f"{int(done.group(1)):,} nodes, {int(done.group(2)):,} relationships; "
                        if done else "") + f"store {_du(home / 'data')}; RSS = the import tool's JVM"
                add("neo4j-admin: database import full", m2, note=note)
                total = Measurement([], m1.wall_s + m2.wall_s, max(m1.rss_mb, m2.rss_mb), 0, m1.cpu_s + m2.cpu_s,
                                    m2.returncode, "", m2.stderr, m1.load_before, m2.load_after)
                add("neo4j-admin: total (export + import)", total, note="target < 600 s at 1M" if n >= 1_000_000 else "")
            _rm(csv)
            _rm(home)

        if step == "rdf":
            nt = work / "graph.nt"
            _rm(nt)
            m = measure([*gk, "export", *map(str, files), "--to", "rdf", "--rdf-format", "nt", "--out", str(nt)])
            lines = None
            if m.ok and nt.exists():
                lines = int(subprocess.run(["wc", "-l", str(nt)], capture_output=True, text=True).stdout.split()[0])
            add("RDF N-Triples (graphkit export --to rdf --rdf-format nt)", m,
                note=f"{lines:,} triples, {_du(nt)}" if lines is not None else "")
            _rm(nt)


def run_bolt(n: int, files: list[Path], work: Path, args: argparse.Namespace, run: Run, state: dict, add) -> None:
    env = None
    home = None
    if args.start_neo4j:
        home = args.out / f"neo4j-{n}"
        try:
            env = os.environ | start_neo4j(home, args.neo4j_heap)
        except subprocess.CalledProcessError as exc:
            run.add(Row(n, "ingest: Neo4j (Bolt)", n, None, None, None, "-", f"server did not start: {_tail(exc.stderr)}",
                        False), args.table)
            return
    elif os.environ.get("NEO4J_URI"):
        env = dict(os.environ)
    else:
        run.add(Row(n, "ingest: Neo4j (Bolt)", n, None, None, None, "-", "skipped: no NEO4J_URI and no --start-neo4j"),
                args.table)
        return
    try:
        use, records, label = files, n, "ingest: Neo4j (Bolt loader, graphkit ingest --neo4j)"
        rate = state.get("bolt_rate")
        fraction = args.bolt_fraction
        if fraction >= 1.0 and rate and n / rate > args.bolt_limit:
            fraction = max(0.01, math.floor(args.bolt_limit * rate / n * 20) / 20)
        if fraction < 1.0:
            use, records = prefix_files(files, fraction, work / "bolt-prefix")
            label = f"ingest: Neo4j (Bolt loader) on {fraction:.0%} of the records"
        gk = [sys.executable, "-m", "graphkit.cli"] if args.module_cli else [shutil.which("graphkit") or "graphkit"]
        m = measure([*gk, "ingest", *map(str, use), "--neo4j", env["NEO4J_URI"], "-q"], env=env)
        server = server_rss_mb(home) if home else None
        row = add(label, m, records, note=f"server JVM RSS after: {server:,.0f} MB (heap {args.neo4j_heap})"
                  if server else "python RSS only (server separate)")
        if m.ok and row.rate:
            state["bolt_rate"] = row.rate
            if fraction < 1.0:
                est = n / row.rate
                run.add(Row(n, f"ingest: Neo4j (Bolt loader) EXTRAPOLATED from the {fraction:.0%} run", n, est,
                            None, None, "-", f"linear extrapolation: {n:,} / {row.rate:,.0f} records/s; not measured"),
                        args.table)
        _rm(work / "bolt-prefix")
    finally:
        if home:
            stop_neo4j(home)
            _rm(home / "data")


def main(argv: list[str] | None = None) -> None:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["--step"]:
        child_step(argv[1], argv[2:])
        return
    ap = argparse.ArgumentParser(description="graphkit end-to-end scale runs (see the module docstring).")
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated record counts")
    ap.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated, of: {', '.join(STEPS)}")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", type=Path, default=OUT / "scale", help="work directory (generated data, stores)")
    ap.add_argument("--table", type=Path, default=OUT / "scale.md", help="markdown table written here")
    ap.add_argument("--start-neo4j", action="store_true", help="start a private Neo4j per size for the Bolt step")
    ap.add_argument("--neo4j-heap", default="2g", help="heap of the --start-neo4j server")
    ap.add_argument("--import-heap", default="1g", help="heap of the neo4j-admin import tool")
    ap.add_argument("--bolt-limit", type=float, default=1200.0,
                    help="seconds: above this predicted time the Bolt step runs on a fraction and extrapolates")
    ap.add_argument("--bolt-fraction", type=float, default=1.0,
                    help="run the Bolt step on this share of every file (record-aligned prefix) and extrapolate")
    ap.add_argument("--module-cli", action="store_true", help="run 'python -m graphkit.cli' instead of 'graphkit'")
    args = ap.parse_args(argv)
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = set(steps) - set(STEPS)
    if unknown:
        ap.error(f"unknown steps: {', '.join(sorted(unknown))}")
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",")]
    run = Run()
    state: dict = {}
    for n in sorted(sizes):
        run_size(n, steps, args, run, state)
    print()
    print(run.table())
    print(f"written to {args.table}")


if __name__ == "__main__":
    main()
