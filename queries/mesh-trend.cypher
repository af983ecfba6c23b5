// name: mesh-trend
// description: Papers per year with a MeSH heading, next to all papers of that year and the share.
// param: heading (string) example: "Neuroendocrine Tumors" -- MeSH heading, UI (D009378) or key
MATCH (q:Paper)
WHERE q.year IS NOT NULL
WITH q.year AS year, count(*) AS all_papers
MATCH (m:MeshTerm)<-[:HAS_MESH]-(p:Paper)
WHERE (m.key = $heading OR m.ui = $heading OR toLower(m.name) = toLower($heading)) AND p.year = year
WITH year, all_papers, count(DISTINCT p) AS papers
RETURN year, papers, all_papers, 1.0 * papers / all_papers AS share
ORDER BY year
