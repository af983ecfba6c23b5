// name: most-cited
// description: Most-cited works. local_citations: papers of the graph citing the work (works known only from reference lists included, cited_only true); times_cited: the global figure of the database the record came from (WoS TC, Scopus "Cited by"; times_cited_source says which). by: "local" ranks by local_citations, "global" by times_cited.
// param: by (string) default: "local" -- "local" (citations inside the graph) or "global" (times cited in WoS/Scopus)
// param: include_cited_only (bool) default: true -- also rank works that are not papers of the set
// param: limit (int) default: 20
MATCH (p:Paper)
WHERE $include_cited_only OR coalesce(p.cited_only, false) = false
OPTIONAL MATCH (p)<-[:CITES]-(q:Paper)
WHERE q <> p
WITH p, count(DISTINCT q) AS cited_by
WHERE CASE WHEN $by = 'global' THEN p.times_cited IS NOT NULL ELSE cited_by > 0 END
RETURN p.key AS key, coalesce(p.title, p.reference) AS title, p.year AS year,
       coalesce(p.cited_only, false) AS cited_only, cited_by, p.times_cited AS times_cited,
       p.times_cited_source AS times_cited_source
ORDER BY CASE WHEN $by = 'global' THEN times_cited ELSE cited_by END DESC, key
LIMIT $limit
