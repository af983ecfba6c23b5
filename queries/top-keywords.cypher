// name: top-keywords
// description: The most frequent author keywords, by number of papers (check tags left out unless asked).
// param: limit (int) default: 20
// param: include_check_tags (bool) default: false
MATCH (k:Keyword)
WHERE k.papers > 0 AND ($include_check_tags OR NOT coalesce(k.check_tag, false))
RETURN k.name AS keyword, k.key AS key, k.papers AS papers
ORDER BY papers DESC, keyword, key
LIMIT $limit
