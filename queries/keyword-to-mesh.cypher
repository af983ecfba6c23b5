// name: keyword-to-mesh
// description: How the keywords of the set map to MeSH: each keyword (most used first) with the descriptor it maps to and how (heading or entry term); unmapped keywords show no heading.
// param: limit (int) default: 50
// param: mapped_only (bool) default: false
// param: include_check_tags (bool) default: false
MATCH (k:Keyword)
WHERE k.papers > 0 AND ($include_check_tags OR NOT coalesce(k.check_tag, false))
OPTIONAL MATCH (k)-[r:MAPS_TO]->(m:MeshTerm)
WITH k, r, m
WHERE NOT $mapped_only OR m IS NOT NULL
RETURN k.name AS keyword, k.key AS key, k.papers AS papers, m.name AS heading, m.ui AS ui, r.via AS via
ORDER BY papers DESC, keyword, key
LIMIT $limit
