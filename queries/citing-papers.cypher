// name: citing-papers
// description: The papers of the graph that cite a work (a paper of the set or a cited-only work), newest first, with their times-cited figures.
// param: work (string) example: "ref:erd|1959|6|290" -- work key, DOI or PMID
// param: limit (int) default: 50
MATCH (w:Paper)<-[:CITES]-(p:Paper)
WHERE w.key = $work OR toLower(w.doi) = toLower($work) OR w.pmid = $work
RETURN p.key AS key, p.title AS title, p.year AS year, p.first_author AS first_author,
       p.times_cited AS times_cited
ORDER BY year DESC, key
LIMIT $limit
