// name: concept-papers
// description: Papers about a MeSH concept: indexed with it or a narrower heading (BROADER edges), or tagged with a keyword mapped to one of those headings (MAPS_TO).
// param: concept (string) example: "Neoplasms" -- MeSH heading (any case), descriptor UI (D009369) or key
// param: limit (int) default: 50
MATCH (c:MeshTerm)
WHERE c.key = $concept OR c.ui = $concept OR toLower(c.name) = toLower($concept)
MATCH (d:MeshTerm)-[:BROADER*0..20]->(c)
RETURN collect(DISTINCT d.key) AS concepts;
OPTIONAL MATCH (p:Paper)-[:HAS_MESH]->(m:MeshTerm)
WHERE m.key IN $concepts
WITH collect(DISTINCT p.key) AS indexed
OPTIONAL MATCH (q:Paper)-[:HAS_KEYWORD]->(:Keyword)-[:MAPS_TO]->(m:MeshTerm)
WHERE m.key IN $concepts
WITH indexed, collect(DISTINCT q.key) AS tagged
MATCH (p:Paper)
WHERE p.key IN indexed OR p.key IN tagged
RETURN p.key AS key, p.title AS title, p.year AS year, p.key IN indexed AS indexed, p.key IN tagged AS by_keyword
ORDER BY year DESC, key
LIMIT $limit
