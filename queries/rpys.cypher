// name: rpys
// description: Reference publication year spectroscopy (Marx, Bornmann, Barth & Leydesdorff 2014): citations per cited publication year (one per citing paper and cited work; cited-only works included) and the deviation from the median of the five-year window y-2..y+2 (years without citations count as 0). Positive peaks mark the historical roots of a field.
// param: from_year (int) default: 1500
// param: to_year (int) default: 2100
MATCH (:Paper)-[:CITES]->(w:Paper)
WHERE w.year IS NOT NULL AND w.year >= $from_year AND w.year <= $to_year
WITH w.year AS year, count(*) AS n
WITH collect({year: year, n: n}) AS counts, min(year) AS lo, max(year) AS hi
UNWIND range(lo, hi) AS y
UNWIND range(y - 2, y + 2) AS k
UNWIND counts AS c
WITH y, k, sum(CASE WHEN c.year = k THEN c.n ELSE 0 END) AS nk
WITH y, collect({k: k, nk: nk}) AS win
UNWIND win AS a
UNWIND win AS b
WITH y, a.k AS k, a.nk AS nk, sum(CASE WHEN b.nk < a.nk THEN 1 ELSE 0 END) AS below,
     sum(CASE WHEN b.nk <= a.nk THEN 1 ELSE 0 END) AS upto
WITH y, sum(CASE WHEN k = y THEN nk ELSE 0 END) AS citations,
     min(CASE WHEN below <= 2 AND upto >= 3 THEN nk ELSE null END) AS median_5y
RETURN y AS year, citations, median_5y, citations - median_5y AS deviation
ORDER BY year
