// name: historiograph
// description: Garfield's historiograph (HistCite): the citation network among the papers of the set (no cited-only works), each edge with both papers' years, for the papers most cited inside the set (local citation score) and the citations between them.
// param: top (int) default: 30 -- the papers with the highest local citation score
// param: min_cited (int) default: 1 -- papers cited at least this many times inside the set (0: every paper of the set)
MATCH (p:Paper)
WHERE coalesce(p.cited_only, false) = false
OPTIONAL MATCH (p)<-[:CITES]-(q:Paper)
WHERE q <> p
WITH p, count(DISTINCT q) AS lcs
WHERE lcs >= $min_cited
WITH p, lcs ORDER BY lcs DESC, p.key LIMIT $top
WITH collect(p) AS top
UNWIND top AS a
UNWIND top AS b
MATCH (a)-[:CITES]->(b)
RETURN a.key AS citing, a.year AS citing_year, a.first_author AS citing_author,
       b.key AS cited, b.year AS cited_year, b.first_author AS cited_author
ORDER BY cited_year, cited, citing_year, citing
