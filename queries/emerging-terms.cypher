// name: emerging-terms
// description: Keywords and MeSH terms whose share of papers rose most in the last N years against the years before (a keyword and a heading of the same name are separate rows).
// param: years (int) default: 3 -- size of the recent window, ending at the latest year in the graph
// param: min_papers (int) default: 2 -- least recent papers a term needs
// param: limit (int) default: 20
// param: include_check_tags (bool) default: false
MATCH (y:Paper)
WHERE y.year IS NOT NULL
WITH max(y.year) - $years AS cut
MATCH (q:Paper)
WHERE q.year IS NOT NULL
WITH cut, count(CASE WHEN q.year > cut THEN 1 END) AS recent_total,
     count(CASE WHEN q.year <= cut THEN 1 END) AS before_total
MATCH (p:Paper)-[:HAS_KEYWORD|HAS_MESH]->(t)
WHERE p.year IS NOT NULL AND ($include_check_tags OR NOT coalesce(t.check_tag, false))
WITH cut, recent_total, before_total, t,
     count(CASE WHEN p.year > cut THEN 1 END) AS recent,
     count(CASE WHEN p.year <= cut THEN 1 END) AS before
WHERE recent >= $min_papers
WITH t, recent, before, 1.0 * recent / recent_total AS recent_share,
     CASE WHEN before_total = 0 THEN 0.0 ELSE 1.0 * before / before_total END AS before_share
RETURN t.name AS term, t.key AS key, recent, before, recent_share, before_share,
       recent_share - before_share AS rise
ORDER BY rise DESC, term, key
LIMIT $limit
