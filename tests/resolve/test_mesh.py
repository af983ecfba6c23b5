"""graphkit.resolve.mesh: the bundled MeSH 2024 table."""

from __future__ import annotations

from graphkit.resolve.mesh import vocabulary
from graphkit.resolve.terms import mesh_term


def test_table_has_descriptors_with_tree_numbers() -> None:
    v = vocabulary()
    assert len(v) > 30000
    d = v.exact("Humans")
    assert d.ui == "D006801" and d.tree_numbers
    assert v.exact("humans") is None  # exact match is case-sensitive
    assert v.lookup("humans").ui == "D006801"
    assert v.lookup("Neoplasms, Liver").ui == "D008113"  # entry term


def test_mesh_term_keys() -> None:
    t = mesh_term("Liver Neoplasms")
    assert (t.key, t.ui, t.name) == ("mesh:D008113", "D008113", "Liver Neoplasms")
    unknown = mesh_term("Not A Heading At All")
    assert unknown.key == "mesh:name:Not A Heading At All" and unknown.ui is None
