// name: institution-profile
// description: One institution at a glance: papers, years, country, the authors tied to it, and its top authors and partner institutions (most shared papers).
// param: institution (string) example: "University of Pittsburgh" -- institution key or exact name (case-insensitive); same-name institutions of several countries together
// param: top (int) default: 5 -- how many top authors and partner institutions
// unordered: countries, top_authors, top_partners
// Each earlier step's last row gives parameters to the later ones. A top-N list is found in two steps:
// the N-th row of the ranking (papers desc, name) is the cut, then every entry ranked at or above it is
// collected (LadybugDB loses the ORDER BY of a WITH ... ORDER BY ... LIMIT that a collect() follows, and
// cannot take an empty list as a parameter, so lists are made in the last step).
MATCH (i:Institution)<-[:HAS_AFFILIATION]-(p:Paper)
WHERE i.key = $institution OR toLower(i.name) = toLower($institution)
WITH count(DISTINCT p) AS papers, min(p.year) AS first_year, max(p.year) AS last_year,
     collect(DISTINCT i.key) AS keys
WHERE papers > 0
RETURN papers, first_year, last_year, keys;
OPTIONAL MATCH (a:Author)-[:AFFILIATED_WITH]->(i:Institution)
WHERE i.key IN $keys
RETURN count(DISTINCT a) AS authors;
OPTIONAL MATCH (a:Author)-[r:AFFILIATED_WITH]->(i:Institution)
WHERE i.key IN $keys
WITH a.name AS author, sum(r.papers) AS n
RETURN coalesce(author, "") AS cut_author, n AS cut_author_papers
ORDER BY cut_author_papers DESC, cut_author
LIMIT $top;
OPTIONAL MATCH (i:Institution)<-[:HAS_AFFILIATION]-(p:Paper)-[:HAS_AFFILIATION]->(o:Institution)
WHERE i.key IN $keys AND NOT o.key IN $keys
WITH o.name AS partner, count(DISTINCT p) AS shared
RETURN coalesce(partner, "") AS cut_partner, shared AS cut_shared
ORDER BY cut_shared DESC, cut_partner
LIMIT $top;
MATCH (i:Institution)
WHERE i.key IN $keys
WITH collect(DISTINCT i.country) AS countries
OPTIONAL MATCH (a:Author)-[r:AFFILIATED_WITH]->(i:Institution)
WHERE i.key IN $keys
WITH countries, a.name AS author, sum(r.papers) AS n
WITH countries, collect(CASE WHEN n > $cut_author_papers OR (n = $cut_author_papers AND author <= $cut_author)
                             THEN author END) AS top_authors
OPTIONAL MATCH (i:Institution)<-[:HAS_AFFILIATION]-(p:Paper)-[:HAS_AFFILIATION]->(o:Institution)
WHERE i.key IN $keys AND NOT o.key IN $keys
WITH countries, top_authors, o.name AS partner, count(DISTINCT p) AS shared
RETURN $papers AS papers, $first_year AS first_year, $last_year AS last_year, countries,
       $authors AS authors, top_authors,
       collect(CASE WHEN shared > $cut_shared OR (shared = $cut_shared AND partner <= $cut_partner)
                    THEN partner END) AS top_partners
