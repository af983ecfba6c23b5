// name: bibliographic-coupling
// description: Pairs of citing papers that share references (Kessler 1963): shared references, each paper's number of references, and the normalised coupling strength shared / sqrt(refs_a * refs_b) (Salton's cosine, 0..1).
// param: min_shared (int) default: 2 -- pairs sharing at least this many references
// param: limit (int) default: 25
MATCH (a:Paper)-[:CITES]->(w:Paper)<-[:CITES]-(b:Paper)
WHERE a.key < b.key
WITH a, b, count(DISTINCT w) AS shared
WHERE shared >= $min_shared
MATCH (a)-[:CITES]->(x:Paper)
WITH a, b, shared, count(DISTINCT x) AS refs_a
MATCH (b)-[:CITES]->(y:Paper)
WITH a, b, shared, refs_a, count(DISTINCT y) AS refs_b
RETURN a.key AS paper_a, a.title AS a_title, a.year AS a_year, b.key AS paper_b, b.title AS b_title, b.year AS b_year,
       shared, refs_a, refs_b, round(shared / sqrt(1.0 * refs_a * refs_b), 4) AS strength
ORDER BY shared DESC, strength DESC, paper_a, paper_b
LIMIT $limit
