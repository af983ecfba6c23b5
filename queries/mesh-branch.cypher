// name: mesh-branch
// description: Papers indexed with a MeSH heading under a tree branch (e.g. C04 Neoplasms), descendants included.
// param: branch (string) example: "C04" -- a tree number; every heading at or below it counts
// param: limit (int) default: 50
// unordered: headings
MATCH (m:MeshTerm)
UNWIND m.tree_numbers AS tree
WITH m, tree
WHERE tree = $branch OR tree STARTS WITH ($branch + '.')
WITH DISTINCT m
MATCH (p:Paper)-[:HAS_MESH]->(m)
RETURN p.key AS key, p.title AS title, p.year AS year, collect(DISTINCT m.name) AS headings
ORDER BY year DESC, key
LIMIT $limit
