// name: citations
// description: Papers of the set that a paper cites and that cite it (direction "cites", "cited-by" or "both").
// param: paper (string) example: "doi:10.1007/s12020-018-1537-0" -- paper key, DOI or PMID
// param: limit (int) default: 50
MATCH (p:Paper)-[:CITES]-(q:Paper)
WHERE (p.key = $paper OR toLower(p.doi) = toLower($paper) OR p.pmid = $paper) AND q <> p
WITH DISTINCT p, q
RETURN CASE WHEN NOT EXISTS { MATCH (q)-[:CITES]->(p) } THEN 'cites'
            WHEN NOT EXISTS { MATCH (p)-[:CITES]->(q) } THEN 'cited-by' ELSE 'both' END AS direction,
       q.key AS key, q.title AS title, q.year AS year
ORDER BY direction, year DESC, key
LIMIT $limit
