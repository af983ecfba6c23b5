"""The author resolver of mode 'compatible' in shards of name blocks, for inputs whose occurrences do not
fit one process (~0.4 KB each: at 10M PubMed records, ~39M occurrences).

A name block is clustered from its own occurrences and the evidence of their papers, with weights counted
over every paper (:class:`~graphkit.resolve.authors.AuthorResolver`). A shard holds the blocks whose names
hash to it (:func:`shard_of`), every paper one of their occurrences is on (whole: its co-authors are
evidence) and the papers it owns (each paper is owned by one shard, so each is counted once). What a
block reads from outside its shard comes in as counts keyed by the feature's value, not its id:

* the papers that carry each evidence feature (co-author names, venue, keywords, institutions), summed
  over the shards' owned papers (:meth:`ShardResolver.owned_counts`);
* from the second pass on, the papers of each author of the last pass, and how many authors carry each
  co-author name: a name feature belongs to one block (its family's), so each shard counts its own
  (:meth:`ShardResolver.ambiguity`);
* the first given names many family names carry (:meth:`ShardResolver.common_given_parts`).

A shard gives its blocks' clusters with the key of each one's fullest name form; the keys are made unique
over all blocks in block order by :mod:`graphkit.engine.resolver_shards`, which runs the shards. The
result is the keys and decisions of one resolver (tests/engine/test_resolver_shards.py).
"""

from __future__ import annotations

import logging
import zlib
from array import array
from collections import Counter
from typing import Any

from graphkit.ids import orcid as normalise_orcid
from graphkit.resolve.authors import (
    _KINITIAL,
    _KNAME,
    AuthorResolver,
    NameForm,
    _counted,
    _distinct_pairs,
    _form_parts,
    _gather,
    block_key,
    split_particles,
)
from graphkit.resolve.text import squash

log = logging.getLogger(__name__)


FOREIGN_BLOCK = "\x00foreign"  # the block of the stand-in form of co-authors from other shards (ShardResolver)


def shard_of(block: str, shards: int) -> int:
    """The shard of a name block: a stable hash (CRC-32 of its UTF-8), the same on every machine."""
    return zlib.crc32(block.encode("utf-8", "surrogatepass")) % shards


def row_blocks(families: Any, givens: Any, orcids: Any) -> Any:
    """Each row's name block as the resolver makes it (Arrow string columns in, an Arrow string array
    out, null for none): the block of its name form (:func:`block_key` of the family name after
    :func:`split_particles`), or for a name without a family name ``orcid:`` and its ORCID. The work is
    done once per family name, given name and ORCID as written."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    def encoded(column: Any) -> tuple[list[str], Any]:
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        column = pc.fill_null(column.cast(pa.string()), "")
        enc = column.dictionary_encode()
        return enc.dictionary.to_pylist(), enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)

    fam_text, fam_of = encoded(families)
    giv_text, giv_of = encoded(givens)
    names: list[str] = []  # the blocks, numbered
    number: dict[str, int] = {}
    fam_block = np.full(len(fam_text), -1, dtype=np.int64)
    for k, f in enumerate(fam_text):
        if squash(f):
            b = block_key(f)
            fam_block[k] = number.setdefault(b, len(number))
    names = list(number)
    out = fam_block[fam_of]
    # given names that end in a particle move it to the family name: those rows' forms made whole
    moves = np.array([bool(g) and split_particles("x", g) != ("x", g) for g in giv_text], dtype=bool)
    for i in np.flatnonzero(moves[giv_of]).tolist():
        fam, _, block = _form_parts(fam_text[fam_of[i]], giv_text[giv_of[i]] or None)
        if fam:
            if block not in number:
                number[block] = len(names)
                names.append(block)
            out[i] = number[block]
        else:
            out[i] = -1
    # no name form: the ORCID alone is a block
    orcid_text, orcid_of = encoded(orcids)
    clean = [normalise_orcid(o) if o else None for o in orcid_text]
    for i in np.flatnonzero((out < 0) & (orcid_of >= 0)).tolist():
        o = clean[orcid_of[i]]
        if o:
            block = f"orcid:{o}"
            if block not in number:
                number[block] = len(names)
                names.append(block)
            out[i] = number[block]
    has = out >= 0
    if not names:
        return pa.nulls(len(out), pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(np.where(has, out, 0), pa.int64(), mask=~has),
                                          pa.array(names, pa.string())).cast(pa.string())


class ShardResolver(AuthorResolver):
    """An :class:`AuthorResolver` (mode 'compatible') that clusters the blocks of one shard of
    ``shards``, with the evidence counts of every shard set from outside (``global_*``). Added to as a
    whole resolver is (the shard's papers, whole), then :meth:`prepare`; then one :meth:`run_pass` per
    pass, the counts of the last pass set before each."""

    keep_feature_names = True  # (the counts are exchanged by feature value)

    def __init__(self, shard: int, shards: int, *, workers: int = 1) -> None:
        super().__init__("compatible", None, workers=workers, variants=False)
        self.shard, self.shards = shard, shards
        self.global_df: Any = None  # feature id -> papers over all shards (not 'K'; numpy)
        self.global_papers = 0  # papers with authors, over all shards
        self.global_keys: Any = None  # the last pass's author (key id) -> its papers, over all shards
        self.global_ambiguity: dict[int, int] = {}  # co-author name feature id -> authors carrying it (> 1)
        self._kid_of_fid: dict[int, int] = {}  # this pass's 'K' feature id -> the author's key id

    def prepare(self) -> None:
        """The whole resolver's preparing, then only this shard's blocks kept for the passes, and the
        features' names as one Arrow column (a tuple of strings per feature would be ~150 bytes each; the
        passes' 'K' features get no name)."""
        import pyarrow as pa

        super().prepare()
        self._blocks = {b: occs for b, occs in self._blocks.items()
                        if b != FOREIGN_BLOCK and shard_of(b, self.shards) == self.shard}
        self._forget_foreign_names()
        assert self._fnames is not None
        self._names = pa.array([kind + value for kind, value in self._fnames], pa.string())
        self._fnames = None

    def _made_forms(self, families: list[str], givens: list[tuple[str, ...]], blocks: list[str]) -> list[NameForm]:
        """The forms of this shard's blocks; every other form with a family name is one stand-in of
        block FOREIGN_BLOCK (a co-author from another shard: the passes read its signature, not its
        form), made once instead of ~490k times a shard at 1M records in 32 shards. (A form without a
        family name is no form, and its row's block is its ORCID's: kept as it is.)"""
        mine: dict[str, bool] = {}
        shards, shard = self.shards, self.shard
        stand_in = NameForm("\x00", (), FOREIGN_BLOCK)
        out = []
        for family, given, block in zip(families, givens, blocks):
            own = mine.get(block)
            if own is None:
                own = mine[block] = shard_of(block, shards) == shard
            out.append(NameForm(family, given, block) if own or not family else stand_in)
        return out

    def _forget_foreign_names(self) -> None:
        """The names of the occurrences outside this shard's blocks (its papers' co-authors from other
        shards; ~85% of a shard's rows at 1M records in 32 shards) dropped: the passes read a co-author
        through its paper's signatures, institutions and (later passes) key, never its name form or name
        as written. The forms kept are renumbered; the state pickled between passes and loaded for each
        shrinks with them (at 1M, ~580k forms a shard, ~90k of them its blocks')."""
        import numpy as np

        n = len(self._o_nform)
        own = np.zeros(n, dtype=bool)
        for occs in self._blocks.values():
            own[np.frombuffer(occs, dtype=np.int64)] = True
        nform = np.frombuffer(self._o_nform, dtype=np.int64)
        nform = np.where(own, nform, -1)
        used = np.unique(nform[nform >= 0])
        renumber = np.full(len(self._form_list), -1, dtype=np.int64)
        renumber[used] = np.arange(len(used), dtype=np.int64)
        forms = np.empty(len(self._form_list), dtype=object)
        forms[:] = self._form_list
        self._form_list = forms[used].tolist()
        nform = np.where(nform >= 0, renumber[np.maximum(nform, 0)], -1)
        self._o_nform = array("q", nform.tobytes())
        kept = np.empty(len(self._form_list) + 1, dtype=object)  # (the last one: None, for -1)
        kept[:-1] = self._form_list
        self._o_form = kept[nform].tolist()
        for name in ("_o_family", "_o_given", "_o_orcid"):
            column = np.empty(n, dtype=object)
            column[:] = getattr(self, name)
            column[~own] = None
            setattr(self, name, column.tolist())

    # -- what this shard counts for all ---------------------------------------------------------------
    def feature_names(self, ids: Any) -> Any:
        """Feature ids' values as the shards exchange them: the kind's letter, then the value (an Arrow
        string array: at 1M records a shard has ~1.7M features, ~1 s as Python strings)."""
        import pyarrow as pa

        return self._names.take(pa.array(ids, pa.int64()))

    def owned_counts(self, owned_works: Any) -> tuple[Any, Any, int]:
        """The evidence counts of :meth:`_document_frequencies` over the papers this shard owns
        (``owned_works``: a bool per paper): feature names, their counts, and the owned papers that have
        authors. An occurrence's own institutions count once per occurrence, for the occurrences of owned
        papers."""
        import numpy as np

        table = self._work_table
        has_authors = np.diff(np.frombuffer(table._sigs._start, dtype=np.int64)) > 0
        works = np.flatnonzero(has_authors & owned_works)
        sigs, owner = _gather(table._sigs, works)
        names, of_sig = _gather(self._sig_table, sigs)
        kws, of_kws = _gather(table._kws, works)
        venue = np.frombuffer(table._venue, dtype=np.int64)[works]
        has = venue != 0
        feats = np.concatenate([names, kws, venue[has]])
        papers = np.concatenate([owner[of_sig], of_kws, np.flatnonzero(has)])
        work_of = np.frombuffer(self._o_work, dtype=np.int64)
        occs = np.flatnonzero((work_of >= 0) & owned_works[np.maximum(work_of, 0)])
        affs, _ = _gather(self._o_aff_ids, occs)
        insts, _ = _gather(self._work_insts, np.flatnonzero(owned_works))
        every = np.concatenate([_distinct_pairs(papers, feats)[1], affs, insts])
        counts = np.bincount(every) if len(every) else np.zeros(0, dtype=np.int64)
        ids = np.flatnonzero(counts)
        return self.feature_names(ids), counts[ids], len(works)

    def common_given_parts(self) -> tuple[Counter[str], int]:
        """The (block, first given name) pairs of this shard's blocks' full name forms, as the count of
        blocks per first name and the number of blocks (:meth:`_prepare_passes` over every block)."""
        pairs: set[tuple[str, str]] = set()
        forms = self._o_form
        for occs in self._blocks.values():
            for i in occs:
                f = forms[i]
                if f is not None and f.full:
                    pairs.add((f.block, f.given[0]))
        return Counter(g for _, g in pairs), len({b for b, _ in pairs})

    def feature_table(self, kinds: str | None = None) -> tuple[Any, Any]:
        """Every named feature id (all but 'K'), or those of ``kinds``, and its name."""
        import numpy as np

        n = len(self._names)
        kind = np.frombuffer(self._kinds, dtype=np.uint8)[:n]
        keep = kind != ord("K")
        if kinds is not None:
            keep &= np.isin(kind, np.frombuffer(kinds.encode(), dtype=np.uint8))
        keep[0] = False
        ids = np.flatnonzero(keep)
        return ids, self.feature_names(ids)

    # -- the counts of all, where the whole resolver counts its own -------------------------------------
    def _document_frequencies(self) -> tuple[dict[int, int], int]:
        df, _ = super()._document_frequencies()  # (which features the papers here have)
        counts = self.global_df
        return {f: int(counts[f]) for f in df}, self.global_papers

    def _key_counts(self) -> dict[int, int]:
        counts = super()._key_counts()
        return {f: int(self.global_keys[self._kid_of_fid[f]]) for f in counts}

    def _name_ambiguity(self) -> dict[int, int]:
        return dict(self.global_ambiguity)

    # -- a pass -------------------------------------------------------------------------------------
    def run_pass(self, npass: int, last: bool, key_ids: Any = None) -> dict[str, Any]:
        """One pass over this shard's blocks (``key_ids``: from the second pass on, the last pass's author
        of each occurrence as a key id, -1 for none). Returns the clusters in block order (``block``,
        ``orcid``, ``base``: the key of its fullest name form, or None with an ORCID), each occurrence
        of these blocks with its cluster (``occs``, ``cluster``), and in the last pass the decisions as
        (block, name as written, cluster joined, clusters that fit, reason)."""
        if npass:
            new = self._new_fid
            kfeat: dict[int, int] = {}
            self._cofeat = array("q", [(kfeat[k] if k in kfeat else kfeat.setdefault(k, new(("K", str(k)))))
                                       if k >= 0 else 0 for k in key_ids.tolist()])
            self._kid_of_fid = {f: k for k, f in kfeat.items()}
            del kfeat
            self._cokey = []  # (the last pass's authors are weighed: _prepare_weights)
            self._pending = []
            self._leftover = []
        self._prepare_weights()
        self._cokey = None
        names = sorted(self._blocks)
        blocks: list[str] = []
        orcids: list[str | None] = []
        bases: list[str | None] = []
        occs, of = array("q"), array("q")
        decisions: list[tuple[str, str, int, list[int], str]] = []
        seen = 0
        for name, clusters in zip(names, self._clustered(self._blocks, keep=not last)):
            index: dict[int, int] = {}
            for c in clusters:
                k = index[id(c)] = len(orcids)
                blocks.append(name)
                orcids.append(c.orcid)
                bases.append(None if c.orcid else (c.best if c.best is not None else self._best_key(c)))
                occs.extend(c.occs)
                of.extend([k] * len(c.occs))
            if last:
                decisions += [(name, self._display(i), index[id(joined)], [index[id(c)] for c in fits], why)
                              for i, fits, joined, why in self._pending[seen:]]
            seen = len(self._pending)
        self._pending = []
        return {"block": blocks, "orcid": orcids, "base": bases, "occs": occs, "cluster": of,
                "decisions": decisions}

    def ambiguity(self, occs: Any, cluster: Any) -> tuple[Any, Any]:
        """:meth:`_name_ambiguity` of this shard's blocks after a pass (``occs`` and their ``cluster``,
        as :meth:`run_pass` gave them): the co-author name features ('C', 'c') of its blocks that two or
        more of the pass's authors carry, by name, and how many. (A name feature is its block's: no
        other shard has it.)"""
        import numpy as np

        occs = np.frombuffer(occs, dtype=np.int64)
        author = np.frombuffer(cluster, dtype=np.int64)
        has = np.frombuffer(self._o_nform, dtype=np.int64)[occs] >= 0
        sig = np.frombuffer(self._o_sig, dtype=np.int64)[occs[has]]
        sig, author = _distinct_pairs(sig, author[has])
        feats, of_pair = _gather(self._sig_table, sig)
        author = author[of_pair]
        kinds = np.frombuffer(self._kinds, dtype=np.uint8)[feats]
        named = (kinds == _KNAME) | (kinds == _KINITIAL)
        carried, _ = _distinct_pairs(feats[named], author[named])
        several = {f: n for f, n in _counted(carried).items() if n > 1}
        return self.feature_names(list(several)), np.array(list(several.values()), dtype=np.int64)
