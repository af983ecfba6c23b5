"""bench/authors.py: the scores and the error classes it reports."""

from __future__ import annotations

import sys

from conftest import ROOT
from graphkit.model import Person

sys.path.insert(0, str(ROOT))
from bench.authors import Paper, error_classes, scores  # noqa: E402


def test_scores_b_cubed() -> None:
    s = scores(["a", "a", "b"], ["x", "y", "y"])
    assert round(s["b3_p"], 4) == round((1 / 2 + 1 / 2 + 1) / 3, 4)
    assert round(s["b3_r"], 4) == round((1 + 1 / 2 + 1 / 2) / 3, 4)


def test_error_classes_name_the_cause() -> None:
    """'Kim, J.' of another lab (person 20; a lab is 8 ids) fits only Kim Ji-Hoon (person 1), so it
    joins him: one authorship of precision loss, written as initials, different full names, other lab;
    Park Soo-Jin written once as 'Park, Sue' (no nickname of hers) is a lone paper apart."""
    papers = [Paper(None, [Person("Kim", "Ji-Hoon"), Person("Park", "Soo-Jin")], ["p1", "p2"]),
              Paper(None, [Person("Kim", "Ji-Hoon"), Person("Park", "Soo-Jin")], ["p1", "p2"]),
              Paper(None, [Person("Kim", "J."), Person("Park", "Sue")], ["p20", "p2"])]
    got = error_classes(papers)
    assert got["precision loss (authorships)"] == {"initials written, different full names, other lab": 1}
    assert got["recall loss (authorships)"] == {"nickname or other form written, a lone paper apart": 1}
