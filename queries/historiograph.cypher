// name: historiograph
// description: Garfield's historiograph (HistCite): the citation network among the papers of the set (no cited-only works), each edge with both papers' years, for the papers most cited inside the set (local citation score, ties by key) and the citations between them. The first statement finds the last paper of the top list (LadybugDB ignores ORDER BY before LIMIT inside WITH).
// param: top (int) default: 30 -- the papers with the highest local citation score
// param: min_cited (int) default: 1 -- papers cited at least this many times inside the set (0: every paper of the set)
MATCH (p:Paper)
WHERE coalesce(p.cited_only, false) = false
OPTIONAL MATCH (p)<-[:CITES]-(q:Paper)
WHERE q <> p
WITH p, count(DISTINCT q) AS lcs
WHERE lcs >= $min_cited
RETURN lcs AS cut_lcs, p.key AS cut_key ORDER BY cut_lcs DESC, cut_key LIMIT $top;
MATCH (p:Paper)
WHERE coalesce(p.cited_only, false) = false
OPTIONAL MATCH (p)<-[:CITES]-(q:Paper)
WHERE q <> p
WITH p, count(DISTINCT q) AS lcs
WHERE lcs > $cut_lcs OR (lcs = $cut_lcs AND p.key <= $cut_key)
WITH collect(p.key) AS top
MATCH (a:Paper)-[:CITES]->(b:Paper)
WHERE a.key IN top AND b.key IN top AND a <> b
RETURN a.key AS citing, a.year AS citing_year, a.first_author AS citing_author,
       b.key AS cited, b.year AS cited_year, b.first_author AS cited_author
ORDER BY cited_year, cited, citing_year, citing
