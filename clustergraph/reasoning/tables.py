"""Triples as integer columns, and rules evaluated on them as joins of those columns.

The fast engine of the lightweight rules (:mod:`clustergraph.reasoning.rules`). Every
RDF term is given an integer id once (its N-Triples text is the key, so two ids are equal
exactly when the terms are); the triples of each predicate are one sorted ``int64``
array of ``subject << 32 | object``. A rule's premises are joined on those ids with numpy
(a sort and a binary search), never with a Python object per triple, and only new triples
are kept (one ``searchsorted`` per candidate). Text goes in and out as N-Triples, written
by Oxigraph's serialiser (the store's dump) and read back by its parser (a load).

>>> table = TripleTable()
>>> batch = table.add_ntriples(b'<urn:a> <urn:p> <urn:b> .\\n<urn:b> <urn:p> "x" .\\n')
>>> batch.size, table.size
(2, 2)
>>> inverse = Pattern(columns=("?p", "?q"), premises=(("?s", "?p", "?o"),), heads=(("?o", "?q", "?s"),), literal_free=("?o",))
>>> found = table.evaluate(inverse, table.rows([(b"<urn:p>", b"<urn:q>")]))
>>> print(table.ntriples(table.add(found)).decode(), end="")
<urn:b> <urn:q> <urn:a> .
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["RDF_TYPE", "Batch", "Pattern", "TripleTable", "split_ntriples", "unique"]

#: ``rdf:type`` as N-Triples text.
RDF_TYPE = b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"

_SHIFT = np.int64(32)
_MASK = np.int64(0xFFFFFFFF)
_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True)
class Pattern:
    """A rule in the form the table evaluates: ``VALUES (columns) {rows} premises FILTER(...)``, then ``heads``.

    Each term of a premise or of a head is a variable (``"?x"``) or an N-Triples term
    (``b"<...>"``). ``literal_free`` names the variables that must not be bound to a
    literal (``FILTER(!isLiteral(?v))``), ``different`` the pairs that must be bound to
    different terms (``FILTER(?a != ?b)``).
    """

    columns: tuple[str, ...]
    premises: tuple[tuple[str | bytes, str | bytes, str | bytes], ...]
    heads: tuple[tuple[str | bytes, str | bytes, str | bytes], ...]
    literal_free: tuple[str, ...] = ()
    different: tuple[tuple[str, str], ...] = ()


@dataclass
class Batch:
    """Triples added together: per predicate id, the sorted keys ``subject << 32 | object``."""

    keys: dict[int, np.ndarray] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return sum(len(k) for k in self.keys.values())

    @staticmethod
    def merge(batches: Sequence[Batch]) -> Batch:
        """One batch holding the triples of ``batches``."""
        return _merge(batches)


_LINE = re.compile(rb"^(\S+) (\S+) (.*) \.$", re.MULTILINE)


def split_ntriples(data: bytes) -> np.ndarray:
    """The triples of N-Triples text as Oxigraph writes it (one a line), as rows of three terms.

    >>> split_ntriples(b'<urn:a> <urn:p> "a b" .\\n_:x <urn:p> <urn:c> .\\n').tolist()
    [[b'<urn:a>', b'<urn:p>', b'"a b"'], [b'_:x', b'<urn:p>', b'<urn:c>']]
    """
    if data.startswith(b"<<") or b"\n<<" in data:
        raise ValueError("a triple as subject (RDF-star) has no place in the columns")
    rows = _LINE.findall(data)
    if len(rows) != data.count(b"\n"):
        raise ValueError("N-Triples text that is not one triple a line, each ending with ' .'")
    return np.array(rows, dtype=object).reshape(len(rows), 3)


class TripleTable:
    """A set of triples as integer columns, one sorted key array per predicate."""

    def __init__(self) -> None:
        self.terms: list[bytes] = []
        self._ids: dict[bytes, int] | None = {}
        self._literal = np.zeros(0, dtype=bool)
        self._blank = np.zeros(0, dtype=bool)
        self.keys: dict[int, np.ndarray] = {}

    # --- terms ---------------------------------------------------------------------

    @property
    def size(self) -> int:
        """How many triples the table holds."""
        return sum(len(k) for k in self.keys.values())

    def _index(self) -> dict[bytes, int]:
        if self._ids is None:
            self._ids = dict(zip(self.terms, range(len(self.terms))))
        return self._ids

    def _grow(self, new: Sequence[bytes]) -> None:
        if len(self.terms) + len(new) >= 1 << 31:
            raise ValueError("more than 2**31 distinct terms do not fit the table's keys")
        self.terms.extend(new)
        self._literal = np.concatenate([self._literal, np.fromiter((t[:1] == b'"' for t in new), dtype=bool, count=len(new))])
        self._blank = np.concatenate([self._blank, np.fromiter((t[:2] == b"_:" for t in new), dtype=bool, count=len(new))])

    def ids(self, terms: Sequence[bytes]) -> np.ndarray:
        """The ids of ``terms`` (N-Triples text), giving new terms new ids."""
        if not len(terms):
            return _EMPTY
        codes, uniques = pd.factorize(terms if isinstance(terms, np.ndarray) else np.asarray(terms, dtype=object))
        if not self.terms:  # the first load: the ids are pandas' codes
            self._ids = None
            self._grow(list(uniques))
            return codes.astype(np.int64)
        index = self._index()
        mapped = np.empty(len(uniques), dtype=np.int64)
        new: list[bytes] = []
        for i, term in enumerate(uniques):
            found = index.get(term)
            if found is None:
                found = index[term] = len(self.terms) + len(new)
                new.append(term)
            mapped[i] = found
        if new:
            self._grow(new)
        return mapped[codes]

    def id(self, term: bytes) -> int:
        """The id of one term (N-Triples text)."""
        return int(self.ids([term])[0])

    def rows(self, rows: Iterable[Sequence[bytes]]) -> np.ndarray:
        """A VALUES block (rows of N-Triples terms) as a 2-d array of ids."""
        rows = [tuple(r) for r in rows]
        width = len(rows[0]) if rows else 0
        flat = self.ids([t for r in rows for t in r])
        return flat.reshape(len(rows), width)

    # --- triples -------------------------------------------------------------------

    def read(self, data: bytes) -> Batch:
        """The triples of N-Triples ``data`` as a batch of ids (not yet added)."""
        rows = split_ntriples(data)
        if not len(rows):
            return Batch()
        codes = self.ids(rows.ravel()).reshape(-1, 3)
        return self.group(codes[:, 0], codes[:, 1], codes[:, 2])

    def add_ntriples(self, data: bytes) -> Batch:
        """Add the triples of N-Triples ``data``; return those that were new."""
        return self.add(self.read(data))

    @staticmethod
    def group(s: np.ndarray, p: np.ndarray, o: np.ndarray) -> Batch:
        """Triples as id columns, grouped by predicate into sorted unique keys (not yet added)."""
        out = Batch()
        if not len(s):
            return out
        keys = (s.astype(np.int64) << _SHIFT) | o.astype(np.int64)
        order = np.argsort(p, kind="stable")
        p_sorted = p[order]
        bounds = np.flatnonzero(np.diff(p_sorted)) + 1
        for start, stop in zip(np.concatenate(([0], bounds)), np.concatenate((bounds, [len(p_sorted)]))):
            out.keys[int(p_sorted[start])] = unique(keys[order[start:stop]])
        return out

    def add(self, found: Batch) -> Batch:
        """Add ``found`` (sorted unique keys per predicate); return the part that was new."""
        new = Batch()
        for pid, keys in found.keys.items():
            have = self.keys.get(pid)
            if have is None or not len(have):
                fresh = keys
            else:
                pos = np.searchsorted(have, keys)
                known = np.zeros(len(keys), dtype=bool)
                inside = pos < len(have)
                known[inside] = have[pos[inside]] == keys[inside]
                fresh = keys[~known]
            if not len(fresh):
                continue
            merged = fresh if have is None else np.concatenate((have, fresh))
            merged.sort(kind="stable")  # two sorted runs: merged in linear time
            self.keys[pid] = merged
            new.keys[pid] = fresh
        return new

    def ntriples(self, batch: Batch, blank: bool | None = None) -> bytes:
        """The triples of ``batch`` as N-Triples text; with ``blank``, only those that have
        (``True``) or have not (``False``) a blank node."""
        terms = np.asarray(self.terms, dtype=object)
        chunks = []
        for pid, keys in batch.keys.items():
            if blank is not None and len(keys):
                has = self._blank[keys >> _SHIFT] | self._blank[keys & _MASK]
                keys = keys[has if blank else ~has]
            if not len(keys):
                continue
            pieces = np.empty(4 * len(keys), dtype=object)
            pieces[0::4] = terms[keys >> _SHIFT]
            pieces[1::4] = b" " + self.terms[pid] + b" "
            pieces[2::4] = terms[keys & _MASK]
            pieces[3::4] = b" .\n"
            chunks.append(b"".join(pieces))
        return b"".join(chunks)

    def names(self, batch: Batch, type_id: int | None) -> frozenset[bytes]:
        """The predicates, and the classes of ``rdf:type`` triples, that ``batch`` holds."""
        out = {self.terms[p] for p in batch.keys}
        if type_id is not None and type_id in batch.keys:
            out |= {self.terms[c] for c in unique(batch.keys[type_id] & _MASK)}
        return frozenset(out)

    # --- rules ---------------------------------------------------------------------

    def evaluate(self, pattern: Pattern, rows: np.ndarray, delta: Batch | None = None, premise: int = 0) -> Batch:
        """The head triples of ``pattern`` over this table (not yet added, some perhaps known).

        With ``delta``, premise number ``premise`` reads the triples of ``delta`` only and
        the others read the whole table (one step of semi-naive evaluation). A rule of
        one premise joins its VALUES block with that premise once; a rule of several
        is evaluated row by row, its VALUES then constants, so that every join is on
        one or two integer columns.
        """
        if len(pattern.premises) == 1:
            return self._solve(pattern, {c: rows[:, i] for i, c in enumerate(pattern.columns)}, delta, premise)
        found = []
        for row in rows:
            values = dict(zip(pattern.columns, row.tolist()))
            fixed = Pattern(
                (),
                tuple(tuple(values.get(t, t) if isinstance(t, str) else t for t in p) for p in pattern.premises),  # type: ignore[misc]
                tuple(tuple(values.get(t, t) if isinstance(t, str) else t for t in h) for h in pattern.heads),  # type: ignore[misc]
                pattern.literal_free,
                pattern.different,
            )
            found.append(self._solve(fixed, {}, delta, premise))
        return _merge(found)

    def _solve(self, pattern: Pattern, bound: dict[str, np.ndarray], delta: Batch | None, premise: int) -> Batch:
        todo = list(range(len(pattern.premises)))
        first = premise if delta is not None else 0
        order = [first]
        todo.remove(first)
        while todo:  # next: a premise sharing a variable with those joined so far
            joined = {t for i in order for t in pattern.premises[i] if isinstance(t, str)}
            nxt = next((i for i in todo if joined & {t for t in pattern.premises[i] if isinstance(t, str)}), todo[0])
            order.append(nxt)
            todo.remove(nxt)
        table: dict[str, np.ndarray] | None = bound or None
        for i in order:
            source = delta.keys if delta is not None and i == first else self.keys
            frame = self._frame(pattern.premises[i], source, table)
            table = frame if table is None else _join(table, frame)
            if not len(next(iter(table.values()))):
                return Batch()
        assert table is not None
        size = len(next(iter(table.values())))
        keep = np.ones(size, dtype=bool)
        for var in pattern.literal_free:
            keep &= ~self._literal[table[var]]
        for a, b in pattern.different:
            keep &= table[a] != table[b]
        count = int(keep.sum())
        out = []
        for head in pattern.heads:
            columns = []
            for term in head:
                if isinstance(term, str):
                    columns.append(table[term][keep])
                else:
                    columns.append(np.full(count, term if isinstance(term, int) else self.id(term), dtype=np.int64))
            out.append(self.group(*columns))
        return _merge(out)

    def _frame(self, premise: tuple, source: dict[int, np.ndarray], bound: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
        """The triples of ``source`` matching ``premise``, as columns named by its variables."""
        s, p, o = (self.id(t) if isinstance(t, bytes) else t for t in premise)
        if isinstance(p, str):
            predicates = unique(bound[p]).tolist() if bound is not None and p in bound else list(source)
        else:
            predicates = [p]
        parts: list[tuple[np.ndarray, np.ndarray, int]] = []
        for pid in predicates:
            keys = source.get(pid)
            if keys is None or not len(keys):
                continue
            subjects, objects = keys >> _SHIFT, keys & _MASK
            keep = None
            if not isinstance(s, str):
                keep = subjects == s
            if not isinstance(o, str):
                keep = (objects == o) if keep is None else keep & (objects == o)
            if isinstance(s, str) and s == o:
                keep = (subjects == objects) if keep is None else keep & (subjects == objects)
            if keep is not None:
                subjects, objects = subjects[keep], objects[keep]
            parts.append((subjects, objects, pid))
        subjects = np.concatenate([x[0] for x in parts]) if parts else _EMPTY
        objects = np.concatenate([x[1] for x in parts]) if parts else _EMPTY
        frame: dict[str, np.ndarray] = {}
        if isinstance(s, str):
            frame[s] = subjects
        if isinstance(o, str) and o != s:
            frame[o] = objects
        if isinstance(p, str):
            frame[p] = np.concatenate([np.full(len(x[0]), x[2], dtype=np.int64) for x in parts]) if parts else _EMPTY
        if not frame:  # a premise without variables: true or false
            frame["?_"] = np.zeros(len(subjects), dtype=np.int64)
        return frame


def _join(left: dict[str, np.ndarray], right: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The inner join of two tables of columns on the variables they share (a sort and a binary search)."""
    shared = [v for v in left if v in right]
    n_left, n_right = len(next(iter(left.values()))), len(next(iter(right.values())))
    if not shared:  # every pair
        li = np.repeat(np.arange(n_left), n_right)
        ri = np.tile(np.arange(n_right), n_left)
    else:
        lk, rk = _key(left, shared[:2]), _key(right, shared[:2])
        if n_left < n_right:  # sort the smaller side, search it with the larger
            ri, li = _match(rk, lk)
        else:
            li, ri = _match(lk, rk)
    out = {v: c[li] for v, c in left.items()}
    for v, c in right.items():
        if v not in out:
            out[v] = c[ri]
    if len(shared) > 2:
        keep = np.ones(len(li), dtype=bool)
        for v in shared[2:]:
            keep &= left[v][li] == right[v][ri]
        out = {v: c[keep] for v, c in out.items()}
    return out


def _key(table: dict[str, np.ndarray], names: list[str]) -> np.ndarray:
    return table[names[0]] if len(names) == 1 else (table[names[0]] << _SHIFT) | table[names[1]]


def _match(probe: np.ndarray, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Index pairs ``(i, j)`` with ``probe[i] == keys[j]``."""
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    lo = np.searchsorted(ordered, probe, "left")
    hi = np.searchsorted(ordered, probe, "right")
    counts = hi - lo
    total = int(counts.sum())
    pi = np.repeat(np.arange(len(probe)), counts)
    starts = np.repeat(lo - (np.cumsum(counts) - counts), counts)
    return pi, order[starts + np.arange(total)]


def _merge(batches: Sequence[Batch]) -> Batch:
    """One batch holding the triples of ``batches``."""
    if len(batches) == 1:
        return batches[0]
    out = Batch()
    for pid in {p for b in batches for p in b.keys}:
        parts = [b.keys[pid] for b in batches if pid in b.keys]
        out.keys[pid] = parts[0] if len(parts) == 1 else unique(np.concatenate(parts))
    return out


def unique(keys: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an ``int64`` array (sorting beats numpy's hashing here).

    >>> unique(np.array([3, 1, 3, 2])).tolist()
    [1, 2, 3]
    """
    out = np.sort(keys)
    if len(out) > 1:
        out = out[np.concatenate(([True], out[1:] != out[:-1]))]
    return out
