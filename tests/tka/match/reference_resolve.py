"""The resolver as it was before it was made fast (commit 027fa0a): the oracle of test_resolve_equivalence.

Kept verbatim (apart from this docstring) so that random frames full of collisions can show that the fast
resolver assigns the same worker ids and reasons.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from tka.match.config import MatchConfig
from tka.match.names import clean_name, clean_passport, is_blank, name_key, name_score, passports_near

log = logging.getLogger(__name__)
OUTPUT_COLUMNS = ["record_key", "worker_id", "match_reason"]


@dataclass
class _Node:
    """One row (period record or known worker) with the normalised values matching uses."""

    record_key: str | None  # None for known workers
    known_id: str | None
    nationality: str | None
    passport: str | None
    birth_date: str | None
    name: str | None
    ids: dict[str, str] = field(default_factory=dict)  # renewal keys: kitas_no, notifikasi_no, rptka_no
    companies: tuple[str, ...] = ()


class _UnionFind:
    """Union-find over hashable items, with path halving and union by size."""

    def __init__(self) -> None:
        self.parent: dict[Hashable, Hashable] = {}
        self.size: dict[Hashable, int] = {}

    def find(self, item: Hashable) -> Hashable:
        """The representative of ``item``'s set (adds it as a singleton if unseen)."""
        parent = self.parent.setdefault(item, item)
        self.size.setdefault(item, 1)
        while parent != item:
            self.parent[item] = self.parent[parent]
            item, parent = parent, self.parent[parent]
        return item

    def union(self, a: Hashable, b: Hashable) -> Hashable:
        """Merge the sets of ``a`` and ``b``; return the new representative."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return ra
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        return ra


class _Clusters:
    """Record union-find plus per-cluster passport classes and known ids, for the conflict guard."""

    def __init__(self, nodes: list[_Node], passport_class: dict[tuple[str | None, str], Hashable]) -> None:
        self.uf = _UnionFind()
        self.passports: dict[int, dict[str | None, frozenset[Hashable]]] = {}
        self.known: dict[int, frozenset[str]] = {}
        self.reason: dict[int, str] = {}
        for i, node in enumerate(nodes):
            self.uf.find(i)
            self.passports[i] = (
                {node.nationality: frozenset({passport_class[(node.nationality, node.passport)]})}
                if node.passport
                else {}
            )
            self.known[i] = frozenset({node.known_id}) if node.known_id else frozenset()

    def compatible(self, ra: int, rb: int) -> bool:
        """Two clusters may merge: per nationality one passport class contains the other, ≤1 known id."""
        if len(self.known[ra] | self.known[rb]) > 1:
            return False
        pa, pb = self.passports[ra], self.passports[rb]
        return all(pa[n] <= pb[n] or pb[n] <= pa[n] for n in pa.keys() & pb.keys())

    def union(self, a: int, b: int, reason: str | None, *, force: bool = False) -> bool:
        """Merge the clusters of rows ``a`` and ``b`` unless they conflict; keep each row's first reason."""
        ra, rb = self.uf.find(a), self.uf.find(b)
        if ra == rb:
            return True
        if not force and not self.compatible(ra, rb):
            return False
        root = self.uf.union(ra, rb)
        other = rb if root == ra else ra
        merged = dict(self.passports[root])
        for nat, classes in self.passports.pop(other).items():
            merged[nat] = merged.get(nat, frozenset()) | classes
        self.passports[root] = merged
        self.known[root] = self.known[root] | self.known.pop(other)
        if reason is not None:
            self.reason.setdefault(a, reason)
            self.reason.setdefault(b, reason)
        return True

    def union_all(self, members: list[int], reason: str) -> None:
        """Union every member with the first (each union guarded)."""
        for other in members[1:]:
            self.union(members[0], other, reason)


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


def _nodes(frame: pd.DataFrame, *, known: bool, renewal_keys: Iterable[str]) -> list[_Node]:
    """Turn rows into nodes (known workers: ``worker_id`` instead of ``record_key``)."""
    nodes = []
    for rec in frame.to_dict("records"):
        get = rec.get
        companies = tuple(
            dict.fromkeys(c for c in (_text(get("company_nib")), _text(get("company_name"))) if c)
        )
        nodes.append(
            _Node(
                record_key=None if known else str(rec["record_key"]),
                known_id=str(rec["worker_id"]) if known else None,
                nationality=_text(get("nationality")),
                passport=clean_passport(get("passport_no")),
                birth_date=_date_text(get("birth_date")),
                name=clean_name(get("name")),
                ids={k: v for k in renewal_keys if (v := clean_passport(get(k)))},
                companies=companies,
            )
        )
    return nodes


def _blocks(nodes: list[_Node], key: Callable[[_Node], Hashable | None]) -> Iterable[list[int]]:
    """Indices of nodes grouped by ``key(node)`` (None = not blocked), groups of two or more only."""
    groups: dict[Hashable, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        k = key(node)
        if k is not None:
            groups[k].append(i)
    return (g for g in groups.values() if len(g) > 1)


def _same_person(a: _Node, b: _Node, threshold: float) -> bool:
    """Names similar enough (order/spacing-insensitive) and both present."""
    return a.name is not None and b.name is not None and name_score(a.name, b.name) >= threshold


def _passport_links(nodes: list[_Node], cfg: MatchConfig) -> tuple[_UnionFind, list[tuple[int, int, str]]]:
    """Link passport numbers that belong to one person: typos and renewals, confirmed by name + birth date."""
    puf = _UnionFind()
    edges: list[tuple[int, int, str]] = []
    for node in nodes:
        if node.passport:
            puf.find((node.nationality, node.passport))

    def linkable(i: int, j: int) -> bool:
        a, b = nodes[i], nodes[j]
        return a.passport != b.passport and _same_person(a, b, cfg.name_threshold)

    for group in _blocks(
        nodes, lambda n: (n.nationality, n.birth_date) if n.passport and n.birth_date else None
    ):
        for i, j in itertools.combinations(group, 2):
            a, b = nodes[i], nodes[j]
            if linkable(i, j) and passports_near(
                a.passport, b.passport, cfg.lookalike, cfg.passport_max_edits
            ):
                puf.union((a.nationality, a.passport), (b.nationality, b.passport))
                edges.append((i, j, "passport_typo"))
    for key in cfg.renewal_keys:
        for group in _blocks(
            nodes,
            lambda n, key=key: (
                (n.nationality, n.ids[key], n.birth_date)
                if n.passport and n.birth_date and n.ids.get(key)
                else None
            ),
        ):
            for i, j in itertools.combinations(group, 2):
                a, b = nodes[i], nodes[j]
                if linkable(i, j) and puf.find((a.nationality, a.passport)) != puf.find(
                    (b.nationality, b.passport)
                ):
                    puf.union((a.nationality, a.passport), (b.nationality, b.passport))
                    edges.append((i, j, "renewed_passport"))
    return puf, edges


def _link_unique(clusters: _Clusters, i: int, candidates: list[int], reason: str) -> None:
    """Link row ``i`` to its candidates only if all their clusters and its own are compatible."""
    roots = sorted({clusters.uf.find(j) for j in (i, *candidates)})
    for a, b in itertools.combinations(roots, 2):
        if not clusters.compatible(a, b):
            return
    for j in candidates:
        clusters.union(i, j, reason)


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
    current = rows.loc[mask_rows].sort_values("record_key", kind="stable")
    if current.empty:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    known = known if known is not None else pd.DataFrame(columns=["worker_id"])
    known = known.sort_values("worker_id", kind="stable")
    nodes = _nodes(current, known=False, renewal_keys=config.renewal_keys) + _nodes(
        known, known=True, renewal_keys=config.renewal_keys
    )
    n_current = len(current)

    puf, passport_edges = _passport_links(nodes, config)
    passport_class = {
        (n.nationality, n.passport): puf.find((n.nationality, n.passport)) for n in nodes if n.passport
    }
    clusters = _Clusters(nodes, passport_class)

    # Known rows of one worker are one cluster whatever they hold (a renewal already known to the warehouse).
    by_known: dict[str, list[int]] = defaultdict(list)
    for i in range(n_current, len(nodes)):
        by_known[nodes[i].known_id].append(i)  # type: ignore[index]
    for members in by_known.values():
        for other in members[1:]:
            clusters.union(members[0], other, None, force=True)

    for group in _blocks(nodes, lambda n: (n.nationality, n.passport) if n.passport else None):
        clusters.union_all(group, "passport")
    for i, j, reason in passport_edges:
        clusters.union(i, j, reason)

    threshold = config.name_threshold
    for group in _blocks(nodes, lambda n: (n.nationality, n.birth_date) if n.birth_date and n.name else None):
        for i in group:
            if nodes[i].passport:
                continue  # only passport-less rows link by name; passport holders matched above
            candidates = [j for j in group if j != i and _same_person(nodes[i], nodes[j], threshold)]
            _link_unique(clusters, i, candidates, "name_dob")

    def company_block(n: _Node, company: str) -> Hashable:
        return (n.nationality, company, name_key(n.name))  # type: ignore[arg-type]

    company_groups: dict[Hashable, list[int]] = defaultdict(list)
    for i, node in enumerate(nodes):
        if node.name:
            for company in node.companies:
                company_groups[company_block(node, company)].append(i)
    for group in company_groups.values():
        bare = [i for i in group if not nodes[i].passport and not nodes[i].birth_date]
        identified = [i for i in group if nodes[i].passport or nodes[i].birth_date]
        roots = {clusters.uf.find(i) for i in identified}
        if len(roots) > 1:
            continue  # two different people share the name at this company: leave the bare rows alone
        for i in bare:
            _link_unique(clusters, i, [j for j in group if j != i], "name_company")

    return _assign_ids(nodes, n_current, clusters, period)


def _assign_ids(nodes: list[_Node], n_current: int, clusters: _Clusters, period: str) -> pd.DataFrame:
    """Worker ids: the known id of the cluster, else W + sha256(period + smallest record key)[:12]."""
    members: dict[Hashable, list[int]] = defaultdict(list)
    for i in range(n_current):
        members[clusters.uf.find(i)].append(i)
    out = []
    for root, rows in members.items():
        known_ids = clusters.known[root]  # type: ignore[index]
        if known_ids:
            worker_id = next(iter(known_ids))
        else:
            first = min(nodes[i].record_key for i in rows)  # type: ignore[type-var]
            worker_id = "W" + hashlib.sha256(f"{period}{first}".encode()).hexdigest()[:12]
        for i in rows:
            reason = clusters.reason.get(i, "new")
            out.append((nodes[i].record_key, worker_id, f"known:{reason}" if known_ids else reason))
    result = pd.DataFrame(out, columns=OUTPUT_COLUMNS).sort_values("record_key", ignore_index=True)
    log.info(
        "resolved %d rows of %s into %d workers (%d known)",
        n_current,
        period,
        result["worker_id"].nunique(),
        sum(1 for r in members if clusters.known[r]),
    )  # type: ignore[index]
    return result
