"""Neo4j-habit Cypher for the embedded store: rewrite what LadybugDB spells differently, refuse the rest.

People who know Neo4j type ``MATCH ()-[r]->() RETURN type(r), count(*)``; LadybugDB (the embedded
store's engine, a Kùzu descendant) calls that function ``label(r)`` and answers "function TYPE does not
exist". :func:`for_ladybug` rewrites such calls before the statement is sent, and refuses the ones with no
faithful rewrite with a message naming the embedded equivalent. Strings, backquoted names and comments
are never touched, function names are matched case-insensitively (as Cypher does), and a statement that
uses none of them is returned unchanged.

The tables below are the whole rule set (data, not code):

* :data:`RENAMES` -- same arguments, another name (``type(r)`` -> ``label(r)``);
* :data:`TEMPLATES` -- the call rebuilt around its argument text (``elementId(n)`` ->
  ``cast(id(n) AS STRING)``);
* :data:`REFUSED` -- no faithful rewrite: the message says what to write instead.

One habit is refused by shape, not by name: ``head(collect(x))`` (or ``last(...)``, ``collect(x)[i]``)
after an ORDER BY, Neo4j's "first row" idiom. LadybugDB's ``collect()`` does not keep the order of the
rows it aggregates (a list from ``collect()`` is a set in a list's clothes), so the answer would silently
differ; the message says to write ``ORDER BY ... LIMIT 1`` instead.

Known differences that remain: ``toString`` of a float or boolean gives LadybugDB's text (``1.500000``,
``True``); list indexes are 1-based on LadybugDB (``list[1]`` is the first element) and are not rewritten.
"""

from __future__ import annotations

import re

from graphkit.cypher_guard import LITERALS, strip_literals  # string literals, backquoted names, comments: never rewritten
from graphkit.model import GraphkitError

# Neo4j function (lower case) -> LadybugDB function taking the same arguments
RENAMES: dict[str, str] = {
    "type": "label",
    "tolower": "lower",
    "toupper": "upper",
    "tostring": "to_string",
    "tostringornull": "to_string",
    "tointeger": "to_int64",
    "tointegerornull": "to_int64",
    "tofloat": "to_double",
    "tofloatornull": "to_double",
    "toboolean": "to_bool",
    "tobooleanornull": "to_bool",
    "split": "string_split",
}

# Neo4j function (lower case) -> LadybugDB expression, {0} = the (rewritten) argument text
TEMPLATES: dict[str, str] = {
    "elementid": "cast(id({0}) AS STRING)",
    "labels": "[label({0})]",
    "head": "list_extract({0}, 1)",
}

# Neo4j function or procedure (lower case) -> what to write on the embedded store instead
REFUSED: dict[str, str] = {
    "startnode": "bind the start node in the pattern: MATCH (a)-[r]->(b) ... RETURN a",
    "endnode": "bind the end node in the pattern: MATCH (a)-[r]->(b) ... RETURN b",
    "timestamp": "current_timestamp() (a timestamp value, not epoch milliseconds)",
    "db.labels": "CALL show_tables() RETURN *",
    "db.relationshiptypes": "CALL show_tables() RETURN *",
    "db.propertykeys": "CALL table_info('Paper') RETURN * (one table at a time)",
    "db.schema.visualization": "CALL show_tables() RETURN *",
    "db.index.fulltext.querynodes": "graphkit search (the embedded full-text index)",
    "apoc.*": "nothing: APOC is a Neo4j plugin; use plain Cypher or run with --neo4j",
    "gds.*": "nothing: the Graph Data Science library is a Neo4j plugin; see graphkit.analysis",
}

# a function or procedure call: a (dotted) name not preceded by a property dot or a label colon, then "("
_CALL = re.compile(r"(?<![\w.$:`])([A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*\(")


# a list picked by position from collect() after an ORDER BY: LadybugDB's collect() does not keep the
# order of the rows it aggregates, so the answer would differ from Neo4j's
_ORDERED_PICK = re.compile(r"\b(?:head|last)\s*\(\s*collect\s*\(|\bcollect\s*\([^()]*\)\s*\[", re.IGNORECASE)
_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)
ORDERED_PICK_ADVICE = ("ORDER BY ... LIMIT 1 and return the value itself (or min()/max() of it): the embedded "
                       "store's collect() does not keep the order of the rows before it")


class CypherCompatError(GraphkitError):
    """A Neo4j function or procedure the embedded store has no faithful rewrite for."""


def _literal_spans(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in LITERALS.finditer(text)]


def _inside(pos: int, spans: list[tuple[int, int]]) -> tuple[int, int] | None:
    for start, end in spans:
        if start <= pos < end:
            return start, end
        if start > pos:
            break
    return None


def _closing(text: str, open_pos: int, spans: list[tuple[int, int]]) -> int:
    """Index of the parenthesis closing the one at ``open_pos`` (literals skipped), or -1."""
    depth, i = 0, open_pos
    while i < len(text):
        span = _inside(i, spans)
        if span:
            i = span[1]
            continue
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _refusal(name: str) -> str | None:
    if name in REFUSED:
        return REFUSED[name]
    for pattern, advice in REFUSED.items():
        if pattern.endswith(".*") and name.startswith(pattern[:-1]):
            return advice
    return None


def _refuse_ordered_pick(cypher: str) -> None:
    """Refuse ``head(collect(x))`` (or ``last``, or ``collect(x)[i]``) after an ORDER BY: a Neo4j habit
    for "the first row" that has no faithful rewrite on LadybugDB."""
    text = strip_literals(cypher)
    order = _ORDER_BY.search(text)
    pick = _ORDERED_PICK.search(text, order.end()) if order else None
    if pick:
        raise CypherCompatError(f"{' '.join(pick.group(0).split())} after ORDER BY picks a row by its position, "
                                f"which the embedded store does not have; instead use {ORDERED_PICK_ADVICE}")


def for_ladybug(cypher: str) -> str:
    """``cypher`` with Neo4j-only function calls rewritten for LadybugDB; raises CypherCompatError for
    calls that have no faithful rewrite."""
    _refuse_ordered_pick(cypher)
    spans = _literal_spans(cypher)
    out: list[str] = []
    pos = 0
    while True:
        m = _CALL.search(cypher, pos)
        while m is not None:
            span = _inside(m.start(), spans)
            if span is None:
                break
            m = _CALL.search(cypher, span[1])
        if not m:
            out.append(cypher[pos:])
            return "".join(out)
        raw = m.group(1)
        name = re.sub(r"\s+", "", raw).lower()
        advice = _refusal(name)
        if advice:
            raise CypherCompatError(f"{raw}() is a Neo4j function or procedure the embedded store does not have; "
                                    f"instead use {advice}")
        if name in RENAMES:
            out.append(cypher[pos:m.start(1)] + RENAMES[name])
            pos = m.end(1)
        elif name in TEMPLATES:
            open_pos = m.end() - 1
            close = _closing(cypher, open_pos, spans)
            if close < 0:  # unbalanced: leave it to the engine's own syntax error
                out.append(cypher[pos:m.end()])
                pos = m.end()
                continue
            argument = for_ladybug(cypher[open_pos + 1:close])
            out.append(cypher[pos:m.start(1)] + TEMPLATES[name].format(argument))
            pos = close + 1
        else:
            out.append(cypher[pos:m.end()])
            pos = m.end()
