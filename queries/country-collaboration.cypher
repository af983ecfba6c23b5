// name: country-collaboration
// description: Pairs of countries with co-authored papers (a paper with addresses in both), most papers first.
// param: limit (int) default: 25
// param: country (string) default: "" -- only pairs with this country (alpha-2 code or name); empty: all pairs
MATCH (p:Paper)-[:HAS_AFFILIATION]->(:Institution)-[:LOCATED_IN]->(a:Country)
MATCH (p)-[:HAS_AFFILIATION]->(:Institution)-[:LOCATED_IN]->(b:Country)
WHERE a.code < b.code
  AND ($country = "" OR a.code = toUpper($country) OR b.code = toUpper($country)
       OR toLower(a.name) = toLower($country) OR toLower(b.name) = toLower($country))
RETURN a.code AS country_a, a.name AS name_a, b.code AS country_b, b.name AS name_b,
       count(DISTINCT p) AS papers, min(p.year) AS first_year, max(p.year) AS last_year
ORDER BY papers DESC, country_a, country_b
LIMIT $limit
