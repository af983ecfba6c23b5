"""Vancouver / NLM citations (PubMed XML ``ReferenceList``, many publisher lists):
``Watts DJ, Strogatz SH. Collective dynamics of small-world networks. Nature. 1998;393(6684):440-2.``"""

from __future__ import annotations

import re

from graphkit.citations.model import CitedRef, family_of
from graphkit.resolve.text import find_dois

_TAIL = re.compile(r"(?:^|[.\s])\s*(1[5-9]\d\d|20\d\d)(?:\s+\w{3}(?:\s+\d{1,2})?)?\s*;\s*([\w-]+)?(?:\s*\([^)]*\))?"
                   r"\s*(?::\s*([A-Za-z]?\d+\w*))?")


def looks_like_vancouver(text: str) -> bool:
    return bool(_TAIL.search(text))


def parse(text: str) -> CitedRef:
    t = " ".join(text.split())
    ref = CitedRef(raw=text.strip(), style="vancouver", dois=list(dict.fromkeys(find_dois(t))))
    m = _TAIL.search(t)
    if m is None:
        return ref
    ref.year, ref.volume, ref.page = int(m.group(1)), m.group(2), m.group(3)
    head = t[:m.start()].rstrip(". ")
    parts = [p.strip() for p in head.split(". ") if p.strip()]
    if parts:
        ref.author = parts[0].split(",")[0].strip() or None
        ref.family = family_of(ref.author)
    if len(parts) >= 3:
        ref.title, ref.source = ". ".join(parts[1:-1]), parts[-1]
    elif len(parts) == 2:
        ref.source = parts[1]
    return ref
