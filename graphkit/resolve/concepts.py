"""The concept layer: keywords folded to one concept, keywords linked to MeSH, the MeSH hierarchy as edges.

**Keyword folding** (:func:`concept_text`, the text behind every ``kw:`` key): NFKC and case folding as
before, then hyphens, slashes and dashes between words become spaces (``small-world`` = ``small world``),
the last word, the head noun of an English noun phrase, is put in the singular (``random graphs`` ->
``random graph``, ``analyses`` -> ``analysis``, ``children`` -> ``child``; lemminflect's noun lemmas, see :func:`_singular`),
then British spellings become American word by word (``tumour`` -> ``tumor``, ``behaviour``,
``paediatric``; the breame package's dictionary of 1,700 dual spellings).
The display name of a Keyword is its most frequent surface form; ``variants`` lists every form seen (the name included). A word is left alone when it is written in
capitals in the record (``AIDS`` is not ``aid``; in a keyword written all in capitals, as WoS Keywords
Plus are, only words of up to five letters count as acronyms), holds anything but letters (``COVID-19``), is shorter
than four letters, or when lemminflect gives more than one lemma (``data`` -> data|datum, ``bases`` ->
base|basis): precision before recall. The display name of a Keyword is its most frequent surface form;
the other forms are kept in ``variants``.

**Keyword -> MeSH** (``MAPS_TO {via}``): a keyword whose folded text equals the folded text of a MeSH
descriptor's preferred heading (``via: "heading"``) or of one of its entry terms (``via: "entry_term"``)
is linked to that descriptor. A folded text shared by several descriptors is ambiguous and not linked
(counted in the report). The MeshTerm node is added when the descriptor is not indexed in the set.

**Hierarchy** (``BROADER``): every MeshTerm brings its ancestors (the descriptors of its tree numbers'
prefixes) as MeshTerm nodes, with one ``(child)-[:BROADER]->(parent)`` edge per pair. ``papers`` stays
the number of papers indexed with the term itself; ``papers_below`` (derived, :mod:`graphkit.derive`)
counts the distinct papers indexed with it or any descendant.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from graphkit import derive, extend
from graphkit.columnar import column_table, columns
from graphkit.resolve.mesh import MeshVocabulary, vocabulary
from graphkit.schema import Label, RelType

log = logging.getLogger(__name__)

_STRIP = " \t\r\n.,;:\"'*"  # '*': a MeSH/APA major-topic star is not part of a keyword (issue 19)
_JOINERS = re.compile(r"(?<=\w)\s*[-\u2010\u2011\u2012\u2013\u2014/]\s*(?=\w)")
_WORD = re.compile(r"[^\W\d_]+\Z")
KEYWORD_BATCH = 100_000  # keywords turned into Python values at a time (resolve_concepts)
MIN_HEAD = 4  # shorter head words are left as they are (gas, bus, ads)


@lru_cache(maxsize=1 << 16)
def _american(word: str) -> str:
    from breame.spelling import british_spelling_exists, get_american_spelling

    return get_american_spelling(word) if british_spelling_exists(word) else word


@lru_cache(maxsize=1)
def _lemma_tables() -> tuple[dict[str, dict[str, tuple[str, ...]]], dict[str, dict[str, tuple[str, ...]]]]:
    """lemminflect's lemma table and its overrides (word -> part of speech -> lemmas), loaded as its own
    ``getAllLemmas`` loads them."""
    from lemminflect import Lemmatizer

    lemmatizer = Lemmatizer()
    return lemmatizer._getLemmaDict(), lemmatizer._getOverridesDict()  # noqa: SLF001


def _noun_lemmas(word: str) -> tuple[str, ...] | None:
    """``lemminflect.getAllLemmas(word, upos="NOUN").get("NOUN")`` for a word in lower case, read from
    its tables directly: the function deep-copies two dicts and restyles the result per call (6.2 µs a
    lookup against 0.7; tests/resolve/test_concepts.py compares the two on every word lemminflect
    knows)."""
    if not word.islower() or word.lower() != word:  # (capitals are restyled by lemminflect itself)
        from lemminflect import getAllLemmas

        return getAllLemmas(word, upos="NOUN").get("NOUN")
    lemmas, overrides = _lemma_tables()
    override = overrides.get(word)
    forms = override["NOUN"] if override is not None and "NOUN" in override else lemmas.get(word, {}).get("NOUN")
    return None if forms is None else tuple(form.lower() for form in forms)


@lru_cache(maxsize=1 << 16)
def _singular(word: str) -> str:
    """A plural noun's singular: lemminflect's dictionary lemma when it knows the word and gives one;
    for a word it does not know, its rule-based lemma only when that is the word less a final -s (a
    regular plural: nanoparticles, cytokines) and the word does not end in -ss, -is or -us (fibrosis,
    stimulus): the rules would cut those wrongly. Words in -ics are left alone (genomics is not the plural
    of genomic; antibiotics stays apart from antibiotic: precision first)."""
    from lemminflect import getAllLemmasOOV

    if word.endswith("ics"):  # genomics, economics, ethics: a field of study, not the plural of an adjective
        return word
    known = _noun_lemmas(word)
    if known:
        return known[0] if len(known) == 1 and known[0].islower() else word
    if not word.endswith("s") or word.endswith(("ss", "is", "us")):  # only a regular plural can pass below:
        return word  # skip lemminflect's OOV model (most of the cost) for words without a final -s
    guess = getAllLemmasOOV(word, upos="NOUN").get("NOUN")
    if guess and len(guess) == 1 and guess[0] + "s" == word:
        return guess[0]
    return word


@lru_cache(maxsize=1 << 16)
def concept_text(surface: str) -> str:
    """The folded text a keyword is identified by (the part of its key after ``kw:``)."""
    text = " ".join(unicodedata.normalize("NFKC", surface).split()).strip(_STRIP)
    if not text:
        return ""
    raw_words = _JOINERS.sub(" ", text).split()
    words = [w.casefold() for w in raw_words]
    last, raw_last = words[-1], raw_words[-1]
    # a word in capitals is an acronym (AIDS, not aids) unless the whole keyword is in capitals (WoS
    # Keywords Plus: RANDOM GRAPHS), where only a short word still reads as one
    all_caps = text.isupper()
    acronym = raw_last.isupper() and len(raw_last) > 1 and (not all_caps or len(raw_last) <= 5)
    if len(last) >= MIN_HEAD and _WORD.match(last) and not acronym:
        words[-1] = _singular(last)  # before the spelling: "analyses" is a plural noun, not a British verb
    return " ".join(_american(w) if _WORD.match(w) else w for w in words)


def _exact(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


class MeshIndex:
    """Folded heading / entry-term text -> descriptor UIs, and tree number -> descriptor UI."""

    def __init__(self, vocab: MeshVocabulary, entries: dict[str, list[str]],
                 folded: list[dict[str, list[str]]] | None = None) -> None:
        """``folded``: the four tables computed earlier, as :meth:`folded` gives them (:func:`mesh_index`
        keeps them in the user's cache: folding 280k texts costs seconds per process). Each table maps a
        text to the sorted UIs of the descriptors it names (lists: a third of a set's memory)."""
        self.vocab = vocab
        self.by_tree: dict[str, str] = {}
        for ui, d in vocab.by_ui.items():
            for tree in d.tree_numbers:
                self.by_tree[tree] = ui
        if folded is None:
            # exact (case-folded) texts first, then folded ones: "Mitomycin" is its own heading although
            # "Mitomycins" folds to the same text
            exact_h: dict[str, set[str]] = {}
            exact_e: dict[str, set[str]] = {}
            folded_h: dict[str, set[str]] = {}
            folded_e: dict[str, set[str]] = {}
            for ui, d in vocab.by_ui.items():
                exact_h.setdefault(_exact(d.heading), set()).add(ui)
                folded_h.setdefault(concept_text(d.heading), set()).add(ui)
            for ui, terms in entries.items():
                for term in terms:
                    exact_e.setdefault(_exact(term), set()).add(ui)
                    folded_e.setdefault(concept_text(term), set()).add(ui)
            folded = [{k: sorted(v) for k, v in t.items()} for t in (exact_h, exact_e, folded_h, folded_e)]
        self.tables: list[tuple[str, dict[str, list[str]]]] = list(
            zip(("heading", "entry_term", "heading", "entry_term"), folded))

    def folded(self) -> list[dict[str, list[str]]]:
        """The four tables as plain data (text -> sorted UIs), what ``folded`` takes."""
        return [t for _, t in self.tables]

    def match(self, text: str) -> tuple[str | None, str | None, bool]:
        """(descriptor UI, via, ambiguous) for a keyword's folded text (its key): a heading or entry term
        whose case-folded text is that text, else one whose folded text is; the first table that knows it
        decides, several descriptors there make it ambiguous. Only the key counts (not the display name),
        so a store that loads files one by one links exactly as one that loads them together."""
        for via, table in self.tables:
            uis = table.get(text)
            if uis:
                return (uis[0], via, False) if len(uis) == 1 else (None, None, True)
        return None, None, False

    def parents(self, ui: str) -> list[str]:
        """The descriptors one level up from each of ``ui``'s tree numbers (distinct, in tree order)."""
        out: list[str] = []
        for tree in self.vocab.by_ui[ui].tree_numbers:
            if "." in tree:
                parent = self.by_tree.get(tree.rsplit(".", 1)[0])
                if parent and parent != ui and parent not in out:
                    out.append(parent)
        return out


@lru_cache(maxsize=1)
def mesh_index() -> MeshIndex:
    """Built once per process from the bundled table (~31k descriptors, ~250k entry terms). The folded
    texts (the slow part: lemmatising every heading and entry term) are kept in the user's cache
    (:mod:`graphkit.user_cache`), keyed by the table, this module's code and the versions of the two
    libraries folding uses, so a change to any of them folds again."""
    import gzip
    from importlib import metadata, resources

    from graphkit.user_cache import load_json, save_json

    data = (resources.files("graphkit") / "data" / "mesh.tsv.gz").read_bytes()
    key = hashlib.sha256(data + Path(__file__).read_bytes() + "|".join(
        metadata.version(d) for d in ("lemminflect", "breame")).encode()).hexdigest()[:16]
    folded = load_json(f"mesh-concepts-{key}")
    if isinstance(folded, list) and len(folded) == 4:
        return MeshIndex(vocabulary(), {}, folded)  # the entry terms are in the tables already
    entries: dict[str, list[str]] = {}
    with gzip.open(io.BytesIO(data), "rt", encoding="utf-8") as fh:
        next(fh, None)
        for line in fh:
            cells = line.rstrip("\n").split("\t")
            if len(cells) >= 4 and cells[3]:
                entries[cells[0]] = [t for t in cells[3].split("|") if t]
    index = MeshIndex(vocabulary(), entries)
    save_json(f"mesh-concepts-{key}", index.folded())
    return index


def _mesh_node(graph: Any, index: MeshIndex, ui: str) -> str:
    """The key of descriptor ``ui``'s MeshTerm node, added (with no papers) when the set lacks it."""
    from graphkit.resolve.check_tags import is_mesh_check_tag

    key = f"mesh:{ui}"
    if not graph.has_node(Label.MESH, key):
        d = index.vocab.by_ui[ui]
        graph.add_node(Label.MESH, key, ui=ui, name=d.heading, tree_numbers=list(d.tree_numbers),
                       check_tag=is_mesh_check_tag(d.heading), papers=0)
    return key


def resolve_concepts(ctx: extend.ResolveContext, mentions: Iterable[extend.Mention]) -> None:  # noqa: ARG001
    """MAPS_TO and BROADER from the Keyword and MeshTerm nodes the core built (no rows of its own: a
    Keyword's name and ``variants``, every surface form seen, are the core's keyword rule, in SQL in the
    columnar core (``graphkit.engine.rules.TERM_STEPS``) and from ``KeywordInfo`` in the old one)."""
    graph = ctx.graph
    # the keywords' key and name, a batch of rows at a time: at 10M records a list of every keyword
    # (and a row per keyword before it) took the build to 5.4 GB
    keywords = column_table(graph, Label.KEYWORD, "key", "name")
    if not keywords.num_rows and not column_table(graph, Label.MESH, "key").num_rows:
        return
    index = mesh_index()
    linked = {"heading": 0, "entry_term": 0}
    ambiguous: Counter[str] = Counter()
    for batch in keywords.to_batches(KEYWORD_BATCH):
        for kw_key, kw_name in zip(batch.column("key").to_pylist(), batch.column("name").to_pylist()):
            text = kw_key[3:]
            ui, via, is_ambiguous = index.match(text)
            if is_ambiguous:
                ambiguous[kw_name or text] += 1
                continue
            if ui is None or via is None:
                continue
            graph.add_edge(RelType.MAPS_TO, kw_key, _mesh_node(graph, index, ui), via=via)
            linked[via] += 1
    # the hierarchy: walk up from every MeshTerm the set has (mapped ones included)
    todo = [ui for (ui,) in columns(graph, Label.MESH, "ui") if ui in index.vocab.by_ui]
    seen: set[str] = set(todo)
    pairs: set[tuple[str, str]] = set()
    while todo:
        ui = todo.pop()
        child = f"mesh:{ui}"
        for parent in index.parents(ui):
            graph.add_edge(RelType.BROADER, child, _mesh_node(graph, index, parent))
            pairs.add((child, parent))
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    ctx.report.update({
        "keywords": keywords.num_rows,
        "keywords_linked": linked["heading"] + linked["entry_term"],
        "linked_by": dict(linked),
        "ambiguous": len(ambiguous),
        "ambiguous_terms": sorted(ambiguous)[:200],
        "broader_edges": len(pairs),
    })


def count_papers_below(graph: Any, options: Any = None) -> None:
    """``papers_below`` on every MeshTerm: distinct papers indexed with it or any descendant."""
    parents: dict[str, list[str]] = {}
    for e in graph.edges(RelType.BROADER):
        parents.setdefault(e["source"], []).append(e["target"])

    ancestors: dict[str, frozenset[str]] = {}

    def up(key: str) -> frozenset[str]:  # the term and every ancestor (iterative: trees can be deep)
        got = ancestors.get(key)
        if got is None:
            seen, todo = {key}, [key]
            while todo:
                for p in parents.get(todo.pop(), ()):
                    if p not in seen:
                        seen.add(p)
                        todo.append(p)
            got = ancestors[key] = frozenset(seen)
        return got

    below: dict[str, set[str]] = {}
    for e in graph.edges(RelType.HAS_MESH):
        for term in up(e["target"]):
            below.setdefault(term, set()).add(e["source"])
    for key in [row["key"] for row in graph.nodes(Label.MESH)]:  # through the row API: every core sees it
        graph.add_node(Label.MESH, key, papers_below=len(below.get(key, ())))


# The longest BROADER path the rules below follow. The bundled MeSH table needs 12 (the most steps from a
# descriptor to any of its ancestors; tests/resolve/test_concepts.py checks the bound against the table).
MESH_DEPTH = 20

_PAPERS_BELOW_CYPHER = (
    f"MATCH (t:{Label.MESH.value}) "
    f"OPTIONAL MATCH (t)<-[:{RelType.BROADER.value}*0..{MESH_DEPTH}]-(:{Label.MESH.value})<-"
    f"[:{RelType.HAS_MESH.value}]-(p:{Label.PAPER.value}) WITH t, count(DISTINCT p) AS n SET t.papers_below = n",
)


# HAS_MESH rows per part of the papers-below count (derive.Parts): a part's distinct (term, paper) pairs
# are its links times their terms' ancestors (~10 each)
PAPERS_BELOW_ROWS = 500_000


def _papers_below_sql(options: Any = None) -> list[derive.Step]:  # noqa: ARG001
    """:func:`count_papers_below` for the columnar core's engines. Spark SQL has no recursive query, so
    the walk up the hierarchy is a loop of at most ``MESH_DEPTH`` rounds (:class:`derive.WorkTable`):
    ``up`` starts as every indexed term paired with itself, and each round extends it by one step of
    ``step`` (a BROADER edge, or staying put), so after N rounds it holds every (term, ancestor within N
    steps) pair; it stops early once a round adds none. The distinct (ancestor, paper) pairs are counted
    in parts by paper (:class:`derive.Parts`; each paper's pairs are all in its part, so the parts'
    counts add up): in one query, at 10M records, their DISTINCT ran DuckDB out of its 921 MB share."""
    from graphkit.schema import NODE_PROPERTIES

    mesh, broader, has_mesh = Label.MESH.value, RelType.BROADER.value, RelType.HAS_MESH.value
    cols = ", ".join(f"n.{p}" for p in NODE_PROPERTIES[Label.MESH] if p != "papers_below")
    return [
        derive.WorkTable("step", f"SELECT source AS d, target AS a FROM {{{broader}}} "
                                 f"UNION SELECT key AS d, key AS a FROM {{{mesh}}} "
                                 f"UNION SELECT target AS d, target AS a FROM {{{broader}}} "
                                 f"UNION SELECT target AS d, target AS a FROM {{{has_mesh}}}"),
        derive.WorkTable("up", f"SELECT DISTINCT target AS d, target AS a FROM {{{has_mesh}}}",
                         "SELECT DISTINCT u.d, s.a FROM {up} u JOIN {step} s ON s.d = u.a", MESH_DEPTH),
        derive.WorkTable("below", "SELECT key, count(*) AS n FROM (SELECT DISTINCT u.a AS key, h.source "
                                  f"FROM {{{has_mesh}}} h JOIN {{up}} u ON u.d = h.target "
                                  "WHERE abs(hash(h.source) % {parts}) = {part}) x GROUP BY key",
                         parts=derive.Parts(f"{{{has_mesh}}}", PAPERS_BELOW_ROWS)),
        (mesh,
         f"SELECT {cols}, coalesce(b.n, 0) AS papers_below FROM {{{mesh}}} n LEFT JOIN "
         "(SELECT key, CAST(sum(n) AS BIGINT) AS n FROM {below} GROUP BY key) b ON b.key = n.key"),
    ]


extend.register(extend.Extension("concepts", None, resolve_concepts,
                                 "keyword -> MeSH links (MAPS_TO) and the MeSH hierarchy (BROADER)"))
derive.register(derive.Derived("papers-below", ("MeshTerm.papers_below",), count_papers_below,
                               _PAPERS_BELOW_CYPHER, _papers_below_sql))


def concept_of(graph: Any) -> dict[str, str]:
    """Keyword key -> the key of the MeshTerm it maps to (MAPS_TO): the one node a map or a term network
    shows for both."""
    return {e["source"]: e["target"] for e in graph.edges(RelType.MAPS_TO)}


def concepts_of_papers(graph: Any, include_check_tags: bool = False) -> dict[str, list[str]]:
    """Paper key -> concept keys (its keywords, a mapped keyword counted as its MeSH concept, then its
    MeSH terms), each once; check tags left out unless asked for."""
    mapped = concept_of(graph)
    keep: set[str] = set()
    for label in (Label.KEYWORD, Label.MESH):
        keep.update(row["key"] for row in graph.nodes(label) if include_check_tags or not row.get("check_tag"))
    out: dict[str, list[str]] = {}
    for rel in (RelType.HAS_KEYWORD, RelType.HAS_MESH):
        for e in graph.edges(rel):
            term = mapped.get(e["target"], e["target"])
            if e["target"] in keep and term in keep:
                terms = out.setdefault(e["source"], [])
                if term not in terms:
                    terms.append(term)
    return out


def keywords_of_concepts(graph: Any) -> dict[str, list[str]]:
    """MeshTerm key -> the names of the keywords mapped to it (what a map notes beside the heading)."""
    out: dict[str, list[str]] = {}
    for e in graph.edges(RelType.MAPS_TO):
        row = graph.node(Label.KEYWORD, e["source"])
        if row is not None:
            out.setdefault(e["target"], []).append(row.get("name") or e["source"])
    return out
