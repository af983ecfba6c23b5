"""Scopus free-text references (graphkit.citations.scopus), with strings from the corpus's Scopus files."""

from __future__ import annotations

import pytest

from graphkit.citations import scopus, wos
from graphkit.citations.model import work_key


@pytest.mark.parametrize("text, expected", [
    # (style, family, year, source, volume, page, title)
    ("Kalé, L., Skeel, R., Bhandarkar, M., Brunner, R., Gursoy, A., Krawetz, N., Phillips, J., Schulten, K., "
     "(1999) J Comp Phys, 151, p. 283",  # litstudy__scopus.csv
     ("scopus", "Kalé", 1999, "J Comp Phys", "151", "283", None)),
    ("Barth, C., Electro-mechanical properties of REBCO coated conductors from various industrial manufacturers "
     "at 77 K, self-field and 4.2 K, 19 T (2015) Supercond. Sci. Technol., 28 (4). , Feb",  # metaknowledge scopus
     ("scopus", "Barth", 2015, "Supercond. Sci. Technol", "28", None,
      "Electro-mechanical properties of REBCO coated conductors from various industrial manufacturers at 77 K, "
      "self-field and 4.2 K, 19 T")),
    ("MacKerell Jr., A.D., Bashford, D., (1998) J Phys Chem B, 102, p. 3586",
     ("scopus", "MacKerell Jr.", 1998, "J Phys Chem B", "102", "3586", None)),
    ("Allen, A.P., Hutch, W., Bifidobacterium longum 1714 as a translational psychobiotic (2016) Transl. "
     "Psychiatry, 6, p. e939",  # asreview__scopus.ris N1
     ("scopus", "Allen", 2016, "Transl. Psychiatry", "6", "e939",
      "Bifidobacterium longum 1714 as a translational psychobiotic")),
    ("Calin GA; Ferracin M; Cimmino A, A microRNA signature associated with prognosis and progression in chronic "
     "lymphocytic leukemia., N Engl J Med, 353, pp. 1793-801, (2005)",  # bibliometrix__scopus_sample.csv
     ("scopus-2024", "Calin", 2005, "N Engl J Med", "353", "1793",
      "A microRNA signature associated with prognosis and progression in chronic lymphocytic leukemia")),
    ("Cheng M.; Xue Y.; Cui M., Global, regional, and national burden of low back pain, Spine (Phila Pa 1976), "
     "50, pp. E128-E139, (2025)",
     ("scopus-2024", "Cheng", 2025, "Spine (Phila Pa 1976)", "50", "E128",
      "Global, regional, and national burden of low back pain")),
    ("The global epidemic of low back pain, Lancet Rheumatol, 5, (2023)",
     ("scopus-2024", None, 2023, "Lancet Rheumatol", "5", None, "The global epidemic of low back pain")),
])
def test_parse(text, expected) -> None:
    r = scopus.parse(text)
    assert (r.style, r.family, r.year, r.source, r.volume, r.page, r.title) == expected


def test_scopus_and_wos_forms_of_one_work_share_a_key() -> None:
    s = scopus.parse("Erdős, P., Rényi, A., On random graphs I (1959) Publ. Math. Debrecen, 6, pp. 290-297")
    w = wos.parse("ERDOS P, 1959, PUBL MATH-DEBRECEN, V6, P290")
    assert work_key(s) == work_key(w) == "ref:erd|1959|6|290"
