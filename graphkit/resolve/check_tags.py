"""Check tags: the routine indexing terms (species, sex, age groups, publication and study types) that
MEDLINE and Embase indexers add to nearly every record. Flagged ``check_tag=true`` so topic views can
leave them out. Data only; matched on the exact MeSH heading and on the folded Emtree term."""

from __future__ import annotations

# MeSH check tags (NLM indexing manual: species, sex, age groups, pregnancy; common lab animals).
MESH_CHECK_TAGS: frozenset[str] = frozenset({
    "Humans", "Animals", "Male", "Female", "Pregnancy",
    "Infant, Newborn", "Infant", "Child, Preschool", "Child", "Adolescent", "Young Adult", "Adult",
    "Middle Aged", "Aged", "Aged, 80 and over", "Infant, Premature",
    "Mice", "Rats", "Cattle", "Dogs", "Cats", "Swine", "Sheep", "Rabbits", "Guinea Pigs", "Cricetinae",
    "Chick Embryo", "Horses", "Haplorhini", "Macaca mulatta", "Mice, Inbred C57BL", "Mice, Inbred BALB C",
    "Rats, Sprague-Dawley", "Rats, Wistar", "Mice, Knockout", "Mice, Transgenic",
    "In Vitro Techniques",
})

# Emtree check tags (Embase: human/animal, sex, age groups, article and study types), case-folded.
EMTREE_CHECK_TAGS: frozenset[str] = frozenset({
    "human", "humans", "nonhuman", "animal", "animals", "male", "female",
    "adult", "aged", "middle aged", "very elderly", "young adult", "adolescent", "child", "school child",
    "preschool child", "infant", "newborn", "juvenile", "embryo", "fetus", "pregnancy", "elderly",
    "article", "review", "editorial", "letter", "note", "short survey", "conference paper",
    "conference abstract", "erratum",
    "controlled study", "major clinical study", "clinical article", "case report", "priority journal",
    "human tissue", "human cell", "human experiment", "normal human", "animal experiment", "animal model",
    "animal tissue", "animal cell", "mouse", "rat", "nonhuman primate", "in vitro study", "in vivo study",
    "clinical study", "cohort analysis", "controlled clinical trial",
})


def is_mesh_check_tag(heading: str) -> bool:
    return heading in MESH_CHECK_TAGS


def is_keyword_check_tag(folded: str) -> bool:
    """``folded`` is a keyword's key text (NFKC, case-folded, trimmed)."""
    return folded in EMTREE_CHECK_TAGS
