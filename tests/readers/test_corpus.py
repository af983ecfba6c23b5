"""Every file of the real corpus (../shared/corpus/counts.tsv) read through auto-detection.

For each file: the detected format is the listed one, no exception escapes ``read``, no reader
reports an internal error, and the number of records is exactly the listed count (or the count in
COUNT_CORRECTIONS, where the listed count is wrong; each correction says why).
"""

from __future__ import annotations

import pytest

from graphkit.model import Diagnostic, Record
from graphkit.readers import detect, read
from conftest import CORPUS, corpus_counts, need_corpus, over_corpus

ROWS = corpus_counts()

# counts.tsv format column -> graphkit format name
FORMATS = {
    "RIS": "ris",
    "PubMed MEDLINE (.nbib)": "medline",
    "WoS plain text": "wos",
    "BibTeX": "bibtex",
    "Scopus CSV": "scopus-csv",
    "CSL-JSON": "csl-json",
}
# The "other" files: what each one is detected as (all of them are read, none refused).
OTHER_FORMATS = {
    "other/asreview__embase.csv": "embase-csv",
    "other/bibliometrix__lens_sample.csv": "lens-csv",
    "other/bibliometrix__openalex_sample.csv": "openalex-csv",
    "other/colrev__enl_data.enl": "endnote-tagged",
    "other/litstudy__ieee.csv": "ieee-csv",
    "other/litstudy__springer.csv": "springer-csv",
    "other/metaknowledge__ProQuest_TestFile.testtxt": "proquest-text",
}
# file -> (correct count, why the listed one is wrong). Empty: every listed count was confirmed.
COUNT_CORRECTIONS: dict[str, tuple[int, str]] = {}


def expected_format(name: str, fmt: str) -> str:
    return OTHER_FORMATS[name] if fmt == "other" else FORMATS[fmt]


@pytest.mark.corpus
@over_corpus("name, fmt, count", ROWS)
def test_corpus_file(name: str, fmt: str, count: int) -> None:
    path = CORPUS / name
    assert detect(path) == expected_format(name, fmt)
    records: list[Record] = []
    diagnostics: list[Diagnostic] = []
    for item in read(path):  # an exception escaping here fails the test
        (records if isinstance(item, Record) else diagnostics).append(item)
    internal = [str(d) for d in diagnostics if d.kind == "internal"]
    assert not internal
    unreadable = [str(d) for d in diagnostics if d.kind in ("unreadable", "unsupported")]
    assert not unreadable
    expected = COUNT_CORRECTIONS.get(name, (count, ""))[0]
    assert len(records) == expected
    for d in diagnostics:  # every diagnostic names the file and a line
        assert d.source.file == str(path) and d.source.line >= 1
    assert all(r.source.file == str(path) and r.source.line >= 1 for r in records)


def test_every_listed_format_is_known() -> None:
    need_corpus()
    for name, fmt, _ in ROWS:
        assert fmt in FORMATS or name in OTHER_FORMATS, (name, fmt)
