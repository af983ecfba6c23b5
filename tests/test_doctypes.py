"""graphkit.doctypes.of_value: the CSL type of a type value whose producer is unknown (sinks use it)."""

import pytest

from graphkit.doctypes import of_value


@pytest.mark.parametrize("value, expected", [
    ("article-journal", "article-journal"),   # already CSL (what readers store)
    ("JOUR", "article-journal"),              # a raw RIS type from an older store
    ("Journal Article", "article-journal"),
    ("inproceedings", "paper-conference"),    # BibTeX
    ("proceedings-article", "paper-conference"),  # Crossref
    ("CHAP", "chapter"),
    ("Article; Proceedings Paper", "article-journal"),  # WoS compound: first listed part
    ("no such type", None),
    ("", None),
    (None, None),
])
def test_of_value(value, expected):
    assert of_value(value) == expected
