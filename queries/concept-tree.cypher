// name: concept-tree
// description: A MeSH subtree: the concept and every narrower heading in the set, with its depth below the concept, papers indexed with it and papers under it.
// param: concept (string) example: "Neoplasms" -- MeSH heading (any case), descriptor UI (D009369) or key
// param: limit (int) default: 200
MATCH (c:MeshTerm)
WHERE c.key = $concept OR c.ui = $concept OR toLower(c.name) = toLower($concept)
MATCH p = (d:MeshTerm)-[:BROADER*0..20]->(c)
WITH d, min(length(p)) AS depth
RETURN d.name AS heading, d.key AS key, depth, d.papers AS papers, d.papers_below AS papers_below
ORDER BY depth, papers_below DESC, heading, key
LIMIT $limit
