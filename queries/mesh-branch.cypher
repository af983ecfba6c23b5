// name: mesh-branch
// description: Papers indexed with a MeSH heading under a tree branch (e.g. C04 Neoplasms), descendants included (BROADER edges).
// param: branch (string) example: "C04" -- a tree number (or a heading, UI or key); every heading at or below it counts
// param: limit (int) default: 50
// unordered: headings
MATCH (c:MeshTerm)
WHERE $branch IN c.tree_numbers OR c.key = $branch OR c.ui = $branch OR toLower(c.name) = toLower($branch)
MATCH (m:MeshTerm)-[:BROADER*0..20]->(c)
RETURN collect(DISTINCT m.key) AS headings_in;
MATCH (p:Paper)-[:HAS_MESH]->(m:MeshTerm)
WHERE m.key IN $headings_in
RETURN p.key AS key, p.title AS title, p.year AS year, collect(DISTINCT m.name) AS headings
ORDER BY year DESC, key
LIMIT $limit
