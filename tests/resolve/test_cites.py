"""graphkit.resolve.cites: does a cited source fit a paper's journal (the check behind key matches)."""

from __future__ import annotations

from graphkit.resolve.cites import journal_compatible


def test_journal_abbreviations() -> None:
    assert journal_compatible("J AM CHEM SOC", ["Journal of the American Chemical Society"])
    assert journal_compatible("P NATL ACAD SCI USA",
                              ["Proceedings of the National Academy of Sciences of the United States of America"])
    assert not journal_compatible("NATURE", ["Nature Physics"])
    assert not journal_compatible("SCIENCE", ["Journal of the American Chemical Society"])


def test_unknown_sources_are_compatible() -> None:
    assert journal_compatible(None, ["Nature"])
    assert journal_compatible("NATURE", [])
