"""Entity resolution: which accepted worker rows of a period (and which earlier workers) are one person.

Union-find over the period's rows plus the known workers, fed by blocked comparisons so the cost stays about
linear: exact passport, passport typo, renewed passport (same KITAS/RPTKA/Notifikasi number), name + birth
date, name + company. Before every union the two clusters are checked for conflicts (two passports of one
nationality that are not typo/renewal-linked, or two different known workers), so a passport-less row can
never chain two passport holders into one worker.

The steps run in this order, each over its blocks in the order of their first row (rows sorted by record key,
then the known workers by id), and within a block row by row; a step's unions can depend on the ones before.
For speed the rows are held as columns of normalised values (each distinct value normalised once), blocks are
found with ``pandas.factorize`` and only the blocks where a step can do something are visited in Python: the
exact-passport step merges whole blocks at once where no conflict is possible (at most one known worker in the
block), and compares names only for passports that are near each other or rows that lack a passport.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tka.match.config import MatchConfig
from tka.match.names import clean_name, clean_passport, is_blank, name_key, name_score, passport_matcher

log = logging.getLogger(__name__)
OUTPUT_COLUMNS = ["record_key", "worker_id", "match_reason"]
_MISSING = object()
_NO_IDS: frozenset[str] = frozenset()


def _text(value: object) -> str | None:
    """Trimmed text or None for blank/NaN."""
    if is_blank(value):
        return None
    text = str(value).strip()
    return text or None


def _date_text(value: object) -> str | None:
    """A birth date as ISO text (accepts date, Timestamp or ISO string), None when missing."""
    if is_blank(value):
        return None
    if isinstance(value, dt.datetime | pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return _text(value)


def _normalised(values: np.ndarray, fn: Callable[[Any], str | None]) -> list[str | None]:
    """``fn`` of every value, computed once per distinct string or date (``fn`` of a blank is None)."""
    if pd.api.types.infer_dtype(values, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(values)  # blanks -> -1
        table = np.array([*(fn(u) for u in uniques), None], dtype=object)
        return table[codes].tolist()
    cache: dict[Any, str | None] = {}
    out = []
    for value in values:
        if type(value) is str or type(value) is dt.date:
            found = cache.get(value, _MISSING)
            if found is _MISSING:
                found = cache[value] = fn(value)
            out.append(found)
        else:
            out.append(fn(value))
    return out


def _group_codes(*columns: Sequence[Any]) -> np.ndarray:
    """Per row, the number of its tuple of column values (None counts as a value), numbered by first row."""
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(np.asarray(column, dtype=object), use_na_sentinel=False)
        combined, _ = pd.factorize(combined * max(len(uniques), 1) + codes)
    return combined


def _runs(groups: np.ndarray, rows: np.ndarray) -> list[tuple[int, list[int]]]:
    """(group, its rows in ascending order) for each group, groups in ascending order."""
    if not len(groups):
        return []
    order = np.lexsort((rows, groups))
    groups, rows = groups[order], rows[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    members = rows.tolist()
    return [(int(groups[s]), members[s:e]) for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]


def _multi_valued(groups: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Mask of the rows whose group holds at least two distinct ``values`` (non-negative int codes)."""
    if not len(groups):
        return np.zeros(0, dtype=bool)
    pairs = np.unique(groups.astype(np.int64) * (int(values.max()) + 1) + values)
    distinct = np.bincount(pairs // (int(values.max()) + 1), minlength=int(groups.max()) + 1)
    return distinct[groups] >= 2


class _Nodes:
    """The period's rows (sorted by record key) then the known workers' rows (by id), as normalised columns."""

    def __init__(self, current: pd.DataFrame, known: pd.DataFrame, renewal_keys: Sequence[str]) -> None:
        self.n_current = len(current)
        self.n = len(current) + len(known)

        def column(name: str) -> np.ndarray:
            parts = [
                frame[name].to_numpy(dtype=object) if name in frame.columns else np.full(len(frame), None, object)
                for frame in (current, known)
            ]
            return np.concatenate(parts)

        self.record_key: list[str | None] = [str(k) for k in current["record_key"].to_numpy(dtype=object)]
        self.record_key += [None] * len(known)
        self.known_id: list[str | None] = [None] * len(current)
        self.known_id += [str(k) for k in known["worker_id"].to_numpy(dtype=object)]
        self.nationality = _normalised(column("nationality"), _text)
        self.passport = _normalised(column("passport_no"), clean_passport)
        self.birth_date = _normalised(column("birth_date"), _date_text)
        self.name = _normalised(column("name"), clean_name)
        self.ids = {key: _normalised(column(key), clean_passport) for key in renewal_keys}
        nib = _normalised(column("company_nib"), _text)
        company = _normalised(column("company_name"), _text)
        self.companies = [
            (a, b) if a and b and a != b else (a,) if a else (b,) if b else () for a, b in zip(nib, company, strict=True)
        ]
        self.has_passport = np.array([p is not None for p in self.passport], dtype=bool)
        self.has_birth_date = np.array([d is not None for d in self.birth_date], dtype=bool)
        self.has_name = np.array([n is not None for n in self.name], dtype=bool)
        # Passport key: one number per distinct (nationality, passport), -1 without a passport.
        self.passport_key = np.full(self.n, -1, dtype=np.int64)
        holders = np.flatnonzero(self.has_passport)
        self.passport_key[holders] = _group_codes(self.take(self.nationality, holders), self.take(self.passport, holders))

    @staticmethod
    def take(values: list[Any], rows: np.ndarray) -> list[Any]:
        """``values`` at ``rows``."""
        return [values[i] for i in rows.tolist()]


class _SamePerson:
    """Names similar enough (order/spacing-insensitive) and both present; each pair of names scored once."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.cache: dict[tuple[str, str], bool] = {}

    def __call__(self, a: str | None, b: str | None) -> bool:
        if a is None or b is None:
            return False
        found = self.cache.get((a, b))
        if found is None:
            found = self.cache[(a, b)] = name_score(a, b) >= self.threshold
        return found


class _UnionFind:
    """Union-find over 0..n-1, with path halving and union by size."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n

    def find(self, item: int) -> int:
        """The representative of ``item``'s set."""
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, a: int, b: int) -> int:
        """Merge the sets of ``a`` and ``b``; return the new representative."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return ra


class _Clusters(_UnionFind):
    """Row union-find plus per-cluster passport classes and known ids, for the conflict guard.

    A cluster's passports (nationality -> passport classes) and known ids are the union of its rows'. They are
    stored for clusters made by a union; a root without an entry stands for its own row alone (or for rows that
    all hold the same passport and no known id, which comes to the same).
    """

    def __init__(self, nodes: _Nodes, passport_class: list[int | None]) -> None:
        super().__init__(nodes.n)
        self.nationality = nodes.nationality
        self.passport_class = passport_class
        self.passports: dict[int, dict[str | None, frozenset[int]]] = {}
        self.known: dict[int, frozenset[str]] = {
            i: frozenset((k,)) for i, k in enumerate(nodes.known_id) if k is not None
        }
        self.reason: list[str | None] = [None] * nodes.n

    def passports_of(self, root: int) -> dict[str | None, frozenset[int]]:
        """Nationality -> passport classes of the cluster ``root``."""
        found = self.passports.get(root)
        if found is not None:
            return found
        cls = self.passport_class[root]
        return {} if cls is None else {self.nationality[root]: frozenset((cls,))}

    def compatible(self, ra: int, rb: int) -> bool:
        """Two clusters may merge: per nationality one passport class contains the other, ≤1 known id."""
        if len(self.known.get(ra, _NO_IDS) | self.known.get(rb, _NO_IDS)) > 1:
            return False
        pa, pb = self.passports_of(ra), self.passports_of(rb)
        return all(pa[n] <= pb[n] or pb[n] <= pa[n] for n in pa.keys() & pb.keys())

    def union(self, a: int, b: int, reason: str | None = None, *, force: bool = False) -> bool:  # type: ignore[override]
        """Merge the clusters of rows ``a`` and ``b`` unless they conflict; keep each row's first reason."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if not force and not self.compatible(ra, rb):
            return False
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        merged = dict(self.passports_of(ra))
        for nat, classes in self.passports_of(rb).items():
            merged[nat] = merged.get(nat, frozenset()) | classes
        self.passports[ra] = merged
        self.passports.pop(rb, None)
        known = self.known.get(ra, _NO_IDS) | self.known.pop(rb, _NO_IDS)
        if known:
            self.known[ra] = known
        if reason is not None:
            if self.reason[a] is None:
                self.reason[a] = reason
            if self.reason[b] is None:
                self.reason[b] = reason
        return True

    def union_all(self, members: list[int], reason: str) -> None:
        """Union every member with the first (each union guarded)."""
        for other in members[1:]:
            self.union(members[0], other, reason)

    def link_unique(self, i: int, candidates: list[int], reason: str) -> None:
        """Link row ``i`` to its candidates only if all their clusters and its own are compatible."""
        roots = sorted({self.find(j) for j in (i, *candidates)})
        for a, b in itertools.combinations(roots, 2):
            if not self.compatible(a, b):
                return
        for j in candidates:
            self.union(i, j, reason)


def _passport_links(
    nodes: _Nodes, cfg: MatchConfig, same_person: _SamePerson
) -> tuple[list[int | None], list[tuple[int, int, str]]]:
    """Link passport numbers that belong to one person: typos and renewals, confirmed by name + birth date.

    Returns each row's passport class (None without a passport) and the row pairs that made a link.
    """
    keys = nodes.passport_key
    puf = _UnionFind(int(keys.max()) + 1 if nodes.n else 0)
    edges: list[tuple[int, int, str]] = []
    near = passport_matcher(cfg.lookalike, cfg.passport_max_edits)
    passport, name = nodes.passport, nodes.name

    # Typos: blocks of (nationality, birth date); only blocks holding two or more passports can link.
    rows = np.flatnonzero(nodes.has_passport & nodes.has_birth_date)
    blocks = _group_codes(nodes.take(nodes.nationality, rows), nodes.take(nodes.birth_date, rows))
    multi = _multi_valued(blocks, keys[rows])
    found: list[tuple[int, int, int]] = []
    for block, members in _runs(blocks[multi], rows[multi]):
        holders: dict[str, list[int]] = defaultdict(list)
        for i in members:
            holders[passport[i]].append(i)  # type: ignore[index]
        for pa, pb in itertools.combinations(holders, 2):
            if not near(pa, pb):
                continue
            for i, j in itertools.product(holders[pa], holders[pb]):
                lo, hi = (i, j) if i < j else (j, i)
                if same_person(name[lo], name[hi]):
                    found.append((block, lo, hi))
    for _, i, j in sorted(found):  # the order of a pass over each block's pairs
        puf.union(int(keys[i]), int(keys[j]))
        edges.append((i, j, "passport_typo"))

    # Renewals: same KITAS/Notifikasi/RPTKA number and birth date, another passport, the same name.
    for key in cfg.renewal_keys:
        ids = nodes.ids[key]
        rows = np.flatnonzero(nodes.has_passport & nodes.has_birth_date & np.array([v is not None for v in ids]))
        blocks = _group_codes(
            nodes.take(nodes.nationality, rows), nodes.take(ids, rows), nodes.take(nodes.birth_date, rows)
        )
        multi = _multi_valued(blocks, keys[rows])
        for _, members in _runs(blocks[multi], rows[multi]):
            for i, j in itertools.combinations(members, 2):
                if (
                    passport[i] != passport[j]
                    and same_person(name[i], name[j])
                    and puf.find(int(keys[i])) != puf.find(int(keys[j]))
                ):
                    puf.union(int(keys[i]), int(keys[j]))
                    edges.append((i, j, "renewed_passport"))
    classes = [puf.find(k) if k >= 0 else None for k in keys.tolist()]
    return classes, edges


def _link_known(clusters: _Clusters, nodes: _Nodes) -> None:
    """Known rows of one worker are one cluster whatever they hold (a renewal already known to the warehouse)."""
    by_known: dict[str, list[int]] = defaultdict(list)
    for i in range(nodes.n_current, nodes.n):
        by_known[nodes.known_id[i]].append(i)  # type: ignore[index]
    for members in by_known.values():
        for other in members[1:]:
            clusters.union(members[0], other, None, force=True)


def _link_exact_passports(clusters: _Clusters, nodes: _Nodes) -> None:
    """Rows with the same nationality and passport are one worker (guarded like every other union).

    A block's current rows have been touched by nothing yet and hold the block's one passport class, and a known
    worker's cluster already holds that class, so the guard can only refuse a union in a block holding two
    known workers: those blocks are merged union by union, the others at once.
    """
    holders = np.flatnonzero(nodes.has_passport)
    keys = nodes.passport_key[holders]
    two_known = np.zeros(int(keys.max()) + 1 if len(keys) else 0, dtype=bool)
    known_holders = holders[holders >= nodes.n_current]
    if len(known_holders):
        known_keys = nodes.passport_key[known_holders]
        workers = _group_codes(nodes.take(nodes.known_id, known_holders))
        two_known[known_keys[_multi_valued(known_keys, workers)]] = True

    parent, size, reason = clusters.parent, clusters.size, clusters.reason
    n_current = nodes.n_current
    for key, members in _runs(keys, holders):
        if len(members) < 2:
            continue
        if two_known[key]:
            clusters.union_all(members, "passport")
            continue
        current = [i for i in members if i < n_current]
        if not current:
            continue
        root = clusters.find(members[-1]) if members[-1] >= n_current else current[0]
        for i in current:
            parent[i] = root
            reason[i] = "passport"
        size[root] += len(current) - (root == current[0])


def _link_name_dob(clusters: _Clusters, nodes: _Nodes, same_person: _SamePerson) -> None:
    """Passport-less rows join the rows of one nationality and birth date with a similar name."""
    rows = np.flatnonzero(nodes.has_birth_date & nodes.has_name)
    blocks = _group_codes(nodes.take(nodes.nationality, rows), nodes.take(nodes.birth_date, rows))
    wanted = np.zeros(int(blocks.max()) + 1 if len(blocks) else 0, dtype=bool)
    wanted[blocks[~nodes.has_passport[rows]]] = True
    keep = wanted[blocks]
    passport, name = nodes.passport, nodes.name
    for _, group in _runs(blocks[keep], rows[keep]):
        for i in group:
            if passport[i]:
                continue  # only passport-less rows link by name; passport holders matched above
            candidates = [j for j in group if j != i and same_person(name[i], name[j])]
            clusters.link_unique(i, candidates, "name_dob")


def _link_name_company(clusters: _Clusters, nodes: _Nodes) -> None:
    """Rows with neither passport nor birth date join the one worker of their name at their company."""
    entry_rows: list[int] = []
    entry_keys: list[Hashable] = []
    name_keys: dict[str, str] = {}
    for i in np.flatnonzero(nodes.has_name).tolist():
        name = nodes.name[i]
        key = name_keys.get(name)  # type: ignore[arg-type]
        if key is None:
            key = name_keys[name] = name_key(name)  # type: ignore[index,arg-type]
        for company in nodes.companies[i]:
            entry_rows.append(i)
            entry_keys.append((nodes.nationality[i], company, key))
    if not entry_rows:
        return
    rows = np.array(entry_rows, dtype=np.int64)
    groups, _ = pd.factorize(pd.Series(entry_keys, dtype=object))  # numbered in the order groups are first met
    bare_rows = ~nodes.has_passport & ~nodes.has_birth_date
    wanted = np.zeros(int(groups.max()) + 1, dtype=bool)
    wanted[groups[bare_rows[rows]]] = True
    keep = wanted[groups]
    passport, birth_date = nodes.passport, nodes.birth_date
    for _, group in _runs(groups[keep], rows[keep]):
        bare = [i for i in group if not passport[i] and not birth_date[i]]
        identified = [i for i in group if passport[i] or birth_date[i]]
        roots = {clusters.find(i) for i in identified}
        if len(roots) > 1:
            continue  # two different people share the name at this company: leave the bare rows alone
        for i in bare:
            clusters.link_unique(i, [j for j in group if j != i], "name_company")


def resolve(rows: pd.DataFrame, known: pd.DataFrame | None, period: str, config: MatchConfig) -> pd.DataFrame:
    """Assign a worker id and match reason to every accepted worker row of ``period``.

    ``rows``: canonical frame rows of all sources (dependants and non-accepted rows are ignored).
    ``known``: workers first seen before ``period`` (worker_id, passport_no, nationality, name, birth_date,
    kitas_no, rptka_no, notifikasi_no, company_nib, company_name; several rows per worker allowed).
    Returns columns record_key, worker_id, match_reason, sorted by record_key.
    """
    mask_rows = pd.Series(True, index=rows.index)
    if "person_kind" in rows.columns:
        mask_rows &= rows["person_kind"].fillna("worker") != "dependant"
    if "status" in rows.columns:
        mask_rows &= rows["status"].fillna("accepted") == "accepted"
    current = rows.loc[mask_rows, [c for c in rows.columns if c in _NODE_COLUMNS]]
    if current.empty:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    current = current.sort_values("record_key", kind="stable")
    known = known if known is not None else pd.DataFrame(columns=["worker_id"])
    known = known.sort_values("worker_id", kind="stable")
    nodes = _Nodes(current, known, config.renewal_keys)

    same_person = _SamePerson(config.name_threshold)
    passport_class, passport_edges = _passport_links(nodes, config, same_person)
    clusters = _Clusters(nodes, passport_class)
    _link_known(clusters, nodes)
    _link_exact_passports(clusters, nodes)
    for i, j, reason in passport_edges:
        clusters.union(i, j, reason)
    _link_name_dob(clusters, nodes, same_person)
    _link_name_company(clusters, nodes)
    return _assign_ids(nodes, clusters, period)


_NODE_COLUMNS = frozenset(
    {"record_key", "nationality", "passport_no", "birth_date", "name", "company_nib", "company_name",
     "kitas_no", "notifikasi_no", "rptka_no"}
)


def _assign_ids(nodes: _Nodes, clusters: _Clusters, period: str) -> pd.DataFrame:
    """Worker ids: the known id of the cluster, else W + sha256(period + smallest record key)[:12]."""
    n_current = nodes.n_current
    find = clusters.find
    roots = np.array([find(i) for i in range(n_current)], dtype=np.int64)
    labels, firsts = pd.factorize(roots)  # clusters in the order of their first row
    order = np.argsort(labels, kind="stable")
    keys = nodes.record_key[:n_current]
    key_array = np.array(keys, dtype=object)
    if n_current < 2 or bool(np.all(key_array[:-1] <= key_array[1:])):
        smallest = [keys[i] for i in order[np.r_[True, labels[order][1:] != labels[order][:-1]]].tolist()]
    else:  # record keys that do not sort as text: take the minimum the long way
        best: dict[int, str] = {}
        for label, key in zip(labels.tolist(), keys, strict=True):
            if label not in best or key < best[label]:  # type: ignore[operator]
                best[label] = key  # type: ignore[assignment]
        smallest = [best[label] for label in range(len(firsts))]
    worker_ids = []
    is_known = []
    for root, first in zip(firsts.tolist(), smallest, strict=True):
        known_ids = clusters.known.get(root, _NO_IDS)
        is_known.append(bool(known_ids))
        worker_ids.append(
            next(iter(known_ids)) if known_ids else "W" + hashlib.sha256(f"{period}{first}".encode()).hexdigest()[:12]
        )
    reasons = clusters.reason
    out = []
    label_list = labels.tolist()
    for i in order.tolist():
        label = label_list[i]
        reason = reasons[i] or "new"
        out.append((keys[i], worker_ids[label], f"known:{reason}" if is_known[label] else reason))
    result = pd.DataFrame(out, columns=OUTPUT_COLUMNS).sort_values("record_key", ignore_index=True)
    log.info(
        "resolved %d rows of %s into %d workers (%d known)",
        n_current,
        period,
        result["worker_id"].nunique(),
        sum(is_known),
    )
    return result
