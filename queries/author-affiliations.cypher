// name: author-affiliations
// description: The institutions an author gives addresses at, with the number of papers and the first and last year at each.
// param: author (string) example: "Newman, Anne B" -- author key, or the name exactly as graphkit shows it ("Family, Given")
MATCH (a:Author)-[r:AFFILIATED_WITH]->(i:Institution)
WHERE a.key = $author OR a.name = $author
OPTIONAL MATCH (i)-[:LOCATED_IN]->(c:Country)
RETURN a.name AS author, a.key AS author_key, i.name AS institution, i.key AS key, c.name AS country,
       r.papers AS papers, r.first_year AS first_year, r.last_year AS last_year
ORDER BY papers DESC, first_year, institution, key
