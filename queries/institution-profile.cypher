// name: institution-profile
// description: One institution at a glance: papers, years, country, the authors tied to it, and its top authors and partner institutions (most shared papers).
// param: institution (string) example: "University of Pittsburgh" -- institution key or exact name (case-insensitive); same-name institutions of several countries together
// param: top (int) default: 5 -- how many top authors and partner institutions
// unordered: countries, top_authors, top_partners
// Four steps: each earlier step's last row gives parameters to the later ones (LadybugDB allows ORDER BY
// in WITH only before a LIMIT, so each ranked list is its own step).
MATCH (i:Institution)<-[:HAS_AFFILIATION]-(p:Paper)
WHERE i.key = $institution OR toLower(i.name) = toLower($institution)
RETURN count(DISTINCT p) AS papers, min(p.year) AS first_year, max(p.year) AS last_year,
       collect(DISTINCT i.key) AS keys, collect(DISTINCT i.country) AS countries;
OPTIONAL MATCH (a:Author)-[:AFFILIATED_WITH]->(i:Institution)
WHERE i.key IN $keys
RETURN count(DISTINCT a) AS authors;
OPTIONAL MATCH (a:Author)-[r:AFFILIATED_WITH]->(i:Institution)
WHERE i.key IN $keys
WITH a.name AS author, sum(r.papers) AS n
ORDER BY n DESC, author
LIMIT $top
RETURN collect(author) AS top_authors;
OPTIONAL MATCH (i:Institution)<-[:HAS_AFFILIATION]-(p:Paper)-[:HAS_AFFILIATION]->(o:Institution)
WHERE i.key IN $keys AND NOT o.key IN $keys
WITH o.name AS partner, count(DISTINCT p) AS shared
ORDER BY shared DESC, partner
LIMIT $top
RETURN $papers AS papers, $first_year AS first_year, $last_year AS last_year, $countries AS countries,
       $authors AS authors, $top_authors AS top_authors, collect(partner) AS top_partners
