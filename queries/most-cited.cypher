// name: most-cited
// description: Papers of the set cited most often by other papers of the set (needs CITES, i.e. cited references).
// param: limit (int) default: 20
MATCH (p:Paper)<-[:CITES]-(q:Paper)
WHERE q <> p
RETURN p.key AS key, p.title AS title, p.year AS year, count(*) AS cited_by
ORDER BY cited_by DESC, key
LIMIT $limit
