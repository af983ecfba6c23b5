// name: keyword-cooccurrence
// description: Keywords that appear on the same papers as a given keyword, by number of shared papers.
// param: keyword (string) example: "neuroendocrine tumor" -- keyword key or text (case-insensitive)
// param: limit (int) default: 25
// param: include_check_tags (bool) default: false
MATCH (k:Keyword)<-[:HAS_KEYWORD]-(p:Paper)-[:HAS_KEYWORD]->(o:Keyword)
WHERE (k.key = $keyword OR toLower(k.name) = toLower($keyword)) AND o <> k
  AND ($include_check_tags OR NOT coalesce(o.check_tag, false))
RETURN o.name AS keyword, o.key AS key, count(DISTINCT p) AS papers
ORDER BY papers DESC, keyword, key
LIMIT $limit
