// name: prolific-authors
// description: Authors with the most papers in the graph, with their first and last year.
// param: limit (int) default: 20
MATCH (a:Author)-[:AUTHORED]->(p:Paper)
RETURN a.name AS author, a.key AS key, count(DISTINCT p) AS papers,
       min(p.year) AS first_year, max(p.year) AS last_year
ORDER BY papers DESC, author, key
LIMIT $limit
