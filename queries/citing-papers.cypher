// name: citing-papers
// description: The papers of the graph that cite a work (a paper of the set or a cited-only work), newest first, with their times-cited figures.
// param: paper (string) example: "ref:erd|1959|6|290" -- key, DOI or PMID of the cited work
// param: limit (int) default: 50
MATCH (w:Paper)<-[:CITES]-(p:Paper)
WHERE w.key = $paper OR toLower(w.doi) = toLower($paper) OR w.pmid = $paper
RETURN p.key AS key, p.title AS title, p.year AS year, p.first_author AS first_author,
       p.times_cited AS times_cited
ORDER BY year DESC, key
LIMIT $limit
