// name: mesh-trend
// description: Papers per year with a MeSH heading, next to all papers of that year and the share.
// param: heading (string) example: "Neuroendocrine Tumors" -- MeSH heading, UI (D009378) or key
MATCH (m:MeshTerm)<-[:HAS_MESH]-(p:Paper)
WHERE (m.key = $heading OR m.ui = $heading OR toLower(m.name) = toLower($heading)) AND p.year IS NOT NULL
WITH p.year AS year, count(DISTINCT p) AS papers
MATCH (q:Paper)
WHERE q.year = year
RETURN year, papers, count(q) AS all_papers, 1.0 * papers / count(q) AS share
ORDER BY year
