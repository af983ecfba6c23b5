"""The columnar core against today's build, side by side in one run (issue 12's targets).

    python bench/core.py --sizes 20000,100000 --steps stats,ingest,admin [--spark-sizes 20000]
    python bench/core.py --sizes 1000000 --steps admin,stats

For every size the generated set (bench/generate.py via bench/scale.py, seed 42: RIS + MEDLINE with 10%
known duplicates) is built by

* ``b4e9f4c``: today's build, the source tree of commit b4e9f4c (extracted with ``git archive`` into the
  work directory; nothing in the repository changes), run as ``python -m graphkit``;
* ``old``: this checkout's old core (:func:`graphkit.build.build_from_files`, the dict graph the
  differential tests compare with), run through the same CLI with ``graphkit.engine.build_files``
  pointed at it (stats and admin only: the embedded store has its own build);
* ``default``: this checkout, the columnar core on DuckDB (``--engine default``), as Python source
  (``GRAPHKIT_COMPILED=0``: what ``pip install`` alone gives);
* ``compiled``: the same with the compiled copies of the hot modules (``graphkit compile``, run first;
  only with ``--compiled``). ``old`` runs as source too;
* ``spark``: this checkout, ``--engine spark --spark-master local[*]`` (only for ``--spark-sizes``).

Steps: ``stats`` (``graphkit stats FILES --json``: read + resolve + graph, nothing written),
``ingest`` (``graphkit ingest FILES --db DIR -q`` into a fresh embedded store), ``admin``
(``graphkit export FILES --to neo4j-admin --out DIR``). Each command runs in its own subprocess,
measured by bench/_measure.py (wall, CPU of the process tree, peak RSS, load average). The ``stats``
outputs of the engines are compared: a row says ``same`` when its JSON equals b4e9f4c's.

Writes bench/out/core/core.md (+ core.json) and prints the table.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._measure import Measurement, measure  # noqa: E402
from bench.scale import generated  # noqa: E402

BASELINE = "b4e9f4c"


@dataclass(slots=True)
class Row:
    records: int
    step: str
    engine: str
    wall_s: float
    cpu_s: float
    rss_mb: float
    load: str
    ok: bool
    note: str = ""


def baseline_tree(work: Path) -> Path:
    """The source tree of BASELINE under ``work`` (git archive: the repository is not touched)."""
    dest = work / f"src-{BASELINE}"
    if not (dest / "graphkit").is_dir():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", BASELINE], check=True, capture_output=True)
        subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


OLD_CORE = ("import sys, importlib; e = importlib.import_module('graphkit.engine'); "
            "b = importlib.import_module('graphkit.build'); "
            "e.build_files = lambda paths, options=b.BuildOptions(), **k: "
            "b.build_from_files(paths, options, progress=k.get('progress', b.null_progress)); "
            "from graphkit.cli import main; sys.argv[0] = 'graphkit'; main()")


def command(step: str, engine: str, files: list[Path], out: Path) -> list[str]:
    base = [sys.executable, "-c", OLD_CORE] if engine == "old" else [sys.executable, "-m", "graphkit"]
    names = [str(Path(f).resolve()) for f in files]
    flags = [] if engine in (BASELINE, "old") else ["--engine", "default" if engine == "compiled" else engine]
    if step == "stats":
        return base + ["stats", *names, "--json", *flags]
    if step == "ingest":
        return base + ["ingest", *names, "--db", str(out), "-q", *flags]
    if step == "admin":
        return base + ["export", *names, "--to", "neo4j-admin", "--out", str(out), *flags]
    raise SystemExit(f"unknown step {step}")


def run(args: argparse.Namespace) -> list[Row]:
    work = Path(args.out).resolve()
    work.mkdir(parents=True, exist_ok=True)
    old_src = baseline_tree(work)
    rows: list[Row] = []
    spark_sizes = {int(s) for s in args.spark_sizes.split(",") if s}
    if args.compiled:  # the compiled copies of this checkout's source, in the user cache
        subprocess.run([sys.executable, "-m", "graphkit", "compile"], check=True, cwd=ROOT,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
    for n in (int(s) for s in args.sizes.split(",")):
        files, note = generated(n, work / f"gen-{n}", args.seed)
        print(f"{n:,} records: {note}", flush=True)
        for step in args.steps.split(","):
            stats_json: dict[str, str] = {}
            engines = [BASELINE] + (["old"] if args.old and step != "ingest" else []) + ["default"]
            engines += ["compiled"] if args.compiled else []
            engines += ["spark"] if n in spark_sizes else []
            if args.engines:
                engines = [e for e in engines if e in args.engines.split(",")]
            for engine in engines:
                if engine == "spark" and step != "stats" and not args.spark_all_steps:
                    continue
                target = work / f"out-{n}-{step}-{engine}"
                shutil.rmtree(target, ignore_errors=True)
                env = dict(os.environ, PYTHONPATH=str(old_src if engine == BASELINE else ROOT),
                           GRAPHKIT_COMPILED="1" if engine == "compiled" else "0")
                m: Measurement = measure(command(step, engine, files, target), env=env, cwd=work,
                                         timeout=args.timeout)
                note = "" if m.ok else f"failed: {' '.join(m.stderr.split())[-300:]}"
                if step == "stats" and m.ok:
                    stats_json[engine] = m.stdout.strip()
                    first = "old" if "old" in stats_json else next(iter(stats_json))
                    if engine != first:
                        same = json.loads(stats_json[engine]) == json.loads(stats_json[first])
                        note = f"same JSON as {first}" if same else f"JSON DIFFERS from {first}"
                row = Row(n, step, engine, round(m.wall_s, 1), round(m.cpu_s, 1), round(m.rss_mb),
                          f"{m.load_before:.1f}/{m.load_after:.1f}", m.ok, note)
                rows.append(row)
                print(_md(row), flush=True)
                shutil.rmtree(target, ignore_errors=True)
    return rows


def _md(r: Row) -> str:
    return (f"| {r.records:,} | {r.step} | {r.engine} | {r.wall_s:,.1f} | {r.cpu_s:,.1f} | {r.rss_mb:,.0f} | "
            f"{r.load} | {r.note} |")


def table(rows: list[Row]) -> str:
    head = ("| records | step | engine | wall s | CPU s | peak RSS MB | load before/after | note |\n"
            "| ---: | --- | --- | ---: | ---: | ---: | --- | --- |\n")
    lines = [_md(r) for r in rows]
    ratios = []
    for r in rows:
        if r.engine == BASELINE or not r.ok:
            continue
        base = next((b for b in rows if b.records == r.records and b.step == r.step and b.engine == BASELINE
                     and b.ok), None)
        if base and r.wall_s and r.rss_mb:
            ratios.append(f"* {r.records:,} {r.step}, {r.engine} vs {BASELINE}: speed-up (wall) "
                          f"{base.wall_s / r.wall_s:.2f}x, CPU {r.cpu_s / max(base.cpu_s, 0.1):.2f}x, "
                          f"peak RSS {r.rss_mb / base.rss_mb:.2f}x")
    return head + "\n".join(lines) + "\n\n" + "\n".join(ratios) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="20000")
    ap.add_argument("--steps", default="stats,ingest,admin")
    ap.add_argument("--spark-sizes", default="", help="sizes that also run --engine spark")
    ap.add_argument("--spark-all-steps", action="store_true", help="spark on every step, not only stats")
    ap.add_argument("--old", action="store_true", help="also this checkout's old core (stats, admin)")
    ap.add_argument("--compiled", action="store_true",
                    help="also the default engine with the compiled modules (graphkit compile)")
    ap.add_argument("--engines", default="", help="only these engines (b4e9f4c,old,default,compiled,spark)")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--out", default=str(ROOT / "bench" / "out" / "core"))
    args = ap.parse_args(argv)
    rows = run(args)
    text = table(rows)
    print(text)
    out = Path(args.out)
    (out / "core.md").write_text(text, encoding="utf-8")
    (out / "core.json").write_text(json.dumps([asdict(r) for r in rows], indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
