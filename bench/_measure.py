"""Run one benchmark step in a subprocess and measure it: wall time, peak RSS, load.

    from bench._measure import measure
    m = measure(["graphkit", "ingest", *files, "--db", "x.db", "-q"])
    m.wall_s, m.cpu_s, m.peak_rss_mb, m.max_proc_rss_mb, m.returncode, m.stdout, m.load_before

CPU time (user + system, from ``os.wait4``: the child and every descendant it waited for) is kept next
to wall time because the benchmark machine is shared: under load, wall time measures the neighbours
too, CPU time much less so.

Peak RSS is measured two ways and both are kept:

* ``peak_rss_mb``: the largest SUM of memory over the whole process tree (the command and every
  descendant: parallel-parsing workers, a forked resolver, a JVM started by a script), sampled by psutil
  every ``interval`` seconds (0.5 s: listing the tree costs CPU). Each process counts its PSS
  (proportional set size: a page shared by k processes counts 1/k in each; for a lone process PSS =
  RSS), so pages a forked child shares with its parent are counted once, not once per process as a sum
  of RSS would (a child forked from a 5 GB process starts at 5 GB of RSS). Where PSS is not available
  (not Linux), RSS. Sampling can miss a spike shorter than the interval.
* ``max_proc_rss_mb``: the kernel's high-water mark of the largest single process, from
  ``os.wait4`` on the child (its ``ru_maxrss`` covers the child and its waited-for descendants).
  It never misses a spike but does not add up concurrent processes.

The figure reported in tables is ``max(peak_rss_mb, max_proc_rss_mb)``.
"""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import psutil

log = logging.getLogger(__name__)

MB = 1024 * 1024


@dataclass(slots=True)
class Measurement:
    command: list[str]
    wall_s: float
    peak_rss_mb: float       # largest sampled sum of PSS over the process tree
    max_proc_rss_mb: float   # kernel high-water mark of the largest single process (wait4)
    cpu_s: float             # user + system CPU of the child and its waited-for descendants (wait4)
    returncode: int
    stdout: str
    stderr: str
    load_before: float       # 1-minute load average when the step started
    load_after: float

    @property
    def rss_mb(self) -> float:
        return max(self.peak_rss_mb, self.max_proc_rss_mb)

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _tree_memory(proc: psutil.Process) -> int:
    """The sum of PSS over the process tree (RSS where PSS is not available)."""
    total = 0
    try:
        procs = [proc] + proc.children(recursive=True)
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += _memory(p)
        except psutil.Error:
            pass
    return total


def _memory(p: psutil.Process) -> int:
    try:
        return p.memory_full_info().pss
    except (AttributeError, psutil.AccessDenied):
        return p.memory_info().rss


def measure(command: Sequence[str], *, env: dict[str, str] | None = None, cwd: str | Path | None = None,
            interval: float = 0.5, timeout: float | None = None) -> Measurement:
    """Run ``command`` (no shell), wait for it, and return its Measurement. stdout/stderr are captured
    to temporary files (no pipe deadlock on large output)."""
    import tempfile

    command = [str(c) for c in command]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, env=env, cwd=cwd)
        peak = 0
        seen_cpu: dict[int, float] = {}  # pid -> last sampled user+system CPU of each process of the tree
        done = threading.Event()

        def poll() -> None:
            nonlocal peak
            try:
                proc = psutil.Process(child.pid)
            except psutil.Error:
                return
            while not done.is_set():
                peak = max(peak, _tree_memory(proc))
                try:
                    for p in [proc, *proc.children(recursive=True)]:
                        t = p.cpu_times()
                        seen_cpu[p.pid] = t.user + t.system
                except psutil.Error:
                    pass
                done.wait(interval)

        sampler = threading.Thread(target=poll, daemon=True)
        sampler.start()
        deadline = None if timeout is None else t0 + timeout
        status = rusage = None
        while True:
            pid, status, rusage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if deadline and time.perf_counter() > deadline:
                child.kill()
                pid, status, rusage = os.wait4(child.pid, 0)
                break
            time.sleep(0.02)
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)  # so Popen does not wait again
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    # CPU: wait4's figure (the child and the descendants it waited for), or the sampled sum over the
    # process tree when that is larger (a Spark JVM is not waited for; its CPU would be missing)
    cpu = max(rusage.ru_utime + rusage.ru_stime, sum(seen_cpu.values()))
    return Measurement(command, wall, peak / MB, rusage.ru_maxrss / 1024, cpu,
                       child.returncode, stdout, stderr,
                       load_before, os.getloadavg()[0])
