"""Seeded generator of realistic bibliographic exports (RIS and PubMed MEDLINE) for benchmarks and tests.

    python bench/generate.py --records 100000 --out bench/out/gen-100k [--seed 42] [--dup-rate 0.1]
                             [--broken-rate 0.001] [--formats ris,medline] [--shards 1]
    python bench/generate.py --sample --out DIR   # the generated sample (graphkit/sample/ is real data)

writes ``export-000.ris``, ``export-000.nbib`` (one pair per shard), ``duplicates.tsv`` (every
duplicate pair: which record of the RIS export is which record of the MEDLINE export) and
``manifest.json`` (files, records per file, unique works, duplicate pairs, broken records).

Library use (other benchmarks and tests)::

    from bench.generate import generate
    manifest = generate(10_000, Path("bench/out/g10k"), seed=7)
    manifest.paths, manifest.records_per_file, manifest.unique_works, manifest.duplicate_pairs

What is imitated (distributions measured on the real corpus, see the MEASURED block below): authors per
paper with a long tail, Zipf-like author productivity with co-author teams, Zipf keyword, MeSH and
journal frequencies, years, page spans, DOI and abstract shares per database. The same work exported
by both "databases" (once as RIS, once as MEDLINE) differs the way real exports differ: DOI case and
``https://doi.org/`` / ``doi:`` prefixes, title punctuation (final period, ``:`` vs `` - ``), full
given names vs initials, MEDLINE's abbreviated page ranges (``436-44``), sometimes no DOI in the RIS
copy (those pairs can only be merged on title + year). Broken records (kept by the readers, each
with a warning) come at a known rate: a missing end (no ``ER`` / no blank line) or a Windows-1252 line.

All names, titles, keywords and journals are synthetic (made-up syllables and words); MeSH headings
come from graphkit's bundled MeSH vocabulary. Nothing is copied from the corpus.

Streaming: works are made and written one at a time; memory holds only the author-occurrence array
(4 bytes per authorship, for preferential attachment) and small fixed pools, so 1M records run in a
few hundred MB at most.
"""

from __future__ import annotations

import argparse
import gzip
import json
import logging
import math
import random
import sys
import time
from array import array
from bisect import bisect
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)

# =====================================================================================================
# MEASURED: distributions of the real corpus. Measured with
#     python bench/corpus_stats.py --corpus ../shared/corpus
# over the RIS, MEDLINE and WoS files of counts.tsv (8,689 records: 7,375 RIS, 620 MEDLINE, 694 WoS),
# authors keyed by folded family name + first initial as graphkit keys them. Rounded; calibrated values
# are marked and say what they were calibrated against.
# =====================================================================================================
# Authors per paper, k = 1..15; P(k >= 16) = 0.0112 with a power-law tail (MLE alpha 3.38 for k >= 16).
AUTHORS_PER_PAPER_PMF = (0.1713, 0.2095, 0.1912, 0.1416, 0.0986, 0.0580, 0.0457, 0.0229, 0.0145, 0.0106,
                         0.0098, 0.0067, 0.0026, 0.0031, 0.0027)
AUTHORS_TAIL_MIN, AUTHORS_TAIL_ALPHA, AUTHORS_MAX = 16, 3.38, 400
SHARE_WITHOUT_AUTHORS = 0.011
# Author productivity (33,526 authorships): unique authors / authorships = 0.564; 65.5% of authors have
# 1 paper, 20.9% 2, 6.2% 3; the most productive has 99; Lotka MLE alpha 1.96. Reproduced by preferential
# attachment (Simon's model: a new person with NEW_AUTHOR_PROB, else the person of an earlier
# authorship picked uniformly) plus co-author teams (TEAM_PROB of the non-first authors come from the
# first author's team of TEAM_SIZE consecutive persons), with Zipf-distributed family and given names
# (homonyms under the family|initial key, as in real data). CALIBRATED against the numbers above on
# 8,700 generated works: unique ratio 0.562, one-paper authors 64.9%, two 19.2%, three 7.4%, max 62.
NEW_AUTHOR_PROB = 0.62
TEAM_PROB = 0.15
TEAM_SIZE = 12
FAMILY_NAMES, FAMILY_ZIPF_S = 60_000, 0.3
GIVEN_NAMES, GIVEN_ZIPF_S = 900, 0.5
ORCID_SHARE = 0.057  # authors with an AUID ORCID in MEDLINE copies
# Keywords per paper (0..15, 16+ = 0.0399); 16,690 unique in 43,080 occurrences; rank-frequency slope
# 0.82 (least squares, log frequency on log rank, top 2,000 terms seen twice or more).
KEYWORDS_PER_PAPER_PMF = (0.2703, 0.0743, 0.0061, 0.0325, 0.0901, 0.1495, 0.1259, 0.0554, 0.0356, 0.0201,
                          0.0291, 0.0155, 0.0130, 0.0132, 0.0129, 0.0165, 0.0399)
# CALIBRATED (8,700 generated records measured with the same script): the Zipf exponent and vocabulary
# size that give slope 0.83 and 16,276 unique keywords.
KEYWORD_ZIPF_S = 0.92
KEYWORD_VOCAB_PER_RECORD = 14.0
# MeSH headings per MEDLINE record (53% none; else 3..24, mode 6); rank-frequency slope 0.81; 39.8% of headings major;
# qualifiers per heading 0: 73.3%, 1: 18.7%, 2: 6.1%, 3: 2.0%. Top headings: Humans, then topical ones.
MESH_PER_PAPER_PMF = {0: 0.5339, 3: 0.0177, 4: 0.0290, 5: 0.0677, 6: 0.0871, 7: 0.0677, 8: 0.0371,
                      9: 0.0290, 10: 0.0274, 11: 0.0226, 12: 0.0177, 13: 0.0129, 14: 0.0145, 15: 0.0097,
                      16: 0.0113, 17: 0.0065, 18: 0.0016, 19: 0.0016, 22: 0.0016, 23: 0.0016, 24: 0.0016}
MESH_ZIPF_S = 0.9  # CALIBRATED: measured slope 0.81 in the corpus, 0.80 on generated data
MESH_MAJOR_SHARE = 0.398
MESH_QUALIFIERS_PMF = (0.733, 0.187, 0.061, 0.019)
# Journals: 2,400 for 8,689 records (0.276 per record), rank-frequency slope 0.85.
# CALIBRATED: exponent and pool size that give 2,436 journals and slope 0.85 on 8,700 generated records.
JOURNAL_ZIPF_S = 1.02
JOURNALS_PER_RECORD = 1.3
# Years, share of records per 5-year bin (1900-2024).
YEAR_BINS = {1900: 2, 1915: 2, 1925: 2, 1940: 2, 1945: 4, 1950: 1, 1955: 8, 1965: 5, 1970: 12, 1975: 25,
             1980: 16, 1985: 39, 1990: 149, 1995: 343, 2000: 740, 2005: 1494, 2010: 2765, 2015: 2110,
             2020: 954}
LAST_YEAR = 2024
# Pages: 88.9% of records have pages; 6.7% of those are a single article number; page span
# lognormal(mu 2.411, sigma 0.572) (median 11 pages); first page lognormal(5.293, 1.731).
SHARE_WITH_PAGES, SHARE_ARTICLE_NUMBER = 0.889, 0.067
PAGE_SPAN_LOGNORMAL, FIRST_PAGE_LOGNORMAL = (2.411, 0.572), (5.293, 1.731)
SHARE_WITH_ISSUE = 0.75  # RIS 0.75, MEDLINE 0.68, WoS 0.82
# Per database (what each export carries): DOI share, abstract share.
DOI_SHARE = {"medline": 0.987, "ris": 0.631}
ABSTRACT_SHARE = {"medline": 0.979, "ris": 0.29}
# Title words mean 13.8, sd 4.9; abstract words (when present) mean 240, sd 150.
TITLE_WORDS, ABSTRACT_WORDS = (13.8, 4.9), (240.0, 150.0)
# Cited references (--references; written into the RIS copies as Scopus-style "N1  - References: ..."),
# measured with graphkit.citations on the WoS, Scopus and BibTeX files of the corpus that carry them
# (995 citing records, 47,900 references; docs/generator.md "Cited references"): references per record by
# document type, median / mean: Article 25 / 38 (up to 1,260), Review 113 / 144, Letter 6 / 7; a lognormal
# per type with those medians and means. Editorial: 6 records in the corpus, too few: the letter figures.
REFS_BY_TYPE = {  # pub_type -> (median, sigma of the lognormal); sigma = sqrt(2 ln(mean / median))
    "Journal Article": (25.0, 0.915), "Comparative Study": (25.0, 0.915), "Review": (113.0, 0.69),
    "Editorial": (6.0, 0.63), "Letter": (6.0, 0.63)}
REFS_MAX = 1300
# Which work a reference names: an earlier work of the generated set (REF_IN_SET), else a work the set has
# not cited yet with probability REF_NEW_FINAL + (1 - REF_NEW_FINAL) * K / (K + n) after
# n references, else a work cited before picked in proportion to its citations (Price's cumulative
# advantage, Price 1976, JASIS 27:292). With REF_NEW_FINAL 0.5 the citation counts of a large set get
# the power-law tail of exponent 1 + 1 / (1 - 0.5) = 3 that Redner (1998, Eur. Phys. J. B 4:131)
# measured; K is calibrated so that sets of the corpus files' size (30-370 citing records) cite about as
# many distinct works per reference as those files do (0.61-0.95, median 0.86). A cited work keeps its
# year, source, volume, page, title and DOI wherever it is cited (years lean recent: exponential age,
# mean REF_AGE_MEAN years before its first citer).
REF_IN_SET = 0.05
REF_NEW_FINAL, REF_NEW_K = 0.5, 8000.0
REF_DOI_SHARE = 0.3
REF_AGE_MEAN = 9.0
# =====================================================================================================

FORMATS = ("ris", "medline", "pubmed-xml")  # pubmed-xml stands in for medline (the same PubMed records)
SUFFIX = {"ris": ".ris", "medline": ".nbib", "pubmed-xml": ".xml"}
XML_HEAD = ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
            '1st January 2024//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_240101.dtd">\n<PubmedArticleSet>\n')
XML_TAIL = "</PubmedArticleSet>\n"
BROKEN_KINDS = ("no-end", "encoding")
# Variations between the two copies of a duplicated work (probabilities per pair).
RIS_DOI_STYLE = (("plain", 0.5), ("upper", 0.2), ("url", 0.2), ("doi-prefix", 0.1))
RIS_INITIALS_ONLY = 0.4  # the RIS copy writes "Family, A. B." instead of the full given name

# ---- word material (made up here; nothing from the corpus) ---------------------------------------
_ONSETS = ("b", "c", "d", "f", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "ch",
           "dr", "gr", "kl", "pr", "st", "tr", "sh", "th", "ph", "qu", "w", "y", "j", "fl")
_VOWELS = ("a", "e", "i", "o", "u", "a", "e", "o", "ai", "ou", "ie", "y")
_CODAS = ("", "", "", "n", "r", "s", "l", "m", "t", "nd", "rk", "x", "st", "ng")
_ACCENTS = {"a": "á", "e": "é", "o": "ö", "u": "ü", "i": "í", "n": "ñ", "c": "ç"}
_FUNCTION = ("of", "the", "and", "in", "for", "with", "a", "on", "among", "by", "from", "after", "versus",
             "during", "without", "between", "to")
_FRAMES = ("effects of {} on {}", "{} and {} in {}", "a {} study of {}", "{} among {}: {}",
           "the role of {} in {}", "{} versus {} for {}", "{} of {}", "assessing {} in {}",
           "{}: a {} analysis", "{} after {} in {} {}", "toward {} {}", "{} {} and {} {}")
_SUFFIXES = ("osis", "ation", "ism", "ics", "ity", "ment", "ase", "ine", "al", "ive", "ology", "ide")
_JOURNAL_FORMS = ("Journal of {}", "{} Research", "International Journal of {}", "Annals of {}",
                  "{} Letters", "Advances in {}", "{} Reviews", "Archives of {}", "{} and {}",
                  "Frontiers of {}", "Bulletin of {}", "{} Quarterly")
_ABBREV = {"Journal": "J", "International": "Int", "Annals": "Ann", "Research": "Res", "Letters": "Lett",
           "Advances": "Adv", "Reviews": "Rev", "Archives": "Arch", "Frontiers": "Front",
           "Bulletin": "Bull", "Quarterly": "Q", "of": "", "and": "", "in": ""}
_PUBLISHERS = ("Northgate Academic", "Larch & Vale", "Meridian Science Press", "Oakhollow Publishing",
               "Quillon Scholarly", "Brightfen University Press")
_PUB_TYPES = (("Journal Article", 0.86), ("Review", 0.08), ("Comparative Study", 0.03),
              ("Editorial", 0.02), ("Letter", 0.01))
MESH_QUALIFIERS = ("therapy", "diagnosis", "epidemiology", "methods", "prevention & control", "drug therapy",
                   "etiology", "pathology", "statistics & numerical data", "complications", "genetics",
                   "metabolism", "surgery", "economics", "adverse effects", "physiology", "psychology",
                   "analysis", "trends", "organization & administration", "standards", "mortality")
# Headings every MEDLINE set is full of (check tags), ranked first; the rest are drawn from the
# bundled vocabulary in a seeded order.
MESH_TOP = ("Humans", "Female", "Male", "Adult", "Middle Aged", "Aged", "Animals", "Adolescent",
            "Retrospective Studies", "Risk Factors", "Treatment Outcome", "Young Adult", "Child")
_MESH_FALLBACK = ("Decision Making", "Risk Assessment", "Cost-Benefit Analysis", "Prognosis", "Liver",
                  "Neoplasms", "Diabetes Mellitus", "Hypertension", "Ecosystem", "Biodiversity",
                  "Surveys and Questionnaires", "Quality of Life", "Cohort Studies", "Mice", "Rats")


_SYLLABLES = [o + v + c for o in _ONSETS for v in _VOWELS for c in _CODAS]


def _pseudo_word(rng: random.Random, syllables: tuple[int, int] = (2, 3)) -> str:
    r = rng.random
    lo, hi = syllables
    n = lo + int(r() * (hi - lo + 1))
    k = len(_SYLLABLES)
    if n == 1:
        return _SYLLABLES[int(r() * k)]
    if n == 2:
        return _SYLLABLES[int(r() * k)] + _SYLLABLES[int(r() * k)]
    return "".join(_SYLLABLES[int(r() * k)] for _ in range(n))


def _zipf_rank(u: float, n: int, s: float) -> int:
    """Rank in 0..n-1 of a Zipf(s) law over n items, by the continuous inverse CDF (O(1), no tables)."""
    if n <= 1:
        return 0
    if abs(s - 1.0) < 1e-9:
        r = math.exp(u * math.log(n + 1)) - 1
    else:
        a = 1.0 - s
        r = (u * ((n + 1) ** a - 1) + 1) ** (1 / a) - 1
    return min(int(r), n - 1)


def _issn(n: int) -> str:
    digits = f"{n % 10_000_000:07d}"
    total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return f"{digits[:4]}-{digits[4:]}{'X' if check == 10 else check}"


def _orcid(n: int) -> str:
    base = f"{(n * 7_919 + 10_000_000) % 10**15:015d}"
    total = 0
    for d in base:
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    digits = base + ("X" if check == 10 else str(check))
    return "-".join(digits[i:i + 4] for i in range(0, 16, 4))


def _mix(n: int, salt: int) -> float:
    """A stable pseudo-random number in [0, 1) for an integer (splitmix64 style)."""
    z = (n * 0x9E3779B97F4A7C15 + salt * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return ((z ^ (z >> 31)) >> 11) / float(1 << 53)


@dataclass(slots=True)
class Person:
    family: str
    given: str
    initials: str
    orcid: str | None


@dataclass(slots=True)
class Work:
    """One synthetic work, before it is written by one or both databases."""

    wid: int
    title: str
    authors: list[Person]
    year: int
    journal: int
    volume: str
    issue: str | None
    first_page: str | None
    last_page: str | None
    doi: str | None
    pmid: str
    keywords: list[str]
    mesh: list[str]
    abstract: str | None
    pub_type: str


@dataclass(slots=True)
class FileInfo:
    path: str
    format: str
    records: int = 0
    bytes: int = 0


@dataclass(slots=True)
class BrokenRecord:
    file: str
    record: int  # 1-based ordinal in its file
    line: int    # first line of the record
    last_line: int
    kind: str    # "no-end" | "encoding"


@dataclass
class Manifest:
    """What was generated: the ground truth a benchmark or test checks graphkit against."""

    seed: int
    n_records: int
    dup_rate: float
    broken_rate: float
    formats: list[str]
    files: list[FileInfo] = field(default_factory=list)
    unique_works: int = 0
    duplicate_pairs: int = 0
    duplicate_pairs_without_shared_doi: int = 0  # pairs only title + year (and authors) can merge
    broken: list[BrokenRecord] = field(default_factory=list)
    duplicates_file: str | None = None
    seconds: float = 0.0

    @property
    def paths(self) -> list[Path]:
        return [Path(f.path) for f in self.files]

    @property
    def records_per_file(self) -> dict[str, int]:
        return {f.path: f.records for f in self.files}

    @property
    def broken_records(self) -> int:
        return len(self.broken)

    def to_json(self) -> dict:
        d = asdict(self)
        d["records_per_file"] = self.records_per_file
        return d

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=1) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: Path) -> "Manifest":
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        d.pop("records_per_file", None)
        d["files"] = [FileInfo(**f) for f in d["files"]]
        d["broken"] = [BrokenRecord(**b) for b in d["broken"]]
        return cls(**d)


# ---- the world: pools of names, words, journals, MeSH --------------------------------------------

class World:
    """Seeded pools and the stateful processes (author preferential attachment) behind the works."""

    def __init__(self, seed: int, n_records: int,
                 abstract_words: tuple[float, float] = ABSTRACT_WORDS) -> None:
        self.rng = random.Random(seed)
        self.abstract_words = abstract_words
        self.seed = seed
        pool_rng = random.Random(seed * 31 + 7)
        self.families = self._unique_words(pool_rng, FAMILY_NAMES, (1, 3), capitalise=True, accents=0.06)
        self.givens = self._unique_words(pool_rng, GIVEN_NAMES, (1, 2), capitalise=True, accents=0.04)
        self.content = self._unique_words(pool_rng, 30000, (1, 3), capitalise=False, accents=0.0,
                                          suffixes=True)
        self.sentences = [self._sentence(pool_rng) for _ in range(4000)]
        self.n_journals = max(20, int(n_records * JOURNALS_PER_RECORD))
        self.n_keywords = max(50, int(n_records * KEYWORD_VOCAB_PER_RECORD))
        self.journal_cache: dict[int, tuple[str, str, str, str | None, int, str]] = {}
        self.keyword_cache: dict[int, str] = {}
        self.person_cache: dict[int, Person] = {}
        self.mesh = self._mesh_pool(pool_rng)
        self.occurrences = array("I")  # every authorship so far (person ids): preferential attachment
        self.next_person = 0
        self.author_cum = self._cumulative(AUTHORS_PER_PAPER_PMF)
        self.kw_cum = self._cumulative(KEYWORDS_PER_PAPER_PMF)
        mesh_items = sorted(MESH_PER_PAPER_PMF.items())
        self.mesh_counts = [k for k, _ in mesh_items]
        self.mesh_cum = self._cumulative([p for _, p in mesh_items])
        years = sorted(YEAR_BINS)
        self.year_bins = years
        self.year_cum = self._cumulative([YEAR_BINS[y] for y in years])
        self.qual_cum = self._cumulative(MESH_QUALIFIERS_PMF)
        self.type_cum = self._cumulative([p for _, p in _PUB_TYPES])

    @staticmethod
    def _cumulative(weights) -> list[float]:
        total, out = 0.0, []
        s = float(sum(weights))
        for w in weights:
            total += w / s
            out.append(total)
        out[-1] = 1.0
        return out

    @staticmethod
    def _unique_words(rng: random.Random, n: int, syl: tuple[int, int], *, capitalise: bool,
                      accents: float, suffixes: bool = False) -> list[str]:
        seen: set[str] = set()
        out: list[str] = []
        while len(out) < n:
            w = _pseudo_word(rng, syl)
            if suffixes and rng.random() < 0.3:
                w += rng.choice(_SUFFIXES)
            if len(w) < 3 or w in seen:
                continue
            seen.add(w)
            if accents and rng.random() < accents:
                i = rng.randrange(len(w))
                w = w[:i] + _ACCENTS.get(w[i], w[i]) + w[i + 1:]
            if capitalise:
                w = w[:1].upper() + w[1:]
                if rng.random() < 0.02:
                    w += "-" + _pseudo_word(rng, (1, 2)).capitalize()
            out.append(w)
        return out

    def _sentence(self, rng: random.Random) -> str:
        words = [self._content_word(rng.random()) if rng.random() < 0.6 else rng.choice(_FUNCTION)
                 for _ in range(rng.randint(8, 26))]
        text = " ".join(words)
        return text[:1].upper() + text[1:] + "."

    def _content_word(self, u: float) -> str:
        return self.content[_zipf_rank(u, len(self.content), 0.9)]

    def _mesh_pool(self, rng: random.Random) -> list[str]:
        headings: list[str] = []
        table = Path(__file__).resolve().parent.parent / "graphkit" / "data" / "mesh.tsv.gz"
        try:
            with gzip.open(table, "rt", encoding="utf-8") as fh:
                next(fh)
                headings = [line.split("\t", 2)[1] for line in fh]
        except (OSError, IndexError, StopIteration):
            log.warning("bundled MeSH table not found; using a short built-in list")
            headings = list(_MESH_FALLBACK)
        top = [h for h in MESH_TOP if h in headings or headings == list(_MESH_FALLBACK)]
        rest = sorted(set(headings) - set(top))
        rng.shuffle(rest)
        return top + rest[:8000]

    # -- draws --------------------------------------------------------------------------------------
    def _cat(self, cum: list[float]) -> int:
        return bisect(cum, self.rng.random())

    def n_authors(self) -> int:
        r = self.rng.random()
        if r < SHARE_WITHOUT_AUTHORS:
            return 0
        u = self.rng.random()
        if u < 1 - 0.0112:
            return bisect(self.author_cum, u / (1 - 0.0112)) + 1
        # discrete power law tail k >= AUTHORS_TAIL_MIN (continuous approximation)
        k = (AUTHORS_TAIL_MIN - 0.5) * (1 - self.rng.random()) ** (-1 / (AUTHORS_TAIL_ALPHA - 1)) + 0.5
        return min(int(k), AUTHORS_MAX)

    def _pick_person(self) -> int:
        if not self.occurrences or self.rng.random() < NEW_AUTHOR_PROB:
            pid = self.next_person
            self.next_person += 1
            return pid
        return self.occurrences[int(self.rng.random() * len(self.occurrences))]

    def authors(self, k: int) -> list[int]:
        chosen: list[int] = []
        seen: set[int] = set()
        for i in range(k):
            for _ in range(6):
                if i and self.rng.random() < TEAM_PROB:
                    start = chosen[0] - chosen[0] % TEAM_SIZE
                    end = min(start + TEAM_SIZE, self.next_person)
                    pid = start + int(self.rng.random() * (end - start))
                else:
                    pid = self._pick_person()
                if pid not in seen:
                    break
            else:
                pid = self.next_person
                self.next_person += 1
            seen.add(pid)
            chosen.append(pid)
        self.occurrences.extend(chosen)
        return chosen

    def person(self, pid: int) -> Person:
        p = self.person_cache.get(pid)
        if p is None:
            p = self._person(pid)
            if len(self.person_cache) >= 300_000:
                self.person_cache.clear()
            self.person_cache[pid] = p
        return p

    def _person(self, pid: int) -> Person:
        fam = self.families[_zipf_rank(_mix(pid, 1), len(self.families), FAMILY_ZIPF_S)]
        first = self.givens[_zipf_rank(_mix(pid, 2), len(self.givens), GIVEN_ZIPF_S)]
        middle = None
        if _mix(pid, 3) < 0.35:
            middle = self.givens[int(_mix(pid, 4) * len(self.givens))]
        given = f"{first} {middle[0]}." if middle else first
        initials = first[0] + (middle[0] if middle else "")
        orcid = _orcid(pid) if _mix(pid, 5) < ORCID_SHARE else None
        return Person(fam, given, initials, orcid)

    def journal(self, jid: int) -> tuple[str, str, str, str | None, int, str]:
        """(name, abbreviation, print ISSN, electronic ISSN or None, first year, DOI prefix)."""
        cached = self.journal_cache.get(jid)
        if cached:
            return cached
        r = random.Random(self.seed * 1_000_003 + jid)
        form = r.choice(_JOURNAL_FORMS)
        words = [self.content[int(r.random() * 3000)].capitalize() for _ in range(form.count("{}"))]
        if r.random() < 0.4 and form.count("{}") == 1:
            words[0] = f"{self.content[int(r.random() * 3000)].capitalize()} {words[0]}"
        name = form.format(*words)
        abbrev = " ".join(_ABBREV.get(w, w[:5] if len(w) > 6 else w) for w in name.split()
                          if _ABBREV.get(w, w)).strip()
        eissn = _issn(jid * 2 + 1 + 3_000_000) if r.random() < 0.75 else None
        value = (name, abbrev, _issn(jid * 2 + 3_000_000), eissn, r.randint(1950, 2015),
                 f"10.{1000 + jid % 9000}")
        if len(self.journal_cache) < 200_000:
            self.journal_cache[jid] = value
        return value

    def keyword(self, kid: int) -> str:
        kw = self.keyword_cache.get(kid)
        if kw is None:
            r = random.Random(self.seed * 7_777_777 + kid)
            n = 1 + (r.random() < 0.55) + (r.random() < 0.15)
            kw = " ".join(self.content[int(r.random() * len(self.content))] for _ in range(n))
            if len(self.keyword_cache) < 500_000:
                self.keyword_cache[kid] = kw
        return kw

    def title(self) -> str:
        target = max(5, min(40, round(self.rng.gauss(*TITLE_WORDS)) + 1))  # +1: frames' words undercount
        frame = self.rng.choice(_FRAMES)
        slots = frame.count("{}")
        per = max(1, (target - len(frame.split()) + slots) // slots)
        parts = [" ".join(self._content_word(self.rng.random()) for _ in range(per)) for _ in range(slots)]
        text = frame.format(*parts)
        return text[:1].upper() + text[1:]

    def abstract(self) -> str:
        words = max(30, min(800, int(self.rng.gauss(*self.abstract_words))))
        out: list[str] = []
        count = 0
        while count < words:
            s = self.sentences[int(self.rng.random() * len(self.sentences))]
            out.append(s)
            count += s.count(" ") + 1
        return " ".join(out)

    def year(self) -> int:
        start = self.year_bins[self._cat(self.year_cum)]
        return min(LAST_YEAR, start + int(self.rng.random() * 5))

    def pages(self) -> tuple[str | None, str | None]:
        if self.rng.random() >= SHARE_WITH_PAGES:
            return None, None
        if self.rng.random() < SHARE_ARTICLE_NUMBER:
            return f"e{int(self.rng.random() * 90000) + 100}", None
        first = max(1, min(9000, int(self.rng.lognormvariate(*FIRST_PAGE_LOGNORMAL))))
        span = max(1, min(400, int(self.rng.lognormvariate(*PAGE_SPAN_LOGNORMAL))))
        return str(first), str(first + span - 1)

    def work(self, wid: int) -> Work:
        rng = self.rng
        k = self.n_authors()
        people = [self.person(p) for p in self.authors(k)]
        jid = _zipf_rank(rng.random(), self.n_journals, JOURNAL_ZIPF_S)
        jname, _, _, _, jstart, prefix = self.journal(jid)
        year = self.year()
        year = max(year, jstart)
        first, last = self.pages()
        nk = self._cat(self.kw_cum)
        if nk == len(KEYWORDS_PER_PAPER_PMF) - 1:
            nk = 16 + int(rng.expovariate(1 / 6))
        kws: list[str] = []
        for _ in range(nk):
            kw = self.keyword(_zipf_rank(rng.random(), self.n_keywords, KEYWORD_ZIPF_S))
            if kw not in kws:
                kws.append(kw)
        nm = self.mesh_counts[self._cat(self.mesh_cum)]
        mesh: list[str] = []
        for _ in range(nm):
            heading = self.mesh[_zipf_rank(rng.random(), len(self.mesh), MESH_ZIPF_S)]
            if any(m.lstrip("*").split("/")[0] == heading for m in mesh):
                continue
            quals = sorted({rng.choice(MESH_QUALIFIERS) for _ in range(self._cat(self.qual_cum))})
            major = rng.random() < MESH_MAJOR_SHARE
            if quals and major:
                i = int(rng.random() * len(quals))
                quals[i] = "*" + quals[i]
                text = "/".join([heading] + quals)
            else:
                text = ("*" if major else "") + "/".join([heading] + quals)
            mesh.append(text)
        token = "".join(c for c in jname.split()[-1].lower() if c.isalpha())[:6] or "j"
        doi = f"{prefix}/{token}.{year}.{wid:07d}" if rng.random() < DOI_SHARE["medline"] else None
        return Work(
            wid=wid, title=self.title(), authors=people, year=year, journal=jid,
            volume=str(max(1, year - jstart + 1)),
            issue=str(1 + int(rng.random() * 12)) if rng.random() < SHARE_WITH_ISSUE else None,
            first_page=first, last_page=last, doi=doi, pmid=str(30_000_000 + wid), keywords=kws, mesh=mesh,
            abstract=self.abstract() if rng.random() < max(ABSTRACT_SHARE.values()) else None,
            pub_type=_PUB_TYPES[self._cat(self.type_cum)][0],
        )


# ---- writers ------------------------------------------------------------------------------------

def _wrap(tag: str, value: str, width: int = 82) -> list[str]:
    """MEDLINE field lines: ``TAG - value`` wrapped at ``width`` with six-space continuation lines."""
    prefix = f"{tag:<4}- "
    lines: list[str] = []
    text = value
    room = width - 6
    while len(text) > room:
        cut = text.rfind(" ", 0, room)
        if cut <= 0:
            cut = room
        lines.append(text[:cut])
        text = text[cut:].lstrip()
    lines.append(text)
    return [prefix + lines[0]] + ["      " + ln for ln in lines[1:]]


def _medline_pages(first: str | None, last: str | None) -> str | None:
    """MEDLINE drops the leading digits the last page shares with the first: 436-444 -> 436-44."""
    if not first:
        return None
    if not last or last == first:
        return first
    if first.isdigit() and last.isdigit() and len(first) == len(last):
        i = 0
        while i < len(first) - 1 and first[i] == last[i]:
            i += 1
        return f"{first}-{last[i:]}"
    return f"{first}-{last}"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def medline_lines(w: Work, world: World, rng: random.Random) -> list[str]:
    jname, jabbr, issn, eissn, _, _ = world.journal(w.journal)
    out = [f"PMID- {w.pmid}", "OWN - NLM", "STAT- MEDLINE"]
    if eissn:
        out.append(f"IS  - {eissn} (Electronic)")
    out.append(f"IS  - {issn} (Linking)")
    out.append(f"VI  - {w.volume}")
    if w.issue:
        out.append(f"IP  - {w.issue}")
    month = _MONTHS[w.wid % 12]
    out.append(f"DP  - {w.year} {month}")
    title = w.title if w.title.endswith((".", "?")) else w.title + "."
    out += _wrap("TI", title)
    pg = _medline_pages(w.first_page, w.last_page)
    if pg:
        out.append(f"PG  - {pg}")
    if w.doi:
        out.append(f"LID - {w.doi} [doi]")
    if w.abstract and rng.random() < ABSTRACT_SHARE["medline"] / max(ABSTRACT_SHARE.values()):
        out += _wrap("AB", w.abstract)
    for p in w.authors:
        out.append(f"FAU - {p.family}, {p.given}")
        out.append(f"AU  - {p.family} {p.initials}")
        if p.orcid:
            out.append(f"AUID- ORCID: {p.orcid}")
    out.append("LA  - eng")
    out.append(f"PT  - {w.pub_type}")
    out.append(f"TA  - {jabbr}")
    out.append(f"JT  - {jname}")
    for m in w.mesh:
        out.append(f"MH  - {m}")
    if w.keywords:
        out.append("OTO - NOTNLM")
        out += [f"OT  - {k}" for k in w.keywords]
    src = f"{jabbr}. {w.year} {month};{w.volume}" + (f"({w.issue})" if w.issue else "") + (f":{pg}" if pg else "")
    out += _wrap("SO", src + "." + (f" doi: {w.doi}." if w.doi else ""))
    return out


def _x(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def pubmed_xml_lines(w: Work, world: World, rng: random.Random) -> list[str]:
    """The same PubMed record as :func:`medline_lines`, as a PubMed XML ``<PubmedArticle>``."""
    jname, jabbr, issn, eissn, _, _ = world.journal(w.journal)
    month = _MONTHS[w.wid % 12]
    title = w.title if w.title.endswith((".", "?")) else w.title + "."
    out = ["<PubmedArticle>", '<MedlineCitation Status="MEDLINE" Owner="NLM">', f'<PMID Version="1">{w.pmid}</PMID>',
           '<Article PubModel="Print">', "<Journal>"]
    if eissn:
        out.append(f'<ISSN IssnType="Electronic">{eissn}</ISSN>')
    out.append(f'<JournalIssue CitedMedium="Print"><Volume>{_x(w.volume)}</Volume>'
               + (f"<Issue>{_x(w.issue)}</Issue>" if w.issue else "")
               + f"<PubDate><Year>{w.year}</Year><Month>{month}</Month></PubDate></JournalIssue>")
    out.append(f"<Title>{_x(jname)}</Title><ISOAbbreviation>{_x(jabbr)}</ISOAbbreviation></Journal>")
    out.append(f"<ArticleTitle>{_x(title)}</ArticleTitle>")
    pg = _medline_pages(w.first_page, w.last_page)
    if pg:
        out.append(f"<Pagination><MedlinePgn>{_x(pg)}</MedlinePgn></Pagination>")
    if w.doi:
        out.append(f'<ELocationID EIdType="doi" ValidYN="Y">{_x(w.doi)}</ELocationID>')
    if w.abstract and rng.random() < ABSTRACT_SHARE["medline"] / max(ABSTRACT_SHARE.values()):
        out.append(f"<Abstract><AbstractText>{_x(w.abstract)}</AbstractText></Abstract>")
    out.append('<AuthorList CompleteYN="Y">')
    for p in w.authors:
        ident = f'<Identifier Source="ORCID">{p.orcid}</Identifier>' if p.orcid else ""
        out.append(f'<Author ValidYN="Y"><LastName>{_x(p.family)}</LastName><ForeName>{_x(p.given)}</ForeName>'
                   f"<Initials>{_x(p.initials)}</Initials>{ident}</Author>")
    out.append("</AuthorList><Language>eng</Language>")
    out.append(f"<PublicationTypeList><PublicationType>{_x(w.pub_type)}</PublicationType></PublicationTypeList>")
    out.append("</Article>")
    out.append(f"<MedlineJournalInfo><MedlineTA>{_x(jabbr)}</MedlineTA><ISSNLinking>{issn}</ISSNLinking>"
               "</MedlineJournalInfo>")
    if w.mesh:
        out.append("<MeshHeadingList>")
        for m in w.mesh:  # "*Heading/qual" or "Heading/*qual": the star marks the major topic
            heading, *quals = m.split("/")
            yn = "Y" if heading.startswith("*") else "N"
            out.append(f'<MeshHeading><DescriptorName MajorTopicYN="{yn}">{_x(heading.lstrip("*"))}</DescriptorName>'
                       + "".join(f'<QualifierName MajorTopicYN="{"Y" if q.startswith("*") else "N"}">'
                                 f"{_x(q.lstrip('*'))}</QualifierName>" for q in quals) + "</MeshHeading>")
        out.append("</MeshHeadingList>")
    if w.keywords:
        out.append('<KeywordList Owner="NOTNLM">' + "".join(f"<Keyword>{_x(k)}</Keyword>" for k in w.keywords)
                   + "</KeywordList>")
    out.append("</MedlineCitation>")
    out.append('<PubmedData><ArticleIdList><ArticleId IdType="pubmed">' + w.pmid + "</ArticleId>"
               + (f'<ArticleId IdType="doi">{_x(w.doi)}</ArticleId>' if w.doi else "") + "</ArticleIdList></PubmedData>")
    out.append("</PubmedArticle>")
    return out


def _ris_title(title: str, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.3 and ": " in title:
        return title.replace(": ", " - ", 1)
    if r < 0.5:
        return title + "."
    if r < 0.6:
        return title.replace(" ", "  ", 1)
    return title


def ris_lines(w: Work, world: World, rng: random.Random, *, duplicate: bool, keep_doi: bool) -> list[str]:
    jname, jabbr, issn, eissn, _, _ = world.journal(w.journal)
    initials_only = duplicate and rng.random() < RIS_INITIALS_ONLY
    out = ["TY  - JOUR"]
    for p in w.authors:
        if initials_only:
            out.append(f"AU  - {p.family}, {'. '.join(p.initials)}.")
        else:
            out.append(f"AU  - {p.family}, {p.given}")
    out.append(f"TI  - {_ris_title(w.title, rng) if duplicate else w.title}")
    out.append(f"T2  - {jname}")
    out.append(f"J2  - {jabbr}")
    out.append(f"PY  - {w.year}")
    out.append(f"VL  - {w.volume}")
    if w.issue:
        out.append(f"IS  - {w.issue}")
    if w.first_page:
        out.append(f"SP  - {w.first_page}")
        if w.last_page:
            out.append(f"EP  - {w.last_page}")
    if w.doi and keep_doi:
        style = _weighted(rng, RIS_DOI_STYLE) if duplicate else "plain"
        doi = {"plain": w.doi, "upper": w.doi.upper(), "url": f"https://doi.org/{w.doi}",
               "doi-prefix": f"doi:{w.doi}"}[style]
        out.append(f"DO  - {doi}")
    out.append(f"SN  - {issn}")
    if w.abstract and rng.random() < ABSTRACT_SHARE["ris"] / max(ABSTRACT_SHARE.values()):
        out.append(f"AB  - {w.abstract}")
    out += [f"KW  - {k}" for k in w.keywords]
    out.append(f"PB  - {_PUBLISHERS[w.journal % len(_PUBLISHERS)]}")
    return out


class Citations:
    """Reference lists with a realistic citation distribution (see REFS_* above). Its own random stream:
    the records of a set generated with and without references are otherwise identical. Memory: one
    4-byte id per out-of-set citation (cumulative advantage) plus a short tuple per generated work."""

    def __init__(self, seed: int, world: World) -> None:
        self.rng = random.Random(seed * 7919 + 13)
        self.world = world
        self.cited = array("I")  # every out-of-set citation so far (work ids): cumulative advantage
        self.years = array("H", [0])  # year of each out-of-set work, by id (fixed when first cited)
        self.works: list[tuple[str, str, str, int, str, str, str | None, str | None]] = []

    def remember(self, w: Work) -> None:
        if w.authors and w.first_page:
            p = w.authors[0]
            self.works.append((p.family, p.initials[:1], w.title, w.year, self.world.journal(w.journal)[0],
                               w.volume, w.first_page, w.doi))

    def _outside(self, cid: int) -> str:
        world = self.world
        family = world.families[int(_mix(cid, 1) * len(world.families))]
        initial = world.givens[int(_mix(cid, 2) * len(world.givens))][:1]
        jabbr = world.journal(_zipf_rank(_mix(cid, 4), world.n_journals, JOURNAL_ZIPF_S))[1]
        n_words = 3 + int(_mix(cid, 5) * 6)
        title = " ".join(world.content[int(_mix(cid, 10 + i) * len(world.content))] for i in range(n_words))
        volume, page = 1 + int(_mix(cid, 6) * 120), 1 + int(_mix(cid, 7) * 3000)
        text = (f"{family}, {initial}., {title[:1].upper()}{title[1:]} ({self.years[cid]}) {jabbr}, {volume}, "
                f"pp. {page}-{page + 1 + int(_mix(cid, 8) * 20)}")
        if _mix(cid, 9) < REF_DOI_SHARE:
            text += f". DOI: 10.{5000 + cid % 400}/ref.{cid}"
        return text

    def count(self, w: Work) -> int:
        """How many references the work's record lists (lognormal by document type, REFS_BY_TYPE)."""
        median, sigma = REFS_BY_TYPE.get(w.pub_type, REFS_BY_TYPE["Journal Article"])
        return min(REFS_MAX, int(self.rng.lognormvariate(math.log(median), sigma)))

    def references(self, w: Work) -> list[str]:
        rng = self.rng
        out: dict[str, None] = {}
        for _ in range(self.count(w)):
            u = rng.random()
            if u < REF_IN_SET and self.works:
                family, initial, title, year, jname, volume, page, doi = self.works[int(rng.random() * len(self.works))]
                text = f"{family}, {initial}., {title} ({year}) {jname}, {volume}, pp. {page}"
                out[text + (f". DOI: {doi}" if doi and rng.random() < REF_DOI_SHARE else "")] = None
                continue
            n = len(self.cited)
            if not n or rng.random() < REF_NEW_FINAL + (1 - REF_NEW_FINAL) * REF_NEW_K / (REF_NEW_K + n):
                cid = len(self.years)
                self.years.append(max(1900, w.year - int(-math.log(1.0 - rng.random()) * REF_AGE_MEAN)))
            else:
                cid = self.cited[int(rng.random() * n)]
            self.cited.append(cid)
            out[self._outside(cid)] = None
        return list(out)


def _weighted(rng: random.Random, options) -> str:
    r = rng.random()
    for name, p in options:
        r -= p
        if r < 0:
            return name
    return options[-1][0]


class _Writer:
    """One output file. Holds back the last record so a "no-end" break is never the file's last record
    (a MEDLINE record at the end of the file needs no separator, so the break would not be visible)."""

    def __init__(self, path: Path, fmt: str, manifest: Manifest, compress: bool = False) -> None:
        self.path = path
        self.fmt = fmt
        # (gzip level 1: the PubMed baseline's files are .xml.gz; level 1 writes ~3x smaller files at a
        # small cost in time, which matters at 10M records: 13.4 GB instead of 42.8 GB of XML)
        self.fh: IO[bytes] = (gzip.open(path, "wb", compresslevel=1) if compress  # type: ignore[assignment]
                              else open(path, "wb", buffering=1 << 20))
        self.info = FileInfo(str(path), fmt)
        self.manifest = manifest
        self.line = 1
        self.pending: tuple[list[str], str | None, int] | None = None
        if fmt == "pubmed-xml":
            self._write(XML_HEAD.encode("utf-8"))

    def _write(self, data: bytes) -> None:
        self.line += data.count(b"\n")
        self.fh.write(data)
        self.info.bytes += len(data)

    def add(self, lines: list[str], broken: str | None) -> int:
        """Queue a record; returns its 1-based ordinal in this file."""
        if self.pending is not None:
            self._flush(last=False)
        self.info.records += 1
        self.pending = (lines, broken, self.info.records)
        return self.info.records

    def _flush(self, *, last: bool) -> None:
        lines, broken, ordinal = self.pending
        self.pending = None
        if broken == "no-end" and last:
            broken = "encoding"
        if self.fmt == "pubmed-xml":
            broken = None  # a broken XML record would cost the rest of its file: XML is written whole
        end = ["ER  - ", ""] if self.fmt == "ris" else [] if self.fmt == "pubmed-xml" else [""]
        if broken == "no-end":
            end = []  # RIS: no ER before the next TY; MEDLINE: no blank line before the next PMID
        body = "\n".join(lines + end) + "\n"
        data = body.encode("utf-8")
        if broken == "encoding":
            note = ("N1  - Note written in Windows-1252: r\xe9sum\xe9 na\xefve\n" if self.fmt == "ris"
                    else "GN  - Note written in Windows-1252: r\xe9sum\xe9 na\xefve\n")
            head = "\n".join(lines[:1]) + "\n"
            data = head.encode("utf-8") + note.encode("cp1252") + "\n".join(lines[1:] + end).encode("utf-8") + b"\n"
        n_lines = data.count(b"\n")
        if broken:  # a warning for it falls on a line in [line, last_line] (the next record's first line)
            self.manifest.broken.append(BrokenRecord(self.info.path, ordinal, self.line, self.line + n_lines,
                                                     broken))
        self.line += n_lines
        self.fh.write(data)
        self.info.bytes += len(data)

    def close(self) -> FileInfo:
        if self.pending is not None:
            self._flush(last=True)
        if self.fmt == "pubmed-xml":
            self._write(XML_TAIL.encode("utf-8"))
        self.fh.close()
        return self.info


def generate(n_records: int, out_dir: Path, *, seed: int = 42, dup_rate: float = 0.1,
             broken_rate: float = 0.001, formats=("ris", "medline"), shards: int = 1,
             abstract_words: tuple[float, float] = ABSTRACT_WORDS, references: bool = False,
             compress: bool = False) -> Manifest:
    """Write ``n_records`` records (all files together) into ``out_dir``; returns the Manifest.

    ``dup_rate`` is the share of records that duplicate another record (the same work in the other
    database's export), so ``unique_works = n_records - duplicate_pairs``; it needs both formats.
    ``broken_rate`` is the share of records written broken (each kept by graphkit with a warning).
    ``shards`` splits each format over that many files; ``abstract_words`` is (mean, sd) of abstract length.
    ``references`` adds cited-reference lists to the RIS records (:class:`Citations`); everything else is
    the same as without them. ``compress`` writes each file gzipped (``.gz`` added to its name); the
    manifest's byte counts are the uncompressed sizes.
    """
    formats = tuple(formats)
    if not formats or any(f not in FORMATS for f in formats) or len(formats) > 2 or (
            len(formats) == 2 and formats[0] != "ris"):
        raise ValueError(f"formats must be one of {FORMATS}, or ris plus medline or pubmed-xml")
    if not 0 <= dup_rate < 0.5 or not 0 <= broken_rate <= 1:
        raise ValueError("dup_rate must be in [0, 0.5) and broken_rate in [0, 1]")
    t0 = time.perf_counter()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = Manifest(seed, n_records, dup_rate, broken_rate, list(formats))
    world = World(seed, n_records, abstract_words)
    rng = world.rng
    citations = Citations(seed, world) if references else None
    gz = ".gz" if compress else ""
    writers = {(fmt, s): _Writer(out_dir / f"export-{s:03d}{SUFFIX[fmt]}{gz}", fmt, manifest, compress)
               for s in range(shards) for fmt in formats}
    both_prob = dup_rate / (1 - dup_rate) if len(formats) == 2 else 0.0
    dup_path = out_dir / "duplicates.tsv"
    dup_fh = open(dup_path, "w", encoding="utf-8") if len(formats) == 2 else None
    if dup_fh:
        dup_fh.write("ris_file\tris_record\tmedline_file\tmedline_record\tshared_doi\n")
        manifest.duplicates_file = str(dup_path)
    written = 0
    wid = 0
    while written < n_records:
        wid += 1
        w = world.work(wid)
        shard = wid % shards
        both = both_prob and n_records - written >= 2 and rng.random() < both_prob
        targets = formats if both else (formats[0] if len(formats) == 1 or rng.random() < 0.5 else formats[1],)
        ordinals = {}
        keep_doi = rng.random() < DOI_SHARE["ris"] / DOI_SHARE["medline"]
        for fmt in targets:
            if fmt == "ris":
                lines = ris_lines(w, world, rng, duplicate=bool(both), keep_doi=keep_doi)
                if citations is not None:
                    refs = citations.references(w)
                    if refs:
                        lines.append("N1  - References: " + "; ".join(refs))
            elif fmt == "pubmed-xml":
                lines = pubmed_xml_lines(w, world, rng)
            else:
                lines = medline_lines(w, world, rng)
            broken = rng.choice(BROKEN_KINDS) if broken_rate and rng.random() < broken_rate else None
            ordinals[fmt] = writers[(fmt, shard)].add(lines, broken)
            written += 1
        manifest.unique_works += 1
        if citations is not None:
            citations.remember(w)
        if both:
            manifest.duplicate_pairs += 1
            shared = bool(w.doi and keep_doi)
            if not shared:
                manifest.duplicate_pairs_without_shared_doi += 1
            dup_fh.write(f"{writers[('ris', shard)].path.name}\t{ordinals['ris']}\t"
                         f"{writers[(formats[1], shard)].path.name}\t{ordinals[formats[1]]}\t{int(shared)}\n")
    manifest.files = [wr.close() for wr in writers.values()]
    if dup_fh:
        dup_fh.close()
    manifest.broken.sort(key=lambda b: (b.file, b.record))
    manifest.seconds = round(time.perf_counter() - t0, 2)
    manifest.write(out_dir / "manifest.json")
    log.info("generated %d records (%d works) in %.1fs", n_records, manifest.unique_works, manifest.seconds)
    return manifest


# ---- a generated sample (what graphkit/sample/ held before it became real data) ------------------
# graphkit/sample/ is now real records written by scripts/make_sample.py; this writes the generated
# sample (RIS + MEDLINE with known duplicates, plus the corpus seed record) into a directory of your choice.
SAMPLE_SEED = 2024
SAMPLE_RECORDS = 170          # about 150 works, 20 of them in both files
SAMPLE_DUP_RATE = 0.12
SAMPLE_ABSTRACT_WORDS = (70.0, 30.0)  # short abstracts keep the files small
SEED_RECORD = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "seed" / \
    "scopus-collapsed__seed.ris"


def write_sample(out_dir: Path, seed_record: Path = SEED_RECORD) -> Manifest:
    """OUT_DIR/sample.ris + sample.nbib: generated works (fixed seed) with some overlap, and the
    collapsed seed record as the first record of sample.ris (kept on its one line)."""
    import tempfile

    seed_line = seed_record.read_text(encoding="utf-8-sig").strip()
    if "\n" in seed_line or not seed_line.startswith("TY - "):
        raise ValueError(f"{seed_record}: expected one collapsed RIS record on one line")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        m = generate(SAMPLE_RECORDS, Path(tmp), seed=SAMPLE_SEED, dup_rate=SAMPLE_DUP_RATE, broken_rate=0.0,
                     abstract_words=SAMPLE_ABSTRACT_WORDS)
        ris = Path(tmp) / "export-000.ris"
        nbib = Path(tmp) / "export-000.nbib"
        (out_dir / "sample.ris").write_bytes(seed_line.encode("utf-8") + b"\n\n" + ris.read_bytes())
        (out_dir / "sample.nbib").write_bytes(nbib.read_bytes())
        dups = (Path(tmp) / "duplicates.tsv").read_text(encoding="utf-8").splitlines()
    # the seed record shifts every RIS ordinal by one
    rows = [dups[0]]
    for row in dups[1:]:
        cells = row.split("\t")
        cells[0], cells[1], cells[2] = "sample.ris", str(int(cells[1]) + 1), "sample.nbib"
        rows.append("\t".join(cells))
    (out_dir / "duplicates.tsv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    m.n_records += 1
    m.unique_works += 1
    for info in m.files:
        name = "sample.ris" if info.format == "ris" else "sample.nbib"
        info.path = name
        info.records += info.format == "ris"
        info.bytes = (out_dir / name).stat().st_size
    m.duplicates_file = "duplicates.tsv"
    m.seconds = 0.0
    m.write(out_dir / "manifest.json")
    return m


# -- name collisions: gold data for author disambiguation (bench/authors.py) --------------------------
# docs/generator.md ("Gold data for author disambiguation") gives the source of every choice below.

# Family-name shares (fraction of the population) of the most common names, as published in national
# statistics and name-frequency studies: South Korea (2015 census: Kim 21.5%, Lee 14.7%, Park 8.4% ...),
# mainland China (Ministry of Public Security 2019/2020: Wang 7.1%, Li 7.9%, Zhang 6.8% ...), Vietnam
# (Nguyen ~38%, Tran ~11%, Le ~9.5% ...), the US (Census 2010: Smith 0.83%, Johnson 0.66% ...). The rest
# of each group (1 - the listed shares) draws from COLLISION_TAILS (Korean, Chinese, Vietnamese: further
# real family names, Zipf-weighted) or, for Western names, from the generator's long tail of made-up
# family names. Data, not code.
COLLISION_FAMILIES: dict[str, dict[str, float]] = {
    "korean": {"Kim": 0.215, "Lee": 0.147, "Park": 0.084, "Choi": 0.047, "Jung": 0.043, "Kang": 0.023,
               "Cho": 0.021, "Yoon": 0.021, "Jang": 0.02, "Lim": 0.02},
    "chinese": {"Li": 0.079, "Wang": 0.071, "Zhang": 0.068, "Liu": 0.054, "Chen": 0.045, "Yang": 0.031,
                "Huang": 0.022, "Zhao": 0.021, "Wu": 0.02, "Zhou": 0.019},
    "vietnamese": {"Nguyen": 0.38, "Tran": 0.11, "Le": 0.095, "Pham": 0.071, "Hoang": 0.051, "Phan": 0.045,
                   "Vu": 0.039, "Dang": 0.021},
    "western": {"Smith": 0.0083, "Johnson": 0.0066, "Williams": 0.0055, "Brown": 0.0050, "Thomas": 0.0020},
}
COLLISION_TAILS: dict[str, tuple[str, ...]] = {
    "korean": ("Han", "Oh", "Seo", "Shin", "Kwon", "Hwang", "Ahn", "Song", "Jeon", "Hong", "Yoo", "Ko", "Moon",
               "Yang", "Son", "Bae", "Baek", "Heo", "Nam", "Shim", "Noh", "Ha", "Kwak", "Sung", "Cha", "Joo",
               "Woo", "Koo", "Min", "Ryu", "Na", "Jin", "Ji", "Eom", "Chae", "Won", "Chun", "Bang", "Gong", "Hyun"),
    "chinese": ("Xu", "Sun", "Hu", "Zhu", "Gao", "Lin", "He", "Guo", "Ma", "Luo", "Liang", "Song", "Zheng", "Xie",
                "Han", "Tang", "Feng", "Yu", "Dong", "Xiao", "Cheng", "Cao", "Yuan", "Deng", "Fu", "Shen", "Zeng",
                "Peng", "Lu", "Su", "Jiang", "Cai", "Jia", "Ding", "Wei", "Xue", "Ye", "Yan", "Pan", "Du", "Dai",
                "Xia", "Zhong", "Tian", "Ren", "Fan", "Fang", "Shi", "Yao", "Tan", "Qin", "Kong", "Bai", "Mao", "Qiu",
                "Hou", "Shao", "Meng", "Long", "Wan", "Duan", "Lei", "Qian", "Yin", "Gu", "Lai", "Wen", "Niu",
                "Qiao", "Chang", "Hao", "Gong", "Kang", "Tao", "Hong", "Wei", "Mo", "Geng", "Bao", "Ji"),
    "vietnamese": ("Bui", "Do", "Ho", "Ngo", "Duong", "Ly", "Dinh", "Truong", "Mai", "Cao", "Lam", "Trinh", "Ha",
                   "Luong", "Ta"),
}
# A Korean family name has several romanisations (Revised Romanisation, McCune-Reischauer and older
# spellings); one person keeps one spelling. Shares among people with that name.
KOREAN_SPELLINGS: dict[str, dict[str, float]] = {
    "Lee": {"Lee": 0.8, "Yi": 0.12, "Rhee": 0.08}, "Park": {"Park": 0.9, "Pak": 0.1},
    "Jung": {"Jung": 0.5, "Jeong": 0.35, "Chung": 0.15}, "Choi": {"Choi": 0.95, "Choe": 0.05},
    "Cho": {"Cho": 0.9, "Jo": 0.1}, "Yoon": {"Yoon": 0.7, "Yun": 0.3}, "Lim": {"Lim": 0.8, "Im": 0.2},
    "Kang": {"Kang": 0.95, "Gang": 0.05},
}
# the share of each group among authors of the generated lists (an international journal mix)
COLLISION_GROUPS = {"korean": 0.15, "chinese": 0.3, "vietnamese": 0.05, "western": 0.5}
KOREAN_SYLLABLES = ("Min", "Ji", "Seo", "Hyun", "Jin", "Young", "Soo", "Hee", "Won", "Jae", "Sung", "Eun",
                    "Ho", "Jun", "Woo", "Hye", "Kyung", "Dong", "Sang", "Yeon", "Chul", "Hoon", "Mi", "Na")
CHINESE_SYLLABLES = ("Wei", "Jing", "Li", "Min", "Jian", "Hong", "Yan", "Xiao", "Hui", "Ying", "Jun", "Lei",
                     "Ping", "Fang", "Ming", "Xin", "Yu", "Hao", "Jie", "Lin", "Qiang", "Tao", "Na", "Bo")
VIETNAMESE_GIVEN = ("Anh", "Lan", "Minh", "Hung", "Thanh", "Huong", "Tuan", "Linh", "Nam", "Hoa", "Dung",
                    "Trang", "Phuong", "Quang", "Thu")
WESTERN_GIVEN = ("James", "John", "Robert", "Michael", "William", "David", "Richard", "Thomas", "Mary",
                 "Jennifer", "Linda", "Elizabeth", "Susan", "Samantha", "Shane", "Jeffrey", "Catherine",
                 "Andrew", "Daniel", "Matthew", "Sarah", "Laura", "Peter", "Stephen", "Katherine")
WESTERN_COMMON_GIVEN_SHARE = 0.35  # the rest: the generator's pool of 900 made-up given names
WESTERN_NICK = {"Robert": "Bob", "William": "Bill", "Michael": "Mike", "Thomas": "Tom", "James": "Jim",
                "Elizabeth": "Liz", "Jeffrey": "Jeff", "Katherine": "Kate", "Andrew": "Andy", "Daniel": "Dan",
                "Matthew": "Matt", "Samantha": "Sam", "Stephen": "Steve", "David": "Dave", "Richard": "Rick"}
COUNTRY = {"korean": ("South Korea", "Korea"), "chinese": ("China", "P.R. China"), "vietnamese": ("Vietnam", "Viet Nam"),
           "western": ("USA", "United Kingdom", "Germany", "Canada", "Australia", "France", "Netherlands")}
# Lab (team) structure, fields, venues, affiliations and years
TEAM_SIZE = 8
TEAM_HOME_GROUP_SHARE = 0.6  # members drawn from the lab's own country's name group; the rest: the global mix
TEAMS_PER_FIELD = 20
JOURNALS_PER_FIELD = 10
FIELD_KEYWORDS = 80  # a field's vocabulary; papers also draw from GENERAL_KEYWORDS shared by all fields
GENERAL_KEYWORDS = 300
FIELD_KEYWORD_SHARE = 0.75
VENUE_HOME, VENUE_FIELD = 0.7, 0.25  # a paper goes to one of its lab's 2 home journals / another journal of the
                                      # field; the rest anywhere
CROSS_TEAM_PROB = 0.2  # a paper with one author from another lab
CROSS_TEAM_SAME_FIELD = 0.7
SECOND_AFFILIATION = 0.15  # people with a second institution (joint appointment, a move) ...
SECOND_AFFILIATION_USE = 0.3  # ... named on this share of their papers
# which authorships a record gives an affiliation (MEDLINE: first author only before 2014, every author
# since; WoS C1 / Scopus: addresses for all authors): all / first author only / none
AFFILIATION_MODE = {"all": 0.6, "first": 0.25, "none": 0.15}


@dataclass(slots=True)
class GoldPerson:
    pid: int
    group: str
    family: str
    given: str  # the full given name as the person writes it ("Hyun-Jin", "Jeffrey M.")
    team: int
    affiliations: tuple[str, ...] = ()  # (home institution address, second one if any)


@dataclass(slots=True)
class GoldPaper:
    venue: str
    authors: list[tuple[int, str, str]]  # (true person id, family as written, given as written)
    year: int = 0
    keywords: list[str] = field(default_factory=list)
    affiliations: list[str | None] = field(default_factory=list)  # per author, as the record writes it


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    names = list(shares)
    return rng.choices(names, weights=[shares[n] for n in names])[0]


def _family(rng: random.Random, group: str, western_pool: list[str]) -> str:
    top = COLLISION_FAMILIES[group]
    if rng.random() < sum(top.values()):
        family = _pick(rng, top)
        if group == "korean" and family in KOREAN_SPELLINGS:
            family = _pick(rng, KOREAN_SPELLINGS[family])
        return family
    if group == "western":  # the long tail of rare western family names
        return western_pool[int(rng.random() ** 2 * len(western_pool))]
    tail = COLLISION_TAILS[group]  # slowly falling shares, as the national tables show past the top ten
    return rng.choices(tail, weights=[1 / (r + 10) for r in range(len(tail))])[0]


def _collision_person(rng: random.Random, pid: int, team: int, group: str, western_pool: list[str],
                      given_pool: list[str]) -> GoldPerson:
    family = _family(rng, group, western_pool)
    if group == "korean":
        a, b = rng.sample(KOREAN_SYLLABLES, 2)
        given = f"{a}-{b.lower()}" if rng.random() < 0.5 else f"{a}-{b}"
    elif group == "chinese":
        parts = rng.sample(CHINESE_SYLLABLES, 2 if rng.random() < 0.7 else 1)
        given = parts[0] + (parts[1].lower() if len(parts) > 1 else "")
    elif group == "vietnamese":
        given = f"{'Van' if rng.random() < 0.5 else 'Thi'} {rng.choice(VIETNAMESE_GIVEN)}"
    else:
        if rng.random() < WESTERN_COMMON_GIVEN_SHARE:
            given = rng.choice(WESTERN_GIVEN)
        else:
            given = given_pool[_zipf_rank(rng.random(), len(given_pool), 1.0)]
        if rng.random() < 0.5:
            given += f" {chr(65 + int(rng.random() * 26))}."
    return GoldPerson(pid, group, family, given, team)


def written_given(person: GoldPerson, rng: random.Random) -> str:
    """How one record writes the person's given name: full (the usual), initials (with or without
    dots and hyphens, MEDLINE/WoS style), the first initial only, a nickname, or a spacing variant."""
    given = person.given
    parts = [p for p in given.replace("-", " ").replace(".", " ").split() if p]
    u = rng.random()
    if u < 0.55:
        if person.group == "korean" and rng.random() < 0.3:  # Hyun-Jin / Hyun Jin / Hyunjin
            a, b = given.split("-")
            return rng.choice([f"{a} {b}", f"{a}{b.lower()}"])
        return given
    if u < 0.8:
        initials = [p[0].upper() for p in parts]
        if person.group == "chinese" and len(given) > 4 and rng.random() < 0.4:
            return given[0] + "."  # run-together names: one initial
        return rng.choice([". ".join(initials) + ".", "".join(initials), ".".join(initials) + ".",
                           ".-".join(initials) + "."])
    if u < 0.93:
        return parts[0][0] + "."
    if person.group == "western" and parts[0] in WESTERN_NICK:
        return WESTERN_NICK[parts[0]]
    return given


@dataclass(slots=True)
class _Team:
    group: str
    field: int
    institution: int
    journals: tuple[str, str]
    start: int
    end: int


def _institution(rng: random.Random, words: list[str], group: str) -> str:
    name = rng.choice(words)
    form = rng.random()
    inst = (f"University of {name}" if form < 0.4 else f"{name} University" if form < 0.7 else
            f"{name} Institute of Technology" if form < 0.85 else f"{name} Medical Center")
    return f"{inst}, {rng.choice(words)}, {rng.choice(COUNTRY[group])}"


def _address(rng: random.Random, field_name: str, institution: str) -> str:
    """One record's spelling of an address: with or without the department, 'Dept.' or 'Department'."""
    u = rng.random()
    if u < 0.3:
        return institution
    return f"{'Dept. of' if u < 0.5 else 'Department of'} {field_name}, {institution}"


def collision_corpus(n_papers: int, *, seed: int = 42, n_people: int | None = None) -> list[GoldPaper]:
    """Papers whose author lists collide the way real ones do: common Korean, Chinese and Vietnamese
    family names at their population shares, Western lists with a long tail, people publishing mostly
    with their lab (co-authors) in their field's venues, on their field's topics, from their
    institution, in their lab's active years, and each record writing the given names in its own way
    (full, initials, first initial, nickname). The true person of every authorship is known: gold data
    for bench/authors.py (docs/generator.md explains every parameter)."""
    rng = random.Random(seed)
    n_people = n_people or max(20, n_papers // 2)
    pool_rng = random.Random(seed + 1)
    western_pool = World._unique_words(pool_rng, 5000, (2, 3), capitalise=True, accents=0.0)
    given_pool = World._unique_words(pool_rng, GIVEN_NAMES, (1, 2), capitalise=True, accents=0.0)
    words = World._unique_words(pool_rng, 3000, (2, 3), capitalise=True, accents=0.0)
    content = World._unique_words(pool_rng, 6000, (1, 3), capitalise=False, accents=0.0, suffixes=True)
    n_teams = (n_people + TEAM_SIZE - 1) // TEAM_SIZE
    n_fields = max(2, n_teams // TEAMS_PER_FIELD)
    field_names = [f"{w.capitalize()} Sciences" for w in content[:n_fields]]
    vocab = content[n_fields:]
    field_kw = [[f"{vocab[(f * FIELD_KEYWORDS + i) * 2 % len(vocab)]} {vocab[((f * FIELD_KEYWORDS + i) * 2 + 1) % len(vocab)]}"
                 for i in range(FIELD_KEYWORDS)] for f in range(n_fields)]
    general_kw = vocab[-GENERAL_KEYWORDS:]
    journals = [[f"J{f}.{j}" for j in range(JOURNALS_PER_FIELD)] for f in range(n_fields)]
    n_institutions = max(3, n_teams // 4)
    inst_group = [_pick(rng, COLLISION_GROUPS) for _ in range(n_institutions)]
    institutions = [_institution(rng, words, g) for g in inst_group]
    teams: list[_Team] = []
    for _ in range(n_teams):
        f = int(rng.random() * n_fields)
        inst = int(rng.random() * n_institutions)
        start = 1985 + int(rng.random() * 34)
        teams.append(_Team(inst_group[inst], f, inst, tuple(rng.sample(journals[f], 2)),  # type: ignore[arg-type]
                           start, min(LAST_YEAR, start + 3 + int(rng.random() * 23))))
    people = []
    for pid in range(n_people):
        t = teams[pid // TEAM_SIZE]
        group = t.group if rng.random() < TEAM_HOME_GROUP_SHARE else _pick(rng, COLLISION_GROUPS)
        person = _collision_person(rng, pid, pid // TEAM_SIZE, group, western_pool, given_pool)
        home = institutions[t.institution]
        person.affiliations = (home,) if rng.random() >= SECOND_AFFILIATION else (
            home, institutions[int(rng.random() * n_institutions)])
        people.append(person)
    by_field: list[list[int]] = [[] for _ in range(n_fields)]
    for i, t in enumerate(teams):
        by_field[t.field].append(i)
    kw_cum = World._cumulative(KEYWORDS_PER_PAPER_PMF)
    papers = []
    for _ in range(n_papers):
        ti = int(rng.random() ** 1.5 * n_teams)
        team = teams[ti]
        members = people[ti * TEAM_SIZE:(ti + 1) * TEAM_SIZE]
        k = min(len(members), 2 + int(rng.random() * 4))
        chosen = rng.sample(members, k)
        if rng.random() < CROSS_TEAM_PROB:  # a collaboration across labs, mostly within the field
            other = (rng.choice(by_field[team.field]) if rng.random() < CROSS_TEAM_SAME_FIELD
                     else int(rng.random() * n_teams))
            pool = people[other * TEAM_SIZE:(other + 1) * TEAM_SIZE]
            chosen.append(pool[int(rng.random() * len(pool))])
        u = rng.random()
        venue = (team.journals[int(rng.random() * 2)] if u < VENUE_HOME else
                 rng.choice(journals[team.field]) if u < VENUE_HOME + VENUE_FIELD else
                 rng.choice(journals[int(rng.random() * n_fields)]))
        year = team.start + int(rng.random() * (team.end - team.start + 1))
        n_kw = bisect(kw_cum, rng.random())
        keywords = list(dict.fromkeys(
            field_kw[team.field][_zipf_rank(rng.random(), FIELD_KEYWORDS, 1.0)] if rng.random() < FIELD_KEYWORD_SHARE
            else general_kw[_zipf_rank(rng.random(), GENERAL_KEYWORDS, 1.0)] for _ in range(n_kw)))
        mode = _pick(rng, AFFILIATION_MODE)
        seen, authors, addresses = set(), [], []
        for p in chosen:
            if p.pid in seen:
                continue
            seen.add(p.pid)
            authors.append((p.pid, p.family, written_given(p, rng)))
            inst = p.affiliations[1] if len(p.affiliations) > 1 and rng.random() < SECOND_AFFILIATION_USE \
                else p.affiliations[0]
            written = mode == "all" or (mode == "first" and not addresses)
            addresses.append(_address(rng, field_names[teams[p.team].field], inst) if written else None)
        papers.append(GoldPaper(venue, authors, year, keywords, addresses))
    return papers


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Generate realistic RIS + MEDLINE exports with known duplicates.")
    ap.add_argument("--records", type=int, help="records in all files together")
    ap.add_argument("--out", type=Path, help="output directory (created)")
    ap.add_argument("--sample", action="store_true",
                    help="write the generated sample (fixed seed, plus the corpus seed record) into --out; "
                         "the bundled graphkit/sample/ is real data from scripts/make_sample.py")
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--dup-rate", type=float, default=0.1, help="share of records that duplicate another")
    ap.add_argument("--broken-rate", type=float, default=0.001, help="share of records written broken")
    ap.add_argument("--formats", default="ris,medline", help="comma-separated: ris, medline, pubmed-xml, or ris plus one of the other two")
    ap.add_argument("--shards", type=int, default=1, help="files per format (for parallel parsing)")
    ap.add_argument("--references", action="store_true",
                    help="add cited-reference lists (Scopus style, in RIS N1) with a realistic citation distribution")
    ap.add_argument("--gzip", action="store_true",
                    help="write each file gzipped (.gz), as the PubMed baseline's .xml.gz files are")
    args = ap.parse_args(argv)
    if args.sample:
        if args.out is None:
            ap.error("--sample needs --out DIR (graphkit/sample/ is real data: scripts/make_sample.py)")
        try:
            m = write_sample(args.out)
        except (OSError, ValueError) as exc:
            ap.error(f"cannot write the sample: {exc}")
        print(f"{args.out}: {m.records_per_file}, {m.unique_works} works, {m.duplicate_pairs} duplicate pairs")
        return
    if args.records is None or args.out is None:
        ap.error("--records and --out are required (or --sample)")
    try:
        m = generate(args.records, args.out, seed=args.seed, dup_rate=args.dup_rate,
                     broken_rate=args.broken_rate, formats=tuple(args.formats.split(",")), shards=args.shards,
                     references=args.references, compress=args.gzip)
    except ValueError as exc:
        ap.error(str(exc))
    size = sum(f.bytes for f in m.files)
    print(f"{m.n_records} records ({m.unique_works} works, {m.duplicate_pairs} duplicate pairs, "
          f"{len(m.broken)} broken) in {len(m.files)} file(s), {size / 1e6:.1f} MB, {m.seconds:.1f}s "
          f"-> {args.out / 'manifest.json'}")


if __name__ == "__main__":
    main(sys.argv[1:])
