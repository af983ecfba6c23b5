// name: co-authors
// description: Co-authors of an author, with the number of shared papers and the first and last shared year.
// param: author (string) example: "Grozinsky-Glasberg, S." -- author key, or the name exactly as graphkit shows it ("Family, Given")
// param: limit (int) default: 25
MATCH (a:Author)-[:AUTHORED]->(p:Paper)<-[:AUTHORED]-(c:Author)
WHERE (a.key = $author OR a.name = $author) AND c <> a
RETURN c.name AS coauthor, c.key AS key, count(DISTINCT p) AS papers,
       min(p.year) AS first_year, max(p.year) AS last_year
ORDER BY papers DESC, coauthor, key
LIMIT $limit
