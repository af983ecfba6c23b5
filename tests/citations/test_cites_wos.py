"""WoS cited references (graphkit.citations.wos), with strings from the corpus's WoS files."""

from __future__ import annotations

import pytest

from graphkit.citations import wos
from graphkit.citations.model import work_key


@pytest.mark.parametrize("text, expected", [
    # (author, family, year, source, volume, page, dois) -- all from ../shared/corpus/wos
    ("ALLEN PJ, 1966, AM J PHYS, V34, P1185, DOI 10.1119/1.1972585",
     ("ALLEN PJ", "ALLEN", 1966, "AM J PHYS", "34", "1185", ["10.1119/1.1972585"])),
    ("Arnaud J. A., 1973, Optics Communications, V7, DOI 10.1016/0030-4018(73)90041-2",
     ("Arnaud J. A.", "Arnaud", 1973, "Optics Communications", "7", None, ["10.1016/0030-4018(73)90041-2"])),
    ("BOTTCHER CJF, 1973, THEORY ELECTRIC POLA, V1", ("BOTTCHER CJF", "BOTTCHER", 1973, "THEORY ELECTRIC POLA", "1", None, [])),
    ("CAVALLER.G, 1973, LETT NUOVO CIMENTO, V6, P305, DOI 10.1007/BF02743635",
     ("CAVALLER.G", "CAVALLER", 1973, "LETT NUOVO CIMENTO", "6", "305", ["10.1007/bf02743635"])),
    ("1999, OPTICAL COMPONENTS G", (None, None, 1999, "OPTICAL COMPONENTS G", None, None, [])),
    ("[Anonymous], 1993, P 1993 ACM SIGMOD IN, DOI DOI 10.1145/170035.170072",
     ("[Anonymous]", None, 1993, "P 1993 ACM SIGMOD IN", None, None, ["10.1145/170035.170072"])),
    ("Becker H., 2012, P 5 ACM INT C WEB SE, P533, DOI [DOI 10.1145/2124295.2124360, 10.1145/2124295.2124360]",
     ("Becker H.", "Becker", 2012, "P 5 ACM INT C WEB SE", None, "533", ["10.1145/2124295.2124360"])),
    ("[王博 Wang Bo], 2010, [信号处理, Signal Processing], V26, P486",
     ("[王博 Wang Bo]", "王博 Wang", 2010, "信号处理, Signal Processing", "26", "486", [])),
    ("Gibbons M, 1999, NATURE, V402, pC81, DOI 10.1038/35011576",
     ("Gibbons M", "Gibbons", 1999, "NATURE", "402", "C81", ["10.1038/35011576"])),
    ("Acharya S., 1999, P 1999 ACM SIGMOD IN, P275, DOI http://dx.doi.org/10.1145/304182.304207.",
     ("Acharya S.", "Acharya", 1999, "P 1999 ACM SIGMOD IN", None, "275", ["10.1145/304182.304207"])),
    ("*FAO, 2005, 180 FAO", ("*FAO", "FAO", 2005, "180 FAO", None, None, [])),
    ("Smith J, 2019, PLOS ONE, V14, ARTN e0212345", ("Smith J", "Smith", 2019, "PLOS ONE", "14", "e0212345", [])),
])
def test_parse(text, expected) -> None:
    r = wos.parse(text)
    assert (r.author, r.family, r.year, r.source, r.volume, r.page, r.dois) == expected
    assert r.raw == text and r.style == "wos"


def test_name_variants_give_one_key() -> None:
    a = wos.parse("ERDOS P, 1959, PUBL MATH-DEBRECEN, V6, P290")
    b = wos.parse("Erdos P., 1959, Publ. Math. Debrecen, V6, P290")
    assert work_key(a) == work_key(b) == "ref:erd|1959|6|290"


def test_glued_references_of_a_wos_ris_note() -> None:
    # from ../shared/corpus/ris/citesource__TiAb.ris (EPPI-Reviewer RIS of WoS records)
    text = ("Abdoellah O.S., 2006, TROPICAL HOMEGARDENS, P233, DOI 10.1007/978-1-4020-4948-4_13 Abebe T., 2005, "
            "59 WAG U Abebe T, 2010, AGROFOREST SYST, V78, P309, DOI 10.1007/s10457-009-9246-6 "
            "Adger W. N., 2003, Progress in Development Studies, V3, P179 [Anonymous], 1987, OUR COMMON FUTURE")
    assert wos.split_glued(text) == [
        "Abdoellah O.S., 2006, TROPICAL HOMEGARDENS, P233, DOI 10.1007/978-1-4020-4948-4_13",
        "Abebe T., 2005, 59 WAG U",
        "Abebe T, 2010, AGROFOREST SYST, V78, P309, DOI 10.1007/s10457-009-9246-6",
        "Adger W. N., 2003, Progress in Development Studies, V3, P179",
        "[Anonymous], 1987, OUR COMMON FUTURE"]
