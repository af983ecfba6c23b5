"""The report's authors sections, the review CSV (status, reason, override) and --author-map applied
on every build and store."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner

from graphkit.build import BuildOptions, build_from_files
from graphkit.cli import main
from graphkit.report import to_markdown, write_author_review
from graphkit.resolve.authors import read_author_map
from graphkit.schema import Label
from graphkit.sinks.embedded import EmbeddedStore

PEOPLE = Path(__file__).parent / "fixtures" / "lookup" / "people.nbib"


def test_report_lists_possible_same_person_and_kept_apart() -> None:
    result = build_from_files([PEOPLE])
    a = result.report["authors"]
    [same] = a["possible_same_person"]
    assert (same["variant"], same["key"], same["kind"]) == ("Kim, H", "name:kim|h", "ambiguous")
    assert same["candidates"] == ["name:kim|hye-won", "name:kim|hyun-jin"]
    apart = {x["name_key"]: [m["key"] for m in x["authors"]] for x in a["kept_apart"]}
    assert apart["name:thomas|s"] == ["name:thomas|samantha-l", "name:thomas|shane-a"]
    md = to_markdown(result.report)
    assert "### Possible same person" in md and "### Kept apart" in md


def test_review_csv_marks_conflicts_and_ambiguous_initials_and_reads_back(tmp_path) -> None:
    result = build_from_files([PEOPLE])
    path = tmp_path / "review.csv"
    write_author_review(result, path)
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    by_variant = {(r["variant_family"], r["variant_given"]): r for r in rows}
    assert by_variant[("Kim", "H")]["status"] == "ambiguous"
    assert "name:kim|hyun-jin" in by_variant[("Kim", "H")]["reason"]
    assert by_variant[("Thomas", "Shane A")]["status"] == "kept apart"
    assert by_variant[("Rockloff", "M")]["status"] == ""
    # the reviewer confirms: Kim, H is Kim, Hyun-Jin
    for r in rows:
        if (r["variant_family"], r["variant_given"]) == ("Kim", "H"):
            r["override"] = "name:kim|hyun-jin"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    pairs = read_author_map(str(path))
    assert pairs == (("Kim, H", "name:kim|hyun-jin"),)
    again = build_from_files([PEOPLE], BuildOptions(author_map=pairs))
    assert again.graph.node(Label.AUTHOR, "name:kim|h") is None
    assert again.report["authors"]["overridden"] == 1


def test_author_map_on_every_build_and_store(tmp_path) -> None:
    amap = tmp_path / "map.csv"
    amap.write_text('variant,author\n"Kim, H",name:kim|hye-won\n', encoding="utf-8")
    runner = CliRunner()
    out = tmp_path / "r.json"
    r = runner.invoke(main, ["report", str(PEOPLE), "--author-map", str(amap), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert json.loads(out.read_text())["authors"]["count"] == 5
    db = tmp_path / "db"
    r = runner.invoke(main, ["ingest", str(PEOPLE), "--db", str(db), "-q", "--author-map", str(amap)])
    assert r.exit_code == 0, r.output
    with EmbeddedStore(db) as store:
        keys = {row["k"] for row in store.run("MATCH (a:Author) RETURN a.key AS k")}
    assert "name:kim|h" not in keys and "name:kim|hye-won" in keys
    # a changed map rebuilds the store on the next ingest
    amap.write_text('variant,author\n"Kim, H",split\n', encoding="utf-8")
    r = runner.invoke(main, ["ingest", str(PEOPLE), "--db", str(db), "-q", "--author-map", str(amap)])
    assert r.exit_code == 0 and "nothing changed" not in r.output
    with EmbeddedStore(db) as store:
        keys = {row["k"] for row in store.run("MATCH (a:Author) RETURN a.key AS k")}
    assert "name:kim|h#split" in keys


def test_bad_author_map_is_one_line_exit_1(tmp_path) -> None:
    amap = tmp_path / "map.csv"
    amap.write_text("variant,author\nKim H,somebody\n", encoding="utf-8")
    r = CliRunner().invoke(main, ["stats", str(PEOPLE), "--author-map", str(amap)])
    assert r.exit_code == 1 and "map.csv:2:" in r.output and "Traceback" not in r.output
