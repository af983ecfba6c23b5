// name: co-citation
// description: Pairs of works cited together (Small 1973): how many papers of the graph cite both. Works are papers of the set or cited-only works known from reference lists (cited_only true); each side is given by key, first author, year and title or reference text.
// param: min_count (int) default: 2 -- pairs cited together by at least this many papers
// param: limit (int) default: 25
MATCH (c:Paper)-[:CITES]->(a:Paper), (c)-[:CITES]->(b:Paper)
WHERE a.key < b.key
WITH a, b, count(DISTINCT c) AS co_citations
WHERE co_citations >= $min_count
RETURN a.key AS work_a, a.first_author AS a_author, a.year AS a_year, coalesce(a.title, a.reference) AS a_title,
       b.key AS work_b, b.first_author AS b_author, b.year AS b_year, coalesce(b.title, b.reference) AS b_title,
       co_citations
ORDER BY co_citations DESC, work_a, work_b
LIMIT $limit
