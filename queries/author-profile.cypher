// name: author-profile
// description: One author at a glance: papers, years, co-authors, journals and top terms (check tags left out).
// param: author (string) example: "Grozinsky-Glasberg, S." -- author key or exact name; all authors of that name together
// param: top (int) default: 5 -- how many top terms
// param: include_check_tags (bool) default: false
// unordered: journals, top_terms
MATCH (a:Author)-[:AUTHORED]->(p:Paper)
WHERE a.key = $author OR a.name = $author
OPTIONAL MATCH (p)-[:PUBLISHED_IN]->(j:Journal)
WITH count(DISTINCT p) AS papers, min(p.year) AS first_year, max(p.year) AS last_year,
     collect(DISTINCT j.name) AS journals
MATCH (a:Author)-[:AUTHORED]->(p:Paper)
WHERE a.key = $author OR a.name = $author
OPTIONAL MATCH (p)<-[:AUTHORED]-(c:Author)
WHERE c <> a
WITH papers, first_year, last_year, journals, count(DISTINCT c) AS coauthors
MATCH (a:Author)-[:AUTHORED]->(p:Paper)
WHERE a.key = $author OR a.name = $author
OPTIONAL MATCH (p)-[:HAS_KEYWORD|HAS_MESH]->(t)
WHERE $include_check_tags OR NOT coalesce(t.check_tag, false)
WITH papers, first_year, last_year, journals, coauthors, t.name AS term,
     count(DISTINCT CASE WHEN t.name IS NOT NULL THEN p.key END) AS n
ORDER BY n DESC, term
LIMIT $top
RETURN papers, first_year, last_year, coauthors, journals, collect(term) AS top_terms
