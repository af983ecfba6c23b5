// name: top-institutions
// description: Institutions with the most papers (papers giving an author address there), with their country, authors tied to them and years.
// param: limit (int) default: 20
// param: country (string) default: "" -- ISO 3166-1 alpha-2 code (e.g. "ES") or country name; empty: all countries
MATCH (p:Paper)-[:HAS_AFFILIATION]->(i:Institution)
WHERE $country = "" OR i.country = toUpper($country)
   OR EXISTS { MATCH (i)-[:LOCATED_IN]->(c:Country) WHERE toLower(c.name) = toLower($country) }
WITH i, count(DISTINCT p) AS papers, min(p.year) AS first_year, max(p.year) AS last_year
OPTIONAL MATCH (a:Author)-[:AFFILIATED_WITH]->(i)
RETURN i.name AS institution, i.key AS key, i.country AS country, papers, count(DISTINCT a) AS authors,
       first_year, last_year
ORDER BY papers DESC, institution, key
LIMIT $limit
