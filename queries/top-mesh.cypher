// name: top-mesh
// description: The most frequent MeSH headings, by number of papers and as major topic (check tags left out unless asked).
// param: limit (int) default: 20
// param: include_check_tags (bool) default: false
MATCH (m:MeshTerm)
WHERE m.papers > 0 AND ($include_check_tags OR NOT coalesce(m.check_tag, false))
WITH m ORDER BY m.papers DESC, m.name, m.key LIMIT $limit
MATCH (:Paper)-[r:HAS_MESH]->(m)
RETURN m.name AS heading, m.key AS key, m.papers AS papers, count(CASE WHEN r.major THEN 1 END) AS major
ORDER BY papers DESC, heading, key
