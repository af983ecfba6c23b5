"""The resolution rules of the columnar core as SQL: the one definition both engines run.

The statements are written in Spark SQL; the local engine (DuckDB) runs them transpiled by sqlglot
(:func:`graphkit.engine.sql.to_duckdb`), so there is no second hand-kept copy. Each step is
``(name, sql)``: the engine materialises ``name`` as a table. Steps read the normalised input tables
(:mod:`graphkit.engine.normalise`), the tables earlier steps made, and the few tables the driver
computes between steps (:mod:`graphkit.engine.core`): ``member`` (record -> work root, from replaying
the paper matcher on the records that share a match key), ``wfix`` (work keys that collided),
``jlab`` (journal token components) and ``cite_loc`` (references resolved by locator).

What each rule reproduces is documented where the old core defines it (graphkit/resolve/*.py,
graphkit/build.py); the comments here say only how the SQL expresses it.
"""

from __future__ import annotations

# Records sharing a DOI, PMID, normalised title or fuzzy title block with another record: only these
# can be merged, so only these are replayed through the sequential matcher.
MATCH_CANDIDATES = """
SELECT rid, src, doi_n, pmid_i, page_sq, fam_sq, title_n, year, title FROM (
  SELECT *,
    CASE WHEN doi_n IS NULL THEN 0 ELSE count(*) OVER (PARTITION BY doi_n) END AS c1,
    CASE WHEN pmid_i IS NULL THEN 0 ELSE count(*) OVER (PARTITION BY pmid_i) END AS c2,
    CASE WHEN title_n IS NULL THEN 0 ELSE count(*) OVER (PARTITION BY title_n) END AS c3,
    CASE WHEN blk1 IS NULL THEN 0 ELSE count(*) OVER (PARTITION BY blk1) END AS c4,
    CASE WHEN blk2 IS NULL THEN 0 ELSE count(*) OVER (PARTITION BY blk2) END AS c5
  FROM rec) c
WHERE c1 > 1 OR c2 > 1 OR c3 > 1 OR c4 > 1 OR c5 > 1
ORDER BY rid
"""

# Works: every record gets its work id (the root record of its cluster) and its rank inside the work
# (rank_records: has a DOI, has an abstract, more fields, more authors, then source), and the record
# whose author list the paper keeps (most authors, then most given-name letters, then rank).
WORK_STEPS: list[tuple[str, str]] = [
    ("recw", """
SELECT r.*, coalesce(m.root, r.rid) AS wid FROM rec r LEFT JOIN member m ON m.rid = r.rid
"""),
    ("recr", """
SELECT *, row_number() OVER (PARTITION BY wid ORDER BY n_auth DESC, given_letters DESC, rnk) AS bst FROM (
  SELECT *, row_number() OVER (PARTITION BY wid
                               ORDER BY r_nodoi, r_noabs, r_filled DESC, n_auth DESC, src) AS rnk
  FROM recw) x
"""),
    ("wkey0", """
SELECT wid,
  CASE WHEN min(doi_n) IS NOT NULL THEN concat('doi:', min(doi_n))
       WHEN min(pmid_i) IS NOT NULL THEN concat('pmid:', CAST(min(pmid_i) AS STRING))
       WHEN min(title_hash) IS NOT NULL THEN concat('title:', min(title_hash))
       ELSE concat('title:', min_by(fallback_hash, rid)) END AS key0,
  sort_array(collect_list(src)) AS sources
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

PAPER_STEPS: list[tuple[str, str]] = [
    ("wkey", """
SELECT w.wid, coalesce(f.key, w.key0) AS key, w.sources FROM wkey0 w LEFT JOIN wfix f ON f.wid = w.wid
"""),
    # Work.value: the first non-empty value in rank order
    ("paper", """
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
GROUP BY r.wid, k.key, k.sources
"""),
]

# Authors: the author list each paper keeps; the driver feeds them, in paper key order, to the old
# core's AuthorResolver (graphkit.resolve.authors: the one definition of author identity) and loads the
# keys back as ``akeys`` (wid, pos, akey).
AUTHOR_STEPS: list[tuple[str, str]] = [
    ("best", "SELECT wid, rid AS best_rid, n_auth FROM recr WHERE bst = 1"),
    ("venue", """
SELECT wid, CASE WHEN count(v_issn) > 0 THEN min_by(v_issn, rnk) FILTER (WHERE v_issn IS NOT NULL)
                 ELSE nullif(min_by(coalesce(v_title, ''), rnk) FILTER (WHERE v_has), '') END AS venue
FROM recr GROUP BY wid
"""),
]
KEPT_AUTHORS = """
SELECT k.key, b.wid, o.pos, o.family, o.given, o.orcid, v.venue
FROM best b JOIN occ o ON o.rid = b.best_rid JOIN wkey k ON k.wid = b.wid JOIN venue v ON v.wid = b.wid
ORDER BY k.key, o.pos
"""
# _author_list: from the work's other records with as many authors, the name at the same position when
# it is the same person (same family, same first initial) is a variant of the kept author
ALIGNED_VARIANTS = """
SELECT r.wid, o.pos, o.family, o.given
FROM recr r JOIN best b ON b.wid = r.wid AND r.rid <> b.best_rid AND r.n_auth = b.n_auth
JOIN occ o ON o.rid = r.rid
JOIN occ a ON a.rid = b.best_rid AND a.pos = o.pos
WHERE a.fam_sq = o.fam_sq AND (a.ginit = '' OR o.ginit = '' OR a.ginit = o.ginit)
"""
AUTHORED = """
SELECT a.akey AS source, k.key AS target, min(a.pos) AS position
FROM akeys a JOIN wkey k ON k.wid = a.wid WHERE a.akey IS NOT NULL GROUP BY a.akey, k.key
"""

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
SELECT r.wid, r.rid, k.jkey, r.j_name, r.j_abbr, r.j_issns, r.j_invalid, r.pub
FROM recw r JOIN jlab l ON l.tok = r.j_tok0 JOIN jkey k ON k.lab = l.lab
"""),
    ("wjournal", "SELECT wid, min(jkey) AS jkey FROM jment GROUP BY wid"),
    ("published_in", "SELECT k.key AS source, j.jkey AS target FROM wjournal j JOIN wkey k ON k.wid = j.wid"),
]

# The counts JournalInfo takes its name, abbreviation and publisher from (the driver builds the infos)
JOURNAL_COUNTS = """
SELECT jkey, 'name' AS kind, j_name AS v, count(*) AS n FROM jment WHERE j_name IS NOT NULL GROUP BY jkey, j_name
UNION ALL
SELECT jkey, 'abbreviation' AS kind, j_abbr AS v, count(*) AS n FROM jment WHERE j_abbr IS NOT NULL
GROUP BY jkey, j_abbr
UNION ALL
SELECT jkey, 'issn' AS kind, v, count(*) AS n FROM jment LATERAL VIEW explode(j_issns) t AS v GROUP BY jkey, v
UNION ALL
SELECT jkey, 'publisher' AS kind, pub AS v, count(*) AS n FROM jment WHERE pub IS NOT NULL GROUP BY jkey, pub
UNION ALL
SELECT DISTINCT jkey, 'invalid' AS kind, v, 1 AS n FROM jment LATERAL VIEW explode(j_invalid) t AS v
"""
# Keyword surface forms and how often each was seen (KeywordInfo picks the name)
KEYWORD_COUNTS = "SELECT text, surface, count(*) AS n FROM kw GROUP BY text, surface"

# Keywords and MeSH: a paper's MeSH link merges its records' headings (major if any says so) and their qualifiers in
# order of first appearance (headings in rank order, then qualifiers in record order).
TERM_STEPS: list[tuple[str, str]] = [
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

# Cited references: by a DOI of a paper in the set, else by (first author, year, volume, first page);
# the driver checks the journal of each locator candidate (journal_compatible) and loads cite_loc.
CITE_STEPS: list[tuple[str, str]] = [
    ("pdoi", """
SELECT DISTINCT r.doi_n AS doi, k.key FROM recw r JOIN wkey k ON k.wid = r.wid WHERE r.doi_n IS NOT NULL
"""),
    ("wref", """
SELECT k.key AS source, f.rid, f.rpos, f.doi, f.fam, f.year, f.journal, f.vol_sq, f.page_sq, d.key AS doi_target
FROM ref f JOIN recw r ON r.rid = f.rid JOIN wkey k ON k.wid = r.wid LEFT JOIN pdoi d ON d.doi = f.doi
"""),
    ("ploc", """
SELECT p.key, p.cite_fam AS fam, p.year, p.vol_sq, p.page_sq, j.target AS jkey
FROM paper p LEFT JOIN published_in j ON j.source = p.key
WHERE p.cite_fam IS NOT NULL AND p.year IS NOT NULL AND p.year <> 0 AND p.volume IS NOT NULL
  AND p.vol_sq <> '' AND p.page_sq IS NOT NULL
"""),
]
CITE_CANDIDATES = """
SELECT w.rid, w.rpos, w.journal, p.key, p.jkey
FROM wref w JOIN ploc p ON p.fam = w.fam AND p.year = w.year AND p.vol_sq = w.vol_sq AND p.page_sq = w.page_sq
WHERE w.doi_target IS NULL
ORDER BY w.rid, w.rpos, p.key
"""
CITES = """
SELECT DISTINCT w.source, coalesce(w.doi_target, c.target) AS target
FROM wref w LEFT JOIN cite_loc c ON c.rid = w.rid AND c.rpos = w.rpos
WHERE coalesce(w.doi_target, c.target) IS NOT NULL AND coalesce(w.doi_target, c.target) <> w.source
"""
CITE_FIGURES = """
SELECT count(*) AS refs, count(coalesce(w.doi_target, c.target)) AS resolved
FROM wref w LEFT JOIN cite_loc c ON c.rid = w.rid AND c.rpos = w.rpos
"""

# Report figures
FILE_FIGURES = """
SELECT file, min_by(fmt, rid) AS fmt, min(rid) AS first_rid, count(*) AS records,
  CAST(count_if(miss_doi) AS BIGINT) AS doi, CAST(count_if(miss_year) AS BIGINT) AS year,
  CAST(count_if(miss_authors) AS BIGINT) AS authors, CAST(count_if(miss_journal) AS BIGINT) AS journal,
  min(CASE WHEN miss_doi THEN rid END) AS doi_at, min(CASE WHEN miss_year THEN rid END) AS year_at,
  min(CASE WHEN miss_authors THEN rid END) AS authors_at, min(CASE WHEN miss_journal THEN rid END) AS journal_at
FROM rec GROUP BY file ORDER BY first_rid
"""
MESH_UNKNOWN = "SELECT DISTINCT heading FROM mesh WHERE ui IS NULL ORDER BY heading"
