"""Crash-consistency harness for the embedded store: kill -9 a write at every step, and at random times.

    python bench/crash.py [--records 2000] [--seed 7] [--random 10] [--scenarios all] [--concurrency 5]
                          [--distinct] [--fork]

Data: two files from bench/generate.py (RIS + MEDLINE exports of one synthetic literature). Scenarios,
each a real ``graphkit`` command in a child process on a copy of a prepared store:

* ``first-ingest``: an empty directory, ``ingest A`` (before: no graph; after: A);
* ``incremental``: a store holding A, ``ingest B`` (after: A+B);
* ``cypher-write``: a store holding A+B, ``cypher --write "MATCH (p:Paper) SET p.title = ..."``;
* ``rebuild``: a store holding A+B, ``rebuild``.

First a clean run of each with ``GRAPHKIT_CRASH_TRACE`` lists the crash points it passes (see
:mod:`graphkit.faults`); then one trial per point kills the child there with SIGKILL
(``GRAPHKIT_CRASH_AT``), and ``--random`` trials per scenario kill it with SIGKILL after a random delay
between 0 and the clean run's duration. After every kill:

1. the store is opened by a reader, which must see exactly the *before* or the *after* digest (every node,
   edge and property, the manifest's files and options, search results for fixed queries) or, before
   a first ingest, no graph; and must write nothing (every file's size and mtime unchanged);
2. the command is run again without a fault: it must exit 0, give the *after* digest, and leave one
   generation (the orphan of the killed write removed), no pointer temp file, no holder file.

``--concurrency N`` then runs N rounds of two ``ingest`` commands started together on one new store
(A and B) while a loop of readers runs ``cypher`` on it: both must exit 0, the store must end holding
A+B, and every read must give a count of a state that existed (or "no graph yet") with exit 0/1.
Prints a markdown summary; exits 1 if any store was corrupt.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from graphkit.faults import CRASH_AT, CRASH_TRACE  # noqa: E402
from graphkit.model import GraphkitError  # noqa: E402
from graphkit.schema import Label, RelType  # noqa: E402

OUT = ROOT / "bench" / "out"
SEARCHES = ("a*", "e*", "o*", "i*", "u*")  # prefix queries touching most of the index
EMPTY = "no graph"


@dataclass(slots=True)
class Scenario:
    name: str
    setup: list[list[str]]  # commands (graphkit args, without --db) that make the "before" store
    command: list[str]  # the write under test


@dataclass(slots=True)
class Outcome:
    scenario: str
    kind: str  # "point" or "random"
    at: str  # the crash point or the delay
    killed: bool  # False when the command finished before the kill
    state: str  # "before", "after" or "CORRUPT: ..."
    reread_clean: bool  # the crashed store's reads wrote nothing
    rerun_ok: bool  # the rerun exited 0 with the after digest and no leftovers


@dataclass
class Report:
    outcomes: list[Outcome] = field(default_factory=list)
    points: dict[str, list[str]] = field(default_factory=dict)
    clean_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def corrupt(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.state not in ("before", "after") or not o.reread_clean
                or not o.rerun_ok]


def scenarios(a: Path, b: Path) -> list[Scenario]:
    return [
        Scenario("first-ingest", [], ["ingest", "-q", str(a)]),
        Scenario("incremental", [["ingest", "-q", str(a)]], ["ingest", "-q", str(b)]),
        Scenario("cypher-write", [["ingest", "-q", str(a), str(b)]],
                 ["cypher", "--write", "MATCH (p:Paper) WHERE p.year >= 2000 SET p.title = 'edited' "
                                       "RETURN count(p) AS n"]),
        Scenario("rebuild", [["ingest", "-q", str(a), str(b)]], ["rebuild", "-q"]),
    ]


def graphkit(db: Path, args: list[str], env: dict[str, str] | None = None, *,
             popen: bool = False) -> subprocess.CompletedProcess | subprocess.Popen:
    """``python -m graphkit ARGS --db DB`` in a child process (this checkout on PYTHONPATH)."""
    cmd = [sys.executable, "-m", "graphkit", *args, "--db", str(db)]
    full = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    for var in (CRASH_AT, CRASH_TRACE):
        if var not in (env or {}):
            full.pop(var, None)
    if popen:
        return subprocess.Popen(cmd, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return subprocess.run(cmd, env=full, capture_output=True, text=True, timeout=900)


class Forked:
    """``graphkit ARGS --db DB`` in a forked child of this process: the same command and the same real
    SIGKILL, without a new interpreter's start-up (what makes the test-suite version affordable)."""

    def __init__(self, db: Path, args: list[str], env: dict[str, str] | None = None) -> None:
        self.returncode: int | None = None
        self.pid = os.fork()
        if self.pid == 0:  # the child: run the command, never return into the caller
            code = 1
            try:
                from graphkit import faults
                from graphkit.cli import main

                for var in (CRASH_AT, CRASH_TRACE):
                    os.environ.pop(var, None)
                os.environ.update(env or {})
                faults._seen.clear()
                devnull = os.open(os.devnull, os.O_WRONLY)
                os.dup2(devnull, 1)
                os.dup2(devnull, 2)
                main([*args, "--db", str(db)], prog_name="graphkit")
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
            finally:
                os._exit(code)

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        if self.poll() is None:
            os.kill(self.pid, signal.SIGKILL)


def launch(db: Path, args: list[str], env: dict[str, str] | None = None, *, fork: bool = False):
    """Start the command: a forked child (``fork``) or a new ``python -m graphkit`` process; either has
    ``poll()``, ``wait()`` and ``kill()``."""
    if fork:
        return Forked(db, args, env)
    child = graphkit(db, args, env, popen=True)
    child.kill = lambda: child.send_signal(signal.SIGKILL) if child.poll() is None else None  # type: ignore
    child.wait = lambda: child.communicate() and child.returncode  # type: ignore
    return child


def files_snapshot(db: Path) -> dict[str, tuple[int, int]]:
    if not db.exists():
        return {}
    return {str(f.relative_to(db)): (f.stat().st_size, f.stat().st_mtime_ns)
            for f in sorted(db.rglob("*")) if f.is_file()}


def digest(db: Path) -> str:
    """What a reader sees: every node, edge and property, the manifest's files and options, search results;
    ``EMPTY`` when there is no graph yet. A store that cannot be read raises."""
    from graphkit.sinks.embedded import EmbeddedStore

    try:
        store = EmbeddedStore(db)
        store.generation
    except GraphkitError as exc:
        if "no graph store" in str(exc) or "holds no graph yet" in str(exc):
            return EMPTY
        raise
    with store:
        graph = store.read_graph()
        body = {str(label): sorted(json.dumps(r, sort_keys=True, default=str) for r in graph.nodes(label))
                for label in Label}
        body.update({str(t): sorted(json.dumps(r, sort_keys=True, default=str) for r in graph.edges(t))
                     for t in RelType})
        m = store.manifest
        body["manifest"] = {"options": m.get("options"), "edited": m.get("edited", False),
                            "entries": [{k: e.get(k) for k in ("kind", "path", "sha256", "format", "records")}
                                        for e in m["entries"]]}
        body["search"] = [[(r["kind"], r["key"], round(r["score"], 6)) for r in store.search(q, limit=25)]
                          for q in SEARCHES]
        keys = {r["key"] for label in Label for r in graph.nodes(label)}
        stray = [k for hits in body["search"] for _, k, _ in hits if k not in keys]
        if stray:
            raise AssertionError(f"search index and graph disagree: {stray[:3]}")
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def leftovers(db: Path) -> list[str]:
    """What a finished write must not leave: more than one generation, a pointer temp file, a holder file."""
    from graphkit.store_dir import POINTER, StoreDir
    from graphkit.store_lock import HOLDER_FILE

    out = [f"generations {g}" for g in [StoreDir(db).generations()] if len(g) != 1]
    out += [name for name in (POINTER + ".tmp", HOLDER_FILE) if (db / name).exists()]
    return out


def prepare(scenario: Scenario, work: Path, fork: bool = False) -> tuple[Path, str, str, float, list[str]]:
    """The before store (a template to copy), the before and after digests, the clean run's duration and
    its crash points."""
    template = work / f"{scenario.name}-before.db"
    shutil.rmtree(template, ignore_errors=True)
    for args in scenario.setup:
        done = graphkit(template, args)
        if done.returncode:
            raise SystemExit(f"setup of {scenario.name} failed: {done.stderr}")
    before = digest(template)
    trial = work / f"{scenario.name}-clean.db"
    _copy(template, trial)
    trace = work / f"{scenario.name}.trace"
    trace.unlink(missing_ok=True)
    t = time.perf_counter()
    code = launch(trial, scenario.command, {CRASH_TRACE: str(trace)}, fork=fork).wait()
    seconds = time.perf_counter() - t
    if code:
        raise SystemExit(f"clean run of {scenario.name} failed (exit {code})")
    after = digest(trial)
    points = trace.read_text(encoding="utf-8").split()
    shutil.rmtree(trial)
    return template, before, after, seconds, points


def _copy(template: Path, to: Path) -> None:
    shutil.rmtree(to, ignore_errors=True)
    if template.exists():
        shutil.copytree(template, to)


def run_trial(scenario: Scenario, template: Path, before: str, after: str, work: Path, *,
              point: str | None = None, delay: float | None = None, fork: bool = False) -> Outcome:
    db = work / f"{scenario.name}-trial.db"
    _copy(template, db)
    if point is not None:
        code = launch(db, scenario.command, {CRASH_AT: point}, fork=fork).wait()
        killed = code == -signal.SIGKILL
        at, kind = point, "point"
    else:
        child = launch(db, scenario.command, fork=fork)
        time.sleep(delay or 0.0)
        killed = child.poll() is None
        child.kill()
        child.wait()
        at, kind = f"{delay:.2f}s", "random"
    snap = files_snapshot(db)
    try:
        seen = digest(db)
        state = "before" if seen == before else "after" if seen == after else "CORRUPT: another digest"
    except (GraphkitError, AssertionError) as exc:
        state = f"CORRUPT: {' '.join(str(exc).split())[:160]}"
    clean = files_snapshot(db) == snap
    rerun = launch(db, scenario.command, fork=fork).wait()
    try:
        rerun_ok = rerun == 0 and digest(db) == after and not leftovers(db)
    except (GraphkitError, AssertionError):
        rerun_ok = False
    shutil.rmtree(db, ignore_errors=True)
    return Outcome(scenario.name, kind, at, killed, state, clean, rerun_ok)


def crash_trials(a: Path, b: Path, work: Path, *, names: list[str] | None = None, random_trials: int = 0,
                 seed: int = 7, only: Callable[[str], bool] | None = None, fork: bool = False,
                 log=print) -> Report:
    """Every scenario named (default all): a kill at each crash point (or at those ``only`` accepts) and
    ``random_trials`` kills at random times; commands run in new processes, or forked (``fork``)."""
    rng = random.Random(seed)
    report = Report()
    for scenario in scenarios(a, b):
        if names and scenario.name not in names:
            continue
        template, before, after, seconds, points = prepare(scenario, work, fork)
        report.points[scenario.name] = points
        report.clean_seconds[scenario.name] = seconds
        log(f"{scenario.name}: {len(points)} crash points, clean run {seconds:.1f} s")
        for point in points:
            if only is not None and not only(point):
                continue
            o = run_trial(scenario, template, before, after, work, point=point, fork=fork)
            report.outcomes.append(o)
            log(f"  kill at {point:<28} -> {o.state}{'' if o.killed else ' (not killed)'}"
                f"{'' if o.reread_clean else ' READ WROTE'}{'' if o.rerun_ok else ' RERUN FAILED'}")
        for _ in range(random_trials):
            o = run_trial(scenario, template, before, after, work, delay=rng.uniform(0, seconds), fork=fork)
            report.outcomes.append(o)
            log(f"  kill after {o.at:<25} -> {o.state}{'' if o.killed else ' (finished first)'}"
                f"{'' if o.reread_clean else ' READ WROTE'}{'' if o.rerun_ok else ' RERUN FAILED'}")
        shutil.rmtree(template, ignore_errors=True)
    return report


@dataclass(slots=True)
class RoundResult:
    writers_ok: bool
    waited: bool  # one writer printed the waiting message
    complete: bool  # the store ended with both files
    reads: int
    reads_bad: list[str]


def concurrency_round(a: Path, b: Path, db: Path, *, expected: set[str], valid_counts: set[int]) -> RoundResult:
    """Two ingests of A and B started together on a new store, readers in a loop until both finish.
    ``expected``: the digests of ingesting A then B and B then A (whichever writer goes first)."""
    shutil.rmtree(db, ignore_errors=True)
    writers = [graphkit(db, ["ingest", "-q", str(f)], popen=True) for f in (a, b)]
    reads, bad = 0, []
    while any(w.poll() is None for w in writers):
        r = graphkit(db, ["cypher", "MATCH (p:Paper) RETURN count(p) AS n", "--format", "json"])
        reads += 1
        if r.returncode == 0:
            n = json.loads(r.stdout)[0]["n"]
            if n not in valid_counts:
                bad.append(f"count {n}")
        elif not ("no graph" in r.stderr and len(r.stderr.strip().splitlines()) == 1):
            bad.append(f"exit {r.returncode}: {r.stderr.strip()[:200]}")
    outs = [w.communicate() for w in writers]
    ok = all(w.returncode == 0 for w in writers)
    waited = any("waiting for" in err for _, err in outs)
    complete = digest(db) in expected
    return RoundResult(ok, waited, complete, reads, bad)


def expected_states(a: Path, b: Path, work: Path) -> tuple[set[str], set[int]]:
    """What two racing writers of A and B may leave: the digests of ingesting A then B and B then A
    (whichever goes first); and the paper counts a reader may see on the way (none, A, B, A+B)."""
    from graphkit.sinks.embedded import EmbeddedStore

    digests, counts = set(), {0}
    for order in ((a, b), (b, a)):
        db = work / "sequential.db"
        shutil.rmtree(db, ignore_errors=True)
        with EmbeddedStore(db, create=True) as store:
            for f in order:
                store.ingest([f])
                counts.add(store.counts()["Paper"])
        digests.add(digest(db))
        shutil.rmtree(db)
    return digests, counts


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--records", type=int, default=2000, help="records in the two files together")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--random", type=int, default=10, help="random-time kills per scenario")
    ap.add_argument("--scenarios", default="all", help="comma-separated names, or all")
    ap.add_argument("--concurrency", type=int, default=5, help="rounds of two writers + readers")
    ap.add_argument("--distinct", action="store_true",
                    help="kill once per step: a step repeated in a loop (one COPY per table) only at its first time")
    ap.add_argument("--fork", action="store_true",
                    help="run each killed command in a forked child of this process instead of a new interpreter "
                         "(the same command and SIGKILL, without the start-up; what the test suite does)")
    args = ap.parse_args(argv)
    from bench.generate import generate

    work = OUT / f"crash-{args.records}-{args.seed}"
    data = work / "data"
    if not (data / "manifest.json").exists():
        generate(args.records, data, seed=args.seed, dup_rate=0.1, broken_rate=0.0)
    a, b = sorted(data.glob("export-*.ris"))[0], sorted(data.glob("export-*.nbib"))[0]
    names = None if args.scenarios == "all" else args.scenarios.split(",")
    started = time.perf_counter()
    only = (lambda p: p.endswith("#1")) if args.distinct else None
    report = crash_trials(a, b, work, names=names, random_trials=args.random, seed=args.seed, fork=args.fork,
                          only=only)
    print(f"\n## Crash trials ({args.records} records, {'forked' if args.fork else 'new'} processes, "
          f"load {os.getloadavg()[0]:.1f}, {time.perf_counter() - started:.0f} s)\n")
    print("| scenario | crash points | kills at points | random kills (killed / finished first) | before | after "
          "| corrupt | reads that wrote | reruns failed |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, points in report.points.items():
        rows = [o for o in report.outcomes if o.scenario == name]
        rnd = [o for o in rows if o.kind == "random"]
        print(f"| {name} | {len(points)} | {sum(o.kind == 'point' and o.killed for o in rows)} "
              f"| {sum(o.killed for o in rnd)} / {sum(not o.killed for o in rnd)} "
              f"| {sum(o.state == 'before' for o in rows)} | {sum(o.state == 'after' for o in rows)} "
              f"| {sum(o.state.startswith('CORRUPT') for o in rows)} | {sum(not o.reread_clean for o in rows)} "
              f"| {sum(not o.rerun_ok for o in rows)} |")
    print(f"\n{len(report.outcomes)} trials, {len(report.outcomes)} stores checked, "
          f"{len(report.corrupt)} corrupt")
    bad = bool(report.corrupt)
    if args.concurrency:
        expected, counts = expected_states(a, b, work)
        rounds = [concurrency_round(a, b, work / "race.db", expected=expected, valid_counts=counts)
                  for _ in range(args.concurrency)]
        print(f"\n## Two writers + readers ({args.concurrency} rounds)\n")
        print(f"- both writers exit 0: {sum(r.writers_ok for r in rounds)} / {len(rounds)}; one waited with a "
              f"message: {sum(r.waited for r in rounds)}; store holds A+B: {sum(r.complete for r in rounds)}")
        print(f"- reads during the writes: {sum(r.reads for r in rounds)}, wrong or failed: "
              f"{sum(len(r.reads_bad) for r in rounds)} {[x for r in rounds for x in r.reads_bad][:5]}")
        bad |= not all(r.writers_ok and r.complete and not r.reads_bad for r in rounds)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
