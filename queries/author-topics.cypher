// name: author-topics
// description: The keywords and MeSH terms of an author's papers, by number of papers (check tags left out).
// param: author (string) example: "Grozinsky-Glasberg, S." -- author key or exact name
// param: include_check_tags (bool) default: false
// param: limit (int) default: 25
MATCH (a:Author)-[:AUTHORED]->(p:Paper)-[:HAS_KEYWORD|HAS_MESH]->(t)
WHERE (a.key = $author OR a.name = $author)
  AND ($include_check_tags OR NOT coalesce(t.check_tag, false))
RETURN t.name AS term, t.key AS key, count(DISTINCT p) AS papers, min(p.year) AS first_year,
       max(p.year) AS last_year
ORDER BY papers DESC, term, key
LIMIT $limit
