"""Serial vs parallel parsing, same input, one run: wall time, records/s, and whether the outputs are
identical.

    python bench/generate.py --records 100000 --out bench/out/gen-100k     # if not there yet
    python bench/parse_parallel.py bench/out/gen-100k/export-000.ris bench/out/gen-100k/export-000.nbib
    python bench/parse_parallel.py --workers 2 --chunk-mb 4 FILE...          # defaults shown

Each input is read with graphkit.readers.read_files (serial) and with read_files_parallel (the given
workers), twice: once for Record objects, once for the JSON lines `graphkit parse` writes (serial:
record_json in this process; parallel: transform=record_json in the workers). Then each pair is read
again to compare hashes of the outputs (not timed). Prints wall time, CPU time of the main process and of the workers, records/s and the
speed-up. "main CPU s" is what a parallel read leaves for the consumer's own work on the main core.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from graphkit.model import Record  # noqa: E402
from graphkit.readers import read_files  # noqa: E402
from graphkit.readers.parallel import read_files_parallel, record_json  # noqa: E402


def _cpu() -> tuple[float, float]:
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime


def timed(items) -> tuple[float, float, float, int]:
    """(wall s, CPU s of this process, CPU s of its workers, records) to consume ``items``."""
    start, (own, kids) = time.perf_counter(), _cpu()
    records = sum(1 for item in items if isinstance(item, (Record, str)))
    own2, kids2 = _cpu()
    return time.perf_counter() - start, own2 - own, kids2 - kids, records


def as_json(items):
    """What `graphkit parse` does with each record, in this process."""
    for item in items:
        yield record_json(item) if isinstance(item, Record) else item


def digest(items) -> str:
    h = hashlib.sha256()
    for item in items:
        h.update(repr(item).encode())
    return h.hexdigest()[:16]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+", help="files; a directory stands for all its files, read together")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--chunk-mb", type=float, default=4.0)
    ap.add_argument("--no-check", action="store_true", help="skip the (untimed) identical-output check")
    args = ap.parse_args()
    chunk = int(args.chunk_mb * (1 << 20))
    rows = []
    for arg in args.files:
        paths = sorted(str(p) for p in Path(arg).iterdir()) if Path(arg).is_dir() else [arg]
        size = sum(os.path.getsize(p) for p in paths) / (1 << 20)
        name = Path(arg).name + ("/" if len(paths) > 1 else "")
        for mode in ("records", "JSON lines"):
            transform = record_json if mode == "JSON lines" else None

            def serial():
                return read_files(paths) if transform is None else as_json(read_files(paths))

            def parallel():
                return read_files_parallel(paths, workers=args.workers, chunk_bytes=chunk, transform=transform)

            serial_s, serial_cpu, _, n = timed(serial())
            parallel_s, parent_cpu, workers_cpu, m = timed(parallel())
            same = "-" if args.no_check else str(digest(serial()) == digest(parallel()))
            rows.append((name, mode, f"{size:.0f}", f"{n}", f"{serial_s:.1f}", f"{serial_cpu:.1f}",
                         f"{n / serial_s:,.0f}", f"{parallel_s:.1f}", f"{parent_cpu:.1f}", f"{workers_cpu:.1f}",
                         f"{m / parallel_s:,.0f}", f"{serial_s / parallel_s:.2f}x", same))
    head = ("input", "output", "MB", "records", "serial s", "serial CPU s", "serial rec/s", f"parallel s ({args.workers}w)",
            "main CPU s", "workers CPU s", "parallel rec/s", "speed-up", "identical")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        print(" | ".join(c.ljust(w) for c, w in zip(row, widths)))
    print(f"cores: {os.cpu_count()}, load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
