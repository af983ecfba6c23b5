// name: collaboration-path
// description: Shortest chains of co-authorship between two authors (all shortest paths, at most 8 hops).
// param: from (string) example: "Grozinsky-Glasberg, S." -- author key or exact name
// param: to (string) example: "Gross, D.J." -- author key or exact name
// param: limit (int) default: 10
MATCH (a:Author), (b:Author)
WHERE (a.key = $from OR a.name = $from)
  AND (b.key = $to OR b.name = $to) AND a <> b
MATCH p = allShortestPaths((a)-[:CO_AUTHOR*..8]-(b))
WITH [n IN nodes(p) | n.name] AS names, [n IN nodes(p) | n.key] AS keys, length(p) AS hops
RETURN reduce(s = head(names), n IN tail(names) | s + ' > ' + n) AS path,
       reduce(s = head(keys), k IN tail(keys) | s + ' > ' + k) AS keys, hops
ORDER BY hops, path, keys
LIMIT $limit
