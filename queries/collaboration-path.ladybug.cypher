// name: collaboration-path
// description: Shortest chains of co-authorship between two authors (all shortest paths, at most 8 hops).
// param: from (string) example: "Grozinsky-Glasberg, S." -- author key or exact name
// param: to (string) example: "Gross, D.J." -- author key or exact name
// param: limit (int) default: 10
MATCH (a:Author), (b:Author)
WHERE (a.key = $from OR a.name = $from)
  AND (b.key = $to OR b.name = $to) AND a <> b
MATCH p = (a)-[:CO_AUTHOR* ALL SHORTEST 1..8]-(b)
RETURN list_to_string(' > ', properties(nodes(p), 'name')) AS path,
       list_to_string(' > ', properties(nodes(p), 'key')) AS keys, length(p) AS hops
ORDER BY hops, path, keys
LIMIT $limit
