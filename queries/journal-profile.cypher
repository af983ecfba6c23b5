// name: journal-profile
// description: One journal at a glance: papers, years, authors and its top terms (check tags left out).
// param: journal (string) example: "Endocrine Development" -- journal key, ISSN or name (case-insensitive)
// param: top (int) default: 10 -- how many top terms
// param: include_check_tags (bool) default: false
// unordered: top_terms
MATCH (j:Journal)<-[:PUBLISHED_IN]-(p:Paper)
WHERE j.key = $journal OR j.issn = $journal OR toLower(j.name) = toLower($journal)
   OR toLower(j.abbreviation) = toLower($journal)
OPTIONAL MATCH (p)<-[:AUTHORED]-(a:Author)
WITH count(DISTINCT p) AS papers, min(p.year) AS first_year, max(p.year) AS last_year,
     count(DISTINCT a) AS authors
MATCH (j:Journal)<-[:PUBLISHED_IN]-(p:Paper)
WHERE j.key = $journal OR j.issn = $journal OR toLower(j.name) = toLower($journal)
   OR toLower(j.abbreviation) = toLower($journal)
OPTIONAL MATCH (p)-[:HAS_KEYWORD|HAS_MESH]->(t)
WHERE $include_check_tags OR NOT coalesce(t.check_tag, false)
WITH papers, first_year, last_year, authors, t.name AS term,
     count(DISTINCT CASE WHEN t.name IS NOT NULL THEN p.key END) AS n
ORDER BY n DESC, term
LIMIT $top
RETURN papers, first_year, last_year, authors, collect(term) AS top_terms
