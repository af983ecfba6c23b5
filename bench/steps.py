"""Run a graphkit command in two measured steps: the read, then the build from what the read left.

A 10M-record build takes longer than one sitting may allow, and its two halves have different peaks: the
read (worker processes normalising the files into Parquet tables) and the build (the rules, the author
resolver, the extensions, the sink). This script runs the CLI's own code for each half, each in a process
of its own measured by :func:`bench._measure.measure` (wall, CPU, peak PSS over the process tree) while the
work directory's size and the disk's free space are sampled:

    python bench/steps.py read  STATE -- -vv export x10m/*.xml.gz --to parquet --out OUT --work-dir WORK
    python bench/steps.py build STATE -- -vv export x10m/*.xml.gz --to parquet --out OUT --work-dir WORK

``read`` runs the command until the input is normalised (the tables in the engine's directory under
``WORK``), keeps the tasks' results (diagnostics, counts) and that directory's name in
``STATE/results.pickle`` and ends. ``build`` runs the same command with the read replaced by those
results and the engine's directory by the read's: every rule, the extensions, the report and the sink,
as one command runs them after its read (which then removes the directory). Both need ``--work-dir``. Each step's measurement goes
to ``STATE/<step>.json`` and its log (stderr) to ``STATE/<step>.log``.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = "results.pickle"


def _work_dir(argv: list[str]) -> Path:
    for i, arg in enumerate(argv):
        if arg == "--work-dir" and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--work-dir="):
            return Path(arg.split("=", 1)[1])
    raise SystemExit("the command needs --work-dir: the read leaves its tables there for the build")


def _run(step: str, state: Path, argv: list[str]) -> None:
    """In the measured process: the CLI with the read cut after it (``read``) or replaced by the saved
    results (``build``)."""
    sys.path.insert(0, str(ROOT))
    from graphkit.cli import main
    from graphkit.engine import core

    if step == "read":
        def read_only(self: core._Build) -> None:  # noqa: SLF001
            results = self._normalise()  # noqa: SLF001
            with (state / RESULTS).open("wb") as f:
                pickle.dump((self.workdir, results), f, protocol=pickle.HIGHEST_PROTOCOL)
            sys.stderr.flush()
            os._exit(0)  # (nothing cleaned up: the tables stay in the engine's directory)

        core._Build.run = read_only  # type: ignore[method-assign]  # noqa: SLF001
    else:
        with (state / RESULTS).open("rb") as f:
            workdir, results = pickle.load(f)
        mkdtemp = core.tempfile.mkdtemp

        def same_dir(*args: object, **kwargs: object) -> str:  # (the engine's directory: the read's)
            if kwargs.get("prefix") == "graphkit-engine-":
                return str(workdir)
            return mkdtemp(*args, **kwargs)  # type: ignore[arg-type]

        core.tempfile.mkdtemp = same_dir  # type: ignore[assignment]
        core._Build._normalise = lambda self: results  # type: ignore[method-assign]  # noqa: SLF001
    main(argv, prog_name="graphkit")


def _sample_disk(work: Path, out: dict[str, float], done: threading.Event, every: float = 10.0) -> None:
    while not done.is_set():
        try:
            size = sum(p.stat().st_size for p in work.rglob("*") if p.is_file())
        except OSError:  # (files come and go while it walks)
            size = 0
        out["work_dir_peak_gb"] = max(out.get("work_dir_peak_gb", 0.0), size / 2**30)
        free = shutil.disk_usage(work if work.exists() else work.parent).free / 2**30
        out["disk_free_min_gb"] = min(out.get("disk_free_min_gb", free), free)
        done.wait(every)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("step", choices=["read", "build", "_run"])
    ap.add_argument("state", type=Path, help="folder for the read's results, the logs and the measurements")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- then the graphkit command line")
    args = ap.parse_args()
    argv = args.command[1:] if args.command[:1] == ["--"] else args.command
    if args.step == "_run":
        step = os.environ["GRAPHKIT_STEP"]
        fd = os.open(os.environ["GRAPHKIT_STEP_LOG"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(fd, 2)  # (the log as it is written, not captured until the end)
        _run(step, args.state, argv)
        return
    sys.path.insert(0, str(ROOT))
    from bench._measure import measure

    work = _work_dir(argv)
    args.state.mkdir(parents=True, exist_ok=True)
    if args.step == "build" and not (args.state / RESULTS).exists():
        raise SystemExit(f"no {RESULTS} in {args.state}: run the read step first")
    disk: dict[str, float] = {}
    done = threading.Event()
    sampler = threading.Thread(target=_sample_disk, args=(work, disk, done), daemon=True)
    sampler.start()
    log_path = args.state / f"{args.step}.log"
    env = dict(os.environ, GRAPHKIT_STEP=args.step, GRAPHKIT_STEP_LOG=str(log_path))
    command = [sys.executable, str(Path(__file__).resolve()), "_run", str(args.state), "--", *argv]
    started = time.time()
    m = measure(command, env=env, interval=1.0)
    done.set()
    sampler.join()
    result = {"step": args.step, "command": argv, "started": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(started)),
              "wall_s": round(m.wall_s, 1), "cpu_s": round(m.cpu_s, 1), "peak_pss_mb": round(m.peak_rss_mb),
              "max_proc_rss_mb": round(m.max_proc_rss_mb), "returncode": m.returncode,
              **{k: round(v, 1) for k, v in disk.items()}}
    (args.state / f"{args.step}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))
    if m.returncode:
        print(m.stderr[-4000:], file=sys.stderr)
        raise SystemExit(m.returncode)


if __name__ == "__main__":
    main()
