// name: country-output
// description: Papers per country per year (a paper counts once for every country in its addresses), with the country's share of that year's papers with addresses.
// param: country (string) default: "" -- alpha-2 code or name; empty: every country
// param: min_papers (int) default: 1 -- leave out country-years with fewer papers
MATCH (q:Paper)-[:HAS_AFFILIATION]->(:Institution)-[:LOCATED_IN]->(:Country)
WHERE q.year IS NOT NULL
WITH q.year AS year, count(DISTINCT q) AS with_country
MATCH (p:Paper)-[:HAS_AFFILIATION]->(:Institution)-[:LOCATED_IN]->(c:Country)
WHERE p.year = year
  AND ($country = "" OR c.code = toUpper($country) OR toLower(c.name) = toLower($country))
WITH c.code AS country, c.name AS name, year, with_country, count(DISTINCT p) AS papers
WHERE papers >= $min_papers
RETURN country, name, year, papers, with_country, 1.0 * papers / with_country AS share
ORDER BY country, year
