// name: top-mesh
// description: The most frequent MeSH headings, by number of papers and as major topic (check tags left out unless asked).
// param: limit (int) default: 20
// param: include_check_tags (bool) default: false
MATCH (p:Paper)-[r:HAS_MESH]->(m:MeshTerm)
WHERE $include_check_tags OR NOT coalesce(m.check_tag, false)
RETURN m.name AS heading, m.key AS key, count(*) AS papers,
       count(CASE WHEN r.major THEN 1 END) AS major
ORDER BY papers DESC, heading, key
LIMIT $limit
