"""The resolution rules of the columnar core as SQL: the one definition both engines run.

The statements are written in Spark SQL; the local engine (DuckDB) runs them transpiled by sqlglot
(:func:`graphkit.engine.sql.to_duckdb`), so there is no second hand-kept copy. Each step is
``(name, sql)``: the engine materialises ``name`` as a table. Steps read the normalised input tables
(:mod:`graphkit.engine.normalise`), the tables earlier steps made, and the few tables the driver
computes between steps (:mod:`graphkit.engine.core`): ``member`` (record -> work root, from replaying
the paper matcher on the records that share a match key), ``wfix`` (work keys that collided) and
``jlab`` (journal token components). Cited references are the citations extension's
(:mod:`graphkit.citations`), not a rule here.

What each rule reproduces is documented where the old core defines it (graphkit/resolve/*.py,
graphkit/build.py); the comments here say only how the SQL expresses it.
"""

from __future__ import annotations

# Records sharing a DOI, PMID, normalised title or fuzzy title block with another record: only these
# can be merged, so only these are replayed through the sequential matcher. g1..g3: per exact key, the
# smallest record id of the records that share the row's value (NULL when no other record does); e1, e2:
# whether the row is one of the first BLOCK_LIMIT records of its prefix / suffix block (the block's
# entries; graphkit.resolve.papers.BLOCK_LIMIT). The driver links the rows by these and by the fuzzy
# pairs of the blocks (MATCH_BLOCKS), and the matcher runs on the components, part by part
# (graphkit.engine.matching).
_MATCH_KEYS = """
SELECT rid, src, doi_n, pmid_i, page_sq, fam_sq, title_n, year, title,
  CASE WHEN c1 > 1 THEN g1 END AS g1, CASE WHEN c2 > 1 THEN g2 END AS g2, CASE WHEN c3 > 1 THEN g3 END AS g3,
  CASE WHEN c4 > 1 THEN blk1 END AS blk1, CASE WHEN c5 > 1 THEN blk2 END AS blk2, b1, b2,
  e1 <= {limit} AS e1, e2 <= {limit} AS e2 FROM (
  SELECT *,
    CASE WHEN doi_n IS NULL THEN 0 ELSE count(*) OVER (PARTITION BY doi_n) END AS c1,
    min(rid) OVER (PARTITION BY doi_n) AS g1,
    CASE WHEN pmid_i IS NULL THEN 0 ELSE count(*) OVER (PARTITION BY pmid_i) END AS c2,
    min(rid) OVER (PARTITION BY pmid_i) AS g2,
    CASE WHEN title_n IS NULL THEN 0 ELSE count(*) OVER (PARTITION BY title_n) END AS c3,
    min(rid) OVER (PARTITION BY title_n) AS g3,
    CASE WHEN blk1 IS NULL THEN 0 ELSE count(*) OVER (PARTITION BY blk1) END AS c4,
    row_number() OVER (PARTITION BY blk1 ORDER BY rid) AS e1, min(rid) OVER (PARTITION BY blk1) AS b1,
    CASE WHEN blk2 IS NULL THEN 0 ELSE count(*) OVER (PARTITION BY blk2) END AS c5,
    row_number() OVER (PARTITION BY blk2 ORDER BY rid) AS e2, min(rid) OVER (PARTITION BY blk2) AS b2
  FROM rec) c
WHERE c1 > 1 OR c2 > 1 OR c3 > 1 OR c4 > 1 OR c5 > 1
"""


def match_keys(limit: int) -> str:
    """MATCH_KEYS with the blocks' entries limited to ``limit`` (graphkit.resolve.papers.BLOCK_LIMIT)."""
    return _MATCH_KEYS.format(limit=int(limit))


MATCH_LINKS = "SELECT rid, g1, g2, g3 FROM match_keys ORDER BY rid"
# the rows of the blocks that more than one record shares, block by block in record order, for
# graphkit.resolve.papers.fuzzy_links: in {buckets} queries (bucket {bucket}: the blocks whose first record
# id is {bucket} modulo {buckets}), each sorted on its own (at 10M PubMed XML records one sort of the
# 12M block rows with their titles ran out of DuckDB's 2 GB)
MATCH_BLOCK_ROWS = "SELECT count(blk1) + count(blk2) AS n FROM match_keys"
MATCH_BLOCKS = """
SELECT blk, rid, title_n, e FROM (
  SELECT blk1 AS blk, rid, title_n, e1 AS e FROM match_keys WHERE blk1 IS NOT NULL AND b1 % {buckets} = {bucket}
  UNION ALL
  SELECT blk2 AS blk, rid, title_n, e2 AS e FROM match_keys WHERE blk2 IS NOT NULL AND b2 % {buckets} = {bucket}) b
ORDER BY blk, rid
"""
# the candidates in part order (a part's rows in record order): each part is one range of the table
MATCH_PARTS = """
SELECT k.rid, k.src, k.doi_n, k.pmid_i, k.page_sq, k.fam_sq, k.title_n, k.year, k.title, k.e1, k.e2, p.part
FROM match_keys k JOIN match_part p ON p.rid = k.rid ORDER BY p.part, k.rid
"""
MATCH_PART = """
SELECT rid, src, doi_n, pmid_i, page_sq, fam_sq, title_n, year, title, e1, e2 FROM match_parts
WHERE part = {part} ORDER BY rid
"""

def _work_key(agg: str, fallback: str) -> str:
    """The key of a work (PaperResolver.works): its DOI, else its PMID, else its title hash, else the
    fallback hash of its first record; over a work's records (``agg`` 'min') or of a work of one record
    (``agg`` '', the record's own columns)."""
    return (f"CASE WHEN {agg}(doi_n) IS NOT NULL THEN concat('doi:', {agg}(doi_n)) "
            f"WHEN {agg}(pmid_i) IS NOT NULL THEN concat('pmid:', CAST({agg}(pmid_i) AS STRING)) "
            f"WHEN {agg}(title_hash) IS NOT NULL THEN concat('title:', {agg}(title_hash)) "
            f"ELSE concat('title:', {fallback}) END")


# Works: every record gets its work id (the root record of its cluster) and its rank inside the work
# (rank_records: has a DOI, has an abstract, more fields, more authors, then source), and the record
# whose author list the paper keeps (most authors, then most given-name letters, then rank).
WORK_STEPS: list[tuple[str, str]] = [
    ("recw", """
SELECT r.*, coalesce(m.root, r.rid) AS wid FROM rec r LEFT JOIN member m ON m.rid = r.rid
"""),
    # the two ranks over the columns they need only (recr is recw with them: a view, rules.VIEWS)
    # (nw: the work's records)
    ("rrank", """
SELECT rid, wid, rnk, nw, row_number() OVER (PARTITION BY wid ORDER BY n_auth DESC, given_letters DESC, rnk) AS bst
FROM (
  SELECT rid, wid, n_auth, given_letters, count(*) OVER (PARTITION BY wid) AS nw,
    row_number() OVER (PARTITION BY wid ORDER BY r_nodoi, r_noabs, r_filled DESC, n_auth DESC, src) AS rnk
  FROM recw) x
"""),
    ("recr", "SELECT r.*, x.rnk, x.bst, x.nw FROM recw r JOIN rrank x ON x.rid = r.rid"),
    ("wkey0", f"""
SELECT wid, {_work_key('min', "min_by(fallback_hash, rid)")} AS key0, sort_array(collect_list(src)) AS sources
FROM recr GROUP BY wid
"""),
]

# Work keys that more than one work got (two works kept apart with the same title hash): the driver
# suffixes all but the first (in root order) as PaperResolver.works does.
KEY_COLLISIONS = """
SELECT wid, key0, sources FROM (
  SELECT *, count(*) OVER (PARTITION BY key0) AS c FROM wkey0) x
WHERE c > 1 ORDER BY wid
"""

# Steps kept as views, not tables (Engine.view): every record with all its fields (abstracts included),
# which later rules read a few columns of; stored, the two copies spilled to disk at 1M records
VIEWS = frozenset({"recw", "recr"})

PAPER_STEPS: list[tuple[str, str]] = [
    ("wkey", """
SELECT w.wid, coalesce(f.key, w.key0) AS key, w.sources FROM wkey0 w LEFT JOIN wfix f ON f.wid = w.wid
"""),
    # Work.value: the first non-empty value in rank order
    # (a work of one record takes its values as they are: only the merged works are aggregated; its key
    # is its own (wkey0's rule on its columns) unless wfix changed it: no join of every record, with its
    # abstract, to a table of every work, which at 10M PubMed XML records spilled ~60 GB)
    ("paper", f"""
SELECT coalesce(f.key, {_work_key('', 'r.fallback_hash')}) AS key, r.doi_n AS doi,
  CAST(r.pmid_i AS STRING) AS pmid, r.title, r.abstract, r.year, r.volume, r.issue,
  r.first_page, r.last_page, r.article_number, r.type, r.type_raw, array(r.src) AS sources,
  CASE WHEN r.volume IS NOT NULL THEN r.vol_sq END AS vol_sq,
  CASE WHEN r.first_page IS NOT NULL THEN nullif(coalesce(r.page_sq, ''), '') END AS page_sq,
  CASE WHEN r.n_auth > 0 THEN nullif(coalesce(r.fam_sq, ''), '') END AS cite_fam
FROM recr r LEFT JOIN wfix f ON f.wid = r.wid
WHERE r.nw = 1
UNION ALL
SELECT k.key, min(r.doi_n) AS doi, CAST(min(r.pmid_i) AS STRING) AS pmid,
  min_by(r.title, r.rnk) FILTER (WHERE r.title IS NOT NULL) AS title,
  min_by(r.abstract, r.rnk) FILTER (WHERE r.abstract IS NOT NULL) AS abstract,
  min_by(r.year, r.rnk) FILTER (WHERE r.year IS NOT NULL) AS year,
  min_by(r.volume, r.rnk) FILTER (WHERE r.volume IS NOT NULL) AS volume,
  min_by(r.issue, r.rnk) FILTER (WHERE r.issue IS NOT NULL) AS issue,
  min_by(r.first_page, r.rnk) FILTER (WHERE r.first_page IS NOT NULL) AS first_page,
  min_by(r.last_page, r.rnk) FILTER (WHERE r.last_page IS NOT NULL) AS last_page,
  min_by(r.article_number, r.rnk) FILTER (WHERE r.article_number IS NOT NULL) AS article_number,
  min_by(r.type, r.rnk) FILTER (WHERE r.type IS NOT NULL) AS type,
  min_by(r.type_raw, r.rnk) FILTER (WHERE r.type_raw IS NOT NULL) AS type_raw,
  k.sources,
  min_by(r.vol_sq, r.rnk) FILTER (WHERE r.volume IS NOT NULL) AS vol_sq,
  nullif(min_by(coalesce(r.page_sq, ''), r.rnk) FILTER (WHERE r.first_page IS NOT NULL), '') AS page_sq,
  nullif(min_by(coalesce(r.fam_sq, ''), r.rnk) FILTER (WHERE r.n_auth > 0), '') AS cite_fam
FROM recr r JOIN wkey k ON k.wid = r.wid
WHERE r.nw > 1 AND size(k.sources) > 1
GROUP BY r.wid, k.key, k.sources
"""),
]

# Authors: the kept author list of every work; an ORCID-less name takes the one ORCID seen with its
# name key whose given names fit (compatible_given compares the first given-name part only). In the
# default mode 'compatible' the keys come from graphkit.resolve.authors.AuthorResolver, run in the
# driver on the kept lists (table akeys_py, like the paper matcher), until the rule is ported to SQL.
AUTHOR_STEPS: list[tuple[str, str]] = [
    ("best", "SELECT wid, rid AS best_rid, n_auth FROM recr WHERE bst = 1"),
    ("wocc", "SELECT b.wid, o.* FROM best b JOIN occ o ON o.rid = b.best_rid"),
    ("owners", "SELECT DISTINCT nkey, orcid FROM wocc WHERE orcid IS NOT NULL AND nkey IS NOT NULL"),
    ("ogiven", "SELECT DISTINCT orcid, g1 FROM wocc WHERE orcid IS NOT NULL"),
    ("fit", """
SELECT w.wid, w.pos, count(DISTINCT ow.orcid) AS n, min(ow.orcid) AS orcid
FROM wocc w JOIN owners ow ON ow.nkey = w.nkey JOIN ogiven og ON og.orcid = ow.orcid
WHERE w.orcid IS NULL AND (w.g1 = '' OR og.g1 = '' OR w.g1 = og.g1
      OR ((length(w.g1) = 1 OR length(og.g1) = 1) AND substr(w.g1, 1, 1) = substr(og.g1, 1, 1)))
GROUP BY w.wid, w.pos
"""),
    ("akeys", """
SELECT w.*, CASE WHEN py.wid IS NOT NULL THEN py.akey
                 WHEN w.orcid IS NOT NULL THEN concat('orcid:', w.orcid)
                 WHEN f.n = 1 THEN concat('orcid:', f.orcid) ELSE w.nkey END AS akey
FROM wocc w LEFT JOIN fit f ON f.wid = w.wid AND f.pos = w.pos
LEFT JOIN akeys_py py ON py.wid = w.wid AND py.pos = w.pos
"""),
    # name variants: the kept list's names plus, from the work's other records with as many authors,
    # the name at the same position when it is the same person (same family, same first initial)
    ("vrows", """
SELECT akey, family, given, fam_sq, gsq, gsq_len, nonascii, punct FROM akeys WHERE akey IS NOT NULL
UNION ALL
SELECT a.akey, o.family, o.given, o.fam_sq, o.gsq, o.gsq_len, o.nonascii, o.punct
FROM recr r JOIN best b ON b.wid = r.wid AND r.rid <> b.best_rid AND r.n_auth = b.n_auth
JOIN occ o ON o.rid = r.rid
JOIN akeys a ON a.wid = r.wid AND a.pos = o.pos
WHERE a.akey IS NOT NULL AND a.fam_sq = o.fam_sq AND (a.ginit = '' OR o.ginit = '' OR a.ginit = o.ginit)
"""),
    ("variants", """
SELECT akey, family, given, count(*) AS n, min(fam_sq) AS fam_sq, min(gsq) AS gsq, min(gsq_len) AS gsq_len,
       min(nonascii) AS nonascii, min(punct) AS punct
FROM vrows GROUP BY akey, family, given
"""),
    # AuthorInfo.display: most given-name letters, most hyphens/apostrophes in the family name, most
    # accented, most often seen, longest family, then (family, given) in code-point order
    ("author", """
SELECT akey AS key,
  CASE WHEN given IS NOT NULL THEN concat(family, ', ', given) ELSE family END AS name,
  family, given, CASE WHEN akey LIKE 'orcid:%' THEN substr(akey, 7) END AS orcid
FROM (
  SELECT *, row_number() OVER (PARTITION BY akey ORDER BY gsq_len DESC, punct DESC, nonascii DESC, n DESC,
                                length(family) DESC, family, coalesce(given, '')) AS rk
  FROM variants) v
WHERE rk = 1
"""),
    ("authored", """
SELECT a.akey AS source, k.key AS target, min(a.pos) AS position
FROM akeys a JOIN wkey k ON k.wid = a.wid WHERE a.akey IS NOT NULL GROUP BY a.akey, k.key
"""),
]

# Journals: the tokens of one venue mention are linked, and so are the mentions of one work's records.
JOURNAL_EDGES = """
SELECT j_tok0 AS a, tok AS b FROM recw LATERAL VIEW explode(j_tokens) t AS tok WHERE j_tok0 IS NOT NULL
UNION
SELECT f.a, r.j_tok0 AS b FROM recw r
JOIN (SELECT wid, min(j_tok0) AS a FROM recw WHERE j_tok0 IS NOT NULL GROUP BY wid) f ON f.wid = r.wid
WHERE r.j_tok0 IS NOT NULL
"""
# connected components by min-label propagation with pointer jumping; the driver loops until stable
JLAB_INIT = "SELECT tok, tok AS lab FROM (SELECT a AS tok FROM jedge UNION SELECT b AS tok FROM jedge) t"
JLAB_STEP = """
SELECT s.tok, coalesce(l2.lab, s.lab) AS lab FROM (
  SELECT e.x AS tok, least(min(l.lab), min(self.lab)) AS lab
  FROM (SELECT a AS x, b AS y FROM jedge UNION ALL SELECT b AS x, a AS y FROM jedge) e
  JOIN jlab l ON l.tok = e.y JOIN jlab self ON self.tok = e.x
  GROUP BY e.x) s
LEFT JOIN jlab l2 ON l2.tok = s.lab
"""
JLAB_CHANGED = "SELECT count(*) AS n FROM jlab_next n JOIN jlab o ON o.tok = n.tok WHERE n.lab <> o.lab"

JOURNAL_STEPS: list[tuple[str, str]] = [
    # the key: the smallest valid ISSN, else the longest normalised title (then code-point order)
    ("jkey", """
SELECT c.lab, CASE WHEN i.issn IS NOT NULL THEN i.issn ELSE concat('journal:', substr(t.tok, 7)) END AS jkey
FROM (SELECT DISTINCT lab FROM jlab) c
LEFT JOIN (SELECT lab, min(tok) AS issn FROM jlab WHERE tok LIKE 'issn:%' GROUP BY lab) i ON i.lab = c.lab
LEFT JOIN (SELECT lab, tok, row_number() OVER (PARTITION BY lab ORDER BY length(tok) DESC, tok) AS rk
           FROM jlab WHERE tok LIKE 'title:%') t ON t.lab = c.lab AND t.rk = 1
"""),
    ("jment", """
SELECT r.wid, r.rid, k.jkey, r.j_name, r.j_abbr, r.j_invalid, r.pub
FROM recw r JOIN jlab l ON l.tok = r.j_tok0 JOIN jkey k ON k.lab = l.lab
"""),
    ("wjournal", "SELECT wid, min(jkey) AS jkey FROM jment GROUP BY wid"),
    ("jnames", """
SELECT jkey, v, row_number() OVER (PARTITION BY jkey ORDER BY (v = upper(v) AND v <> lower(v)), n DESC,
  length(v) DESC, v) AS rk FROM (
  SELECT jkey, j_name AS v, count(*) AS n FROM jment WHERE j_name IS NOT NULL GROUP BY jkey, j_name) x
"""),
    ("jabbrs", """
SELECT jkey, j_abbr AS v, count(*) AS n FROM jment WHERE j_abbr IS NOT NULL GROUP BY jkey, j_abbr
"""),
    ("journal", """
SELECT k.jkey AS key, coalesce(nm.v, ab.v) AS name, ab2.v AS abbreviation,
  CASE WHEN k.jkey LIKE 'issn:%' THEN substr(k.jkey, 6) END AS issn, iss.issns, pb.v AS publisher
FROM (SELECT DISTINCT jkey FROM jkey) k
LEFT JOIN (SELECT k2.jkey, sort_array(collect_list(substr(l.tok, 6))) AS issns
           FROM jlab l JOIN jkey k2 ON k2.lab = l.lab WHERE l.tok LIKE 'issn:%' GROUP BY k2.jkey) iss
  ON iss.jkey = k.jkey
LEFT JOIN (SELECT jkey, v FROM jnames WHERE rk = 1) nm ON nm.jkey = k.jkey
LEFT JOIN (SELECT jkey, v FROM (
    SELECT jkey, v, row_number() OVER (PARTITION BY jkey ORDER BY n DESC, length(v) DESC, v) AS rk
    FROM jabbrs) x WHERE rk = 1) ab ON ab.jkey = k.jkey
LEFT JOIN (SELECT jkey, v FROM (
    SELECT a.jkey, a.v, row_number() OVER (PARTITION BY a.jkey ORDER BY a.n DESC, length(a.v) DESC, a.v) AS rk
    FROM jabbrs a
    LEFT JOIN (SELECT jkey, v FROM jnames WHERE rk = 1) nm2 ON nm2.jkey = a.jkey
    LEFT JOIN (SELECT jkey, v FROM (
        SELECT jkey, v, row_number() OVER (PARTITION BY jkey ORDER BY n DESC, length(v) DESC, v) AS rk
        FROM jabbrs) y WHERE rk = 1) ab3 ON ab3.jkey = a.jkey
    WHERE a.v <> coalesce(nm2.v, ab3.v)) x WHERE rk = 1) ab2 ON ab2.jkey = k.jkey
LEFT JOIN (SELECT jkey, v FROM (
    SELECT jkey, v, row_number() OVER (PARTITION BY jkey ORDER BY n DESC, length(v) DESC, v) AS rk FROM (
      SELECT jkey, pub AS v, count(*) AS n FROM jment WHERE pub IS NOT NULL GROUP BY jkey, pub) p) x
    WHERE rk = 1) pb ON pb.jkey = k.jkey
"""),
    ("published_in", "SELECT k.key AS source, j.jkey AS target FROM wjournal j JOIN wkey k ON k.wid = j.wid"),
]

# Keywords and MeSH: a keyword's name is its most frequent surface form (then code-point order);
# a paper's MeSH link merges its records' headings (major if any says so) and their qualifiers in
# order of first appearance (headings in rank order, then qualifiers in record order).
TERM_STEPS: list[tuple[str, str]] = [
    # a keyword's name is its most frequent surface form; its variants every form seen, sorted
    ("keyword", """
WITH s AS (SELECT text, surface, min(check_tag) AS check_tag, count(*) AS n FROM kw GROUP BY text, surface)
SELECT concat('kw:', x.text) AS key, x.surface AS name, x.check_tag, v.variants FROM (
  SELECT text, surface, check_tag, row_number() OVER (PARTITION BY text ORDER BY n DESC, surface) AS rk FROM s) x
JOIN (SELECT text, sort_array(collect_list(surface)) AS variants FROM s GROUP BY text) v ON v.text = x.text
WHERE x.rk = 1
"""),
    ("has_keyword", """
SELECT DISTINCT k.key AS source, concat('kw:', w.text) AS target
FROM kw w JOIN recw r ON r.rid = w.rid JOIN wkey k ON k.wid = r.wid
"""),
    ("wmesh", """
SELECT r.wid, m.mkey, m.heading, m.mpos, m.major, r.rnk, m.rid FROM mesh m JOIN recr r ON r.rid = m.rid
"""),
    ("wmq", """
SELECT h.wid, h.mkey, q.qual,
       min(h.hfirst * 10000000000 + (q.rnk * 100000 + q.qpos)) AS o
FROM (SELECT wid, heading, mkey, min(rnk * 100000 + mpos) AS hfirst FROM wmesh GROUP BY wid, heading, mkey) h
JOIN (SELECT w.wid, w.heading, w.rnk, mq.qpos, mq.qual FROM wmesh w
      JOIN mq ON mq.rid = w.rid AND mq.mpos = w.mpos) q ON q.wid = h.wid AND q.heading = h.heading
GROUP BY h.wid, h.mkey, q.qual
"""),
    ("has_mesh", """
SELECT k.key AS source, m.mkey AS target, m.major,
       coalesce(q.qualifiers, CAST(array() AS ARRAY<STRING>)) AS qualifiers
FROM (SELECT wid, mkey, bool_or(major) AS major FROM wmesh GROUP BY wid, mkey) m
JOIN wkey k ON k.wid = m.wid
LEFT JOIN (SELECT wid, mkey, transform(sort_array(collect_list(struct(o AS o, qual AS qual))), x -> x.qual)
                  AS qualifiers
           FROM wmq GROUP BY wid, mkey) q ON q.wid = m.wid AND q.mkey = m.mkey
"""),
    ("meshterm", """
SELECT mkey AS key, first(ui) AS ui, first(name) AS name, first(trees) AS tree_numbers,
       first(check_tag) AS check_tag
FROM mesh GROUP BY mkey
"""),
]

# Report figures
FILE_FIGURES = """
SELECT file, min_by(fmt, rid) AS fmt, min(rid) AS first_rid, count(*) AS records,
  CAST(count_if(miss_doi) AS BIGINT) AS doi, CAST(count_if(miss_year) AS BIGINT) AS year,
  CAST(count_if(miss_authors) AS BIGINT) AS authors, CAST(count_if(miss_journal) AS BIGINT) AS journal,
  min(CASE WHEN miss_doi THEN rid END) AS doi_at, min(CASE WHEN miss_year THEN rid END) AS year_at,
  min(CASE WHEN miss_authors THEN rid END) AS authors_at, min(CASE WHEN miss_journal THEN rid END) AS journal_at
FROM rec GROUP BY file ORDER BY first_rid
"""
# the authors with name variants beyond punctuation and spacing: the first {limit} by key listed
# (graphkit.report.VARIANTS_LISTED), all of them counted
_VARIANT_KEYS = """
SELECT akey FROM variants GROUP BY akey HAVING count(*) > 1 AND count(DISTINCT concat(fam_sq, '|', gsq)) > 1
"""
AUTHOR_VARIANTS = f"""
SELECT v.akey, a.name, v.family, v.given, v.n FROM variants v JOIN author a ON a.key = v.akey
JOIN (SELECT akey FROM ({_VARIANT_KEYS}) k ORDER BY akey LIMIT {{limit}}) l ON l.akey = v.akey
ORDER BY v.akey, v.n DESC, v.family, coalesce(v.given, '')
"""
AUTHORS_WITH_VARIANTS = f"SELECT count(*) AS n FROM ({_VARIANT_KEYS}) k"
SHARED_NAMES = """
SELECT nkey, sort_array(collect_list(orcid)) AS orcids FROM owners GROUP BY nkey HAVING count(*) > 1
ORDER BY nkey
"""
JOURNALS_WITHOUT_ISSN = """
SELECT j.key, j.name, coalesce(c.n, 0) AS papers FROM journal j
LEFT JOIN (SELECT target, count(*) AS n FROM published_in GROUP BY target) c ON c.target = j.key
WHERE j.issn IS NULL ORDER BY j.key
"""
INVALID_ISSNS = """
SELECT DISTINCT jkey, v FROM jment LATERAL VIEW explode(j_invalid) t AS v ORDER BY jkey, v
"""
KEYWORD_FIGURES = "SELECT count(*) AS count, CAST(coalesce(count_if(check_tag), 0) AS BIGINT) AS check_tags FROM keyword"
MESH_UNKNOWN = "SELECT DISTINCT heading FROM mesh WHERE ui IS NULL ORDER BY heading"
