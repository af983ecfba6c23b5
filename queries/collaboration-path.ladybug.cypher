// name: collaboration-path
// description: Shortest chains of co-authorship between two authors (all shortest paths, at most 8 hops).
// param: from (string) example: "Grozinsky-Glasberg, S." -- author key or name
// param: to (string) example: "Gross, D.J." -- author key or name
// param: limit (int) default: 10
MATCH (a:Author), (b:Author)
WHERE (a.key = $from OR toLower(a.name) = toLower($from))
  AND (b.key = $to OR toLower(b.name) = toLower($to)) AND a <> b
MATCH p = (a)-[:CO_AUTHOR* ALL SHORTEST 1..8]-(b)
RETURN list_to_string(' > ', properties(nodes(p), 'name')) AS path,
       list_to_string(' > ', properties(nodes(p), 'key')) AS keys, length(p) AS hops
ORDER BY hops, path, keys
LIMIT $limit
