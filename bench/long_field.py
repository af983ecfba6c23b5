#!/usr/bin/env python
"""Benchmark: one very long field (a Scopus CSV cell, a RIS value, a CSL-JSON string) of N MB.

Reading must be linear in the field's length and cut the value at graphkit.readers._clean.MAX_VALUE_CHARS
(reported). Each size runs in a fresh process (so peak RSS is that run's); CPU seconds and peak RSS
are printed per format and size.

    python bench/long_field.py [--sizes 25,50,150] [--formats csv,ris,json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def write(fmt: str, mb: int, path: Path) -> None:
    body = "word " * (mb * (1 << 20) // 5)
    with open(path, "w", encoding="utf-8") as fh:
        if fmt == "csv":
            fh.write('"Authors","Title","Year","Source title","Abstract","Document Type","Source","EID"\n')
            fh.write(f'"Doe J.","Long","2020","A journal","{body}","Article","Scopus","2-s2.0-1"\n')
            fh.write('"Roe R.","Next","2021","A journal","short","Article","Scopus","2-s2.0-2"\n')
        elif fmt == "ris":
            fh.write(f"TY  - JOUR\nTI  - Long\nAB  - {body}\nER  - \n\nTY  - JOUR\nTI  - Next\nER  - \n")
        else:
            json.dump([{"type": "book", "title": "Long", "abstract": body}, {"type": "book", "title": "Next"}], fh)


def child(path: str) -> None:
    from graphkit.model import Record
    from graphkit.readers import read

    start = time.process_time()
    items = list(read(path))
    cpu = time.process_time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB -> MiB on Linux
    records = [i for i in items if isinstance(i, Record)]
    cut = [str(i) for i in items if getattr(i, "kind", "") == "value-cut"]
    print(json.dumps({"cpu": cpu, "peak_mb": peak, "records": len(records), "cut": len(cut),
                      "longest": max(len(r.abstract or "") for r in records)}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="25,50,150")
    parser.add_argument("--formats", default="csv,ris,json")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0
    print("| format | field MB | CPU s | peak RSS MB | records | value cut to (chars) |")
    print("|---|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for fmt in args.formats.split(","):
            for mb in (int(s) for s in args.sizes.split(",")):
                path = Path(tmp) / f"long.{ {'csv': 'csv', 'ris': 'ris', 'json': 'json'}[fmt] }"
                write(fmt, mb, path)
                out = subprocess.run([sys.executable, __file__, "--child", str(path)], capture_output=True, text=True,
                                     env={**os.environ, "PYTHONPATH": str(ROOT)}, check=True).stdout
                r = json.loads(out)
                print(f"| {fmt} | {mb} | {r['cpu']:.2f} | {r['peak_mb']:.0f} | {r['records']} | {r['longest']:,} |")
                path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
