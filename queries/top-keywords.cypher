// name: top-keywords
// description: The most frequent author keywords, by number of papers (check tags left out unless asked).
// param: limit (int) default: 20
// param: include_check_tags (bool) default: false
// Step 1 finds the paper count of the last row (its last row gives $cut), so step 2 sorts by name only
// the keywords reaching it: sorting 138k keywords by count and name cost ~15 ms on Ladybug.
MATCH (k:Keyword)
WHERE k.papers > 0 AND ($include_check_tags OR NOT coalesce(k.check_tag, false))
RETURN k.papers AS cut
ORDER BY cut DESC
LIMIT $limit;
MATCH (k:Keyword)
WHERE k.papers >= $cut AND ($include_check_tags OR NOT coalesce(k.check_tag, false))
RETURN k.name AS keyword, k.key AS key, k.papers AS papers
ORDER BY papers DESC, keyword, key
LIMIT $limit
