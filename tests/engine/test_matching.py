"""The paper matcher part by part (graphkit.engine.matching): components of the records that share keys,
parts of whole components, and the same graph and report as one matcher over every candidate."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from graphkit.build import build_from_files
from graphkit.engine import matching
from graphkit.engine.core import EngineOptions, build_columnar
from graphkit.resolve.papers import Duplicate, fuzzy_links

from conftest import FIXTURES
from test_core import assert_same, generated  # noqa: F401 (the generated set with known duplicates)

NO = -1


def test_records_linked_through_different_keys_are_one_component():
    # rows 0-1 share a DOI, 1-2 a title, 4-5 a fuzzy block; row 3 shares only a PMID with row 6, the last
    rids = np.array([10, 11, 12, 13, 14, 15, 16])
    doi = np.array([10, 10, NO, NO, NO, NO, NO])
    pmid = np.array([NO, NO, NO, 13, NO, NO, 13])
    title = np.array([NO, 11, 11, NO, NO, NO, NO])
    block = np.array([NO, NO, NO, NO, 14, 14, NO])
    label = matching.components(rids, [doi, pmid, title, block, np.full(7, NO)])
    assert label.tolist() == [0, 0, 0, 3, 4, 4, 3]


def test_a_chain_longer_than_one_round_is_followed_to_its_end():
    """Each record shares one key with the next, alternating keys: one component (the labels must travel
    the whole chain, not one link per key)."""
    n = 1001
    i = np.arange(n)
    rids = i * 2
    by_a = rids[i // 2 * 2]  # rows (0, 1), (2, 3), ...: the pair's first record
    by_a[-1] = NO  # (n is odd: the last row has no partner by key a)
    by_b = np.where(i >= 1, rids[np.maximum(i - 1, 0) // 2 * 2 + 1], NO)  # rows (1, 2), (3, 4), ...
    label = matching.components(rids, [by_a, by_b])
    assert label.tolist() == [0] * n


def test_a_group_pointing_outside_the_candidates_is_an_error():
    with pytest.raises(ValueError, match="not among the candidates"):
        matching.components(np.array([1, 2]), [np.array([1, 3])])


def test_records_alone_in_their_component_are_left_out_and_the_labels_rebased():
    at, label = matching.linked(np.array([0, 1, 0, 3, 1, 5]))  # components {0, 2}, {1, 4}, {3}, {5}
    assert at.tolist() == [0, 1, 2, 4]
    assert label.tolist() == [0, 1, 0, 1]  # positions among the rows kept


@pytest.mark.parametrize(("rows", "expected"), [
    (1, [0, 0, 0, 1, 2, 2, 1]),  # every component a part of its own, in order of first records
    (3, [0, 0, 0, 1, 1, 1, 1]),  # the first part is full at 3; the rest fit in the next
    (4, [0, 0, 0, 0, 1, 1, 0]),  # the part that crosses 4 ends with the component that crosses it
    (8, [0, 0, 0, 0, 0, 0, 0]),
])
def test_parts_hold_whole_components(rows, expected):
    label = np.array([0, 0, 0, 3, 4, 4, 3])
    assert matching.parts(label, rows).tolist() == expected


def test_a_component_larger_than_a_part_is_kept_whole_and_no_part_is_empty():
    label = np.array([0, 1, 1, 1, 1, 1, 6])  # components of 1, 5 and 1 rows
    # the 5 end the first part (it crosses 2 rows); the next part is numbered 1, not 3
    assert matching.parts(label, 2).tolist() == [0, 0, 0, 0, 0, 0, 1]


def test_pairs_of_several_parts_come_in_the_order_one_matcher_finds_them():
    def dup(name: str) -> Duplicate:
        return Duplicate("kept", name, "doi", None)

    a = matching.Matched(None, None, [dup("5"), dup("9a"), dup("9b")], [5, 9, 9])  # type: ignore[arg-type]
    b = matching.Matched(None, None, [dup("7"), dup("12")], [7, 12])  # type: ignore[arg-type]
    assert [d.merged for d in matching.in_record_order([a, b])] == ["5", "7", "9a", "9b", "12"]


def test_matched_part_by_part_gives_the_graph_and_report_of_one_matcher(generated, monkeypatch, caplog):  # noqa: F811
    """Parts of one component each (MATCH_PART_ROWS 1): the same works, keys and duplicate pairs (in the
    same order) as the old core, which runs one matcher over every record."""
    import graphkit.engine.core as core

    m, _ = generated
    paths = [info.path for info in m.files]
    monkeypatch.setattr(matching, "MATCH_PART_ROWS", 1)
    monkeypatch.setattr(matching, "MATCH_BLOCK_BUCKET_ROWS", 50)
    forked: list[str] = []
    real_start = core.start_forked

    def start(fn, *args):
        forked.append(fn.__name__)
        return real_start(fn, *args)

    monkeypatch.setattr(core, "start_forked", start)
    with caplog.at_level(logging.DEBUG, logger="graphkit.engine.core"):
        new = build_columnar(paths, engine=EngineOptions(workers=2, chunk_bytes=64 << 10))
    assert forked.count("fuzzy_pairs_of") > 5  # (every other bucket searched in a forked process)
    said = [r.getMessage() for r in caplog.records if "linked to others, in" in r.getMessage()]
    assert said and int(said[0].split(", in ")[1].split()[0]) > 100  # (many parts, not one)
    buckets = [r.getMessage() for r in caplog.records if "similar titles in the blocks" in r.getMessage()]
    assert buckets and int(buckets[0].split(" rows in ")[1].split()[0]) > 10  # (many buckets)
    assert_same(build_from_files(paths), new)
    assert new.report["duplicates"]["pairs_found"] == m.duplicate_pairs


@pytest.mark.parametrize("rows, workers, expected", [
    (0, 2, 1), (1000, 2, 1), (matching.MATCH_BLOCK_SPLIT_ROWS, 2, 2), (matching.MATCH_BLOCK_SPLIT_ROWS, 1, 1),
    (matching.MATCH_BLOCK_BUCKET_ROWS + 1, 2, 2), (2 * matching.MATCH_BLOCK_BUCKET_ROWS + 1, 2, 4),
    (2 * matching.MATCH_BLOCK_BUCKET_ROWS + 1, 1, 3)])
def test_the_blocks_come_in_an_even_number_of_buckets_when_a_second_core_searches(rows, workers, expected):
    assert matching.block_buckets(rows, workers) == expected


def test_similar_titles_of_a_block_are_linked_to_its_entries_only():
    rows = [
        ("2020<aaaa", 1, "graph based models of citation networks", True),
        ("2020<aaaa", 2, "an unrelated title about soil microbes", True),
        ("2020<aaaa", 3, "graph based model of citation networks", False),  # like 1; not an entry
        ("2020<aaaa", 4, "graph based models of citation network", True),  # like 1 and like 3
        ("2020<bbbb", 5, "graph based models of citation networks", True),  # another block: not like 1
    ]
    left, right = fuzzy_links(rows)
    # (record, entry): 3 and 4 meet 1; 4 does not meet 3, which is not one of the block's entries
    assert list(zip(left, right)) == [(3, 1), (4, 1)]


def test_similar_titles_are_linked_across_the_chunks_counted_at_once(monkeypatch):
    """A block that spans two of fuzzy_links' chunks (whose characters are counted together) links as
    in one chunk."""
    import graphkit.resolve.papers as papers

    rows = [("b", i, f"graph based models of citation networks {'x' * (i % 3)}", i % 2 == 0) for i in range(9)]
    whole = list(zip(*fuzzy_links(rows)))
    monkeypatch.setattr(papers, "_LINK_CHUNK", 2)
    assert list(zip(*fuzzy_links(rows))) == whole and len(whole) > 10


def test_titles_that_differ_more_than_the_ratio_are_not_linked():
    rows = [("b", 1, "a study of graphs", True), ("b", 2, "a study of trees", True)]
    assert list(zip(*fuzzy_links(rows))) == []


def test_the_blocks_entries_are_those_of_the_whole_set_in_every_part(generated, monkeypatch):  # noqa: F811
    """Blocks of two entries (BLOCK_LIMIT 2, on both cores) and a part per component: a part's records
    must meet the entries of the whole set's blocks, not the first two of the part, or the works differ."""
    from graphkit.resolve import papers

    m, _ = generated
    paths = [info.path for info in m.files]
    monkeypatch.setattr(papers, "BLOCK_LIMIT", 2)
    monkeypatch.setattr(matching, "MATCH_PART_ROWS", 1)
    assert_same(build_from_files(paths), build_columnar(paths))


def test_a_part_meets_only_the_entries_its_blocks_have_in_the_whole_set(monkeypatch):
    """Five 2020 titles share a prefix block whose entries (BLOCK_LIMIT 2) are the first two. The
    fourth and fifth are alike and have the same first author, but the fifth never meets the fourth,
    which is not an entry: two works. They are in one component (through the 2019 records with their
    titles and one DOI), without the entries; replayed alone, that part's block would make the fourth
    its first entry and merge the two. The last record is like the first, an entry: one work."""
    from graphkit.resolve import papers

    path = FIXTURES / "resolve" / "block_entries_across_parts.ris"
    monkeypatch.setattr(papers, "BLOCK_LIMIT", 2)
    monkeypatch.setattr(matching, "MATCH_PART_ROWS", 1)
    monkeypatch.setattr(matching, "MATCH_BLOCK_BUCKET_ROWS", 3)  # (the blocks fetched in several buckets)
    old, new = build_from_files([path]), build_columnar([path])
    assert_same(old, new)
    merged = sorted((d["kept"].split(":")[1], d["merged"].split(":")[1], d["rule"])
                    for d in new.report["duplicates"]["pairs"])
    assert merged == [("1", "45", "fuzzy-title"), ("31", "38", "doi")]
