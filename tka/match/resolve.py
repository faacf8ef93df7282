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
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from tka.match.arrays import argsort_text, group_codes, multi_valued, roots, runs
from tka.match.config import MatchConfig
from tka.match.names import (
    clean_name,
    clean_name_text,
    clean_passport,
    clean_passport_text,
    is_blank,
    name_key,
    name_score,
    passport_matcher,
)

log = logging.getLogger(__name__)
OUTPUT_COLUMNS = ["record_key", "worker_id", "match_reason"]
_MISSING = object()
_NO_IDS: frozenset[str] = frozenset()


_LEGAL_FORMS = re.compile(r"\b(?:P\.?\s?T|C\.?\s?V|TBK|PERSERO|LTD|CO|INC)\b\.?", re.IGNORECASE)


def company_key(value: object) -> str | None:
    """A company name for comparison: without legal form, punctuation and spaces ("PT. Jaya Lestari, Tbk" ->
    "JAYALESTARI"); None when blank."""
    if is_blank(value):
        return None
    key = "".join(c for c in _LEGAL_FORMS.sub(" ", str(value).upper()) if c.isalnum())
    return key or None


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


def _text_of_text(text: str) -> str | None:
    """``_text`` of a string."""
    return text.strip() or None


def _normalised(values: np.ndarray, fn: Callable[[Any], str | None], text_fn: Callable[[str], str | None]
                ) -> tuple[list[str | None], np.ndarray, np.ndarray]:
    """(``fn`` of every value, codes of the results (-1 for None), the distinct results by code).

    ``fn`` is computed once per distinct string or date; ``text_fn`` is ``fn`` for a string (``fn`` of a blank is
    None).
    """
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in ("string", "empty") or (
        kind == "date" and all(type(v) is dt.date for v in values[~pd.isna(values)])
    ):  # equal values give equal results: clean each distinct value once
        codes, uniques = pd.factorize(values)  # blanks -> -1
        convert = fn if kind == "date" else lambda u: text_fn(str(u))
        cleaned = np.array([*(convert(u) for u in uniques), None], dtype=object)
        cleaned_codes, distinct = pd.factorize(cleaned)
        return cleaned[codes].tolist(), cleaned_codes[codes], distinct
    cache: dict[Any, str | None] = {}
    out: list[str | None] = []
    for value in values:
        if type(value) is str or type(value) is dt.date:
            found: Any = cache.get(value, _MISSING)  # the sentinel is an object: mypy cannot narrow it away
            if found is _MISSING:
                found = cache[value] = fn(value)
            out.append(found)
        else:
            out.append(fn(value))
    codes, distinct = pd.factorize(np.array(out, dtype=object))
    return out, codes, distinct


class _Nodes:
    """The period's rows (sorted by record key) then the known workers' rows (by id), as normalised columns.

    Each column is a list of values and an array of codes (equal values, equal codes; -1 for None).
    """

    def __init__(self, current: pd.DataFrame, known: pd.DataFrame, renewal_keys: Sequence[str],
                 period_start: dt.date = dt.date.max, registry: pd.DataFrame | None = None) -> None:
        self.period_start = period_start
        self.n_current = len(current)
        self.n = len(current) + len(known)

        def column(name: str) -> np.ndarray:
            parts = [
                frame[name].to_numpy(dtype=object) if name in frame.columns else np.full(len(frame), None, object)
                for frame in (current, known)
            ]
            return np.concatenate(parts)

        self.record_key: list[str] = [str(k) for k in current["record_key"].to_numpy(dtype=object)]
        self.known_id: list[str | None] = [None] * len(current)
        self.known_id += [str(k) for k in known["worker_id"].to_numpy(dtype=object)]
        self.nationality, self.nationality_code, _ = _normalised(column("nationality"), _text, _text_of_text)
        self.passport, passport_code, _ = _normalised(column("passport_no"), clean_passport, clean_passport_text)
        self.birth_date, self.birth_date_code, _ = _normalised(column("birth_date"), _date_text, _text_of_text)
        self.name, self.name_code, names = _normalised(column("name"), clean_name, clean_name_text)
        self.file_code, _ = pd.factorize(column("file_sha256"))
        self.source_code, _ = pd.factorize(column("source_id"))
        self.id_code = {
            key: _normalised(column(key), clean_passport, clean_passport_text)[1] for key in renewal_keys
        }
        nib_values = column("company_nib")
        company_raw = column("company_name").tolist()
        # A company is known by its name without legal form and punctuation ("PT. JAYA LESTARI" = "Jaya
        # Lestari"), and a row that gives only the NIB borrows the name other rows (or the registry) give that
        # NIB; a row that gives only the name borrows the registry's NIB of that name.
        company_names = [company_key(v) for v in company_raw]
        by_nib: dict[str, Counter[str]] = defaultdict(Counter)
        registry_kecamatan: dict[str, str] = {}
        if registry is not None and len(registry) and {"company_nib", "company_name"} <= set(registry.columns):
            nib_values = _registry_nibs(nib_values, company_raw, registry)
            if "kecamatan_code" in registry.columns:
                registry_kecamatan = {str(n): str(k) for n, k in zip(registry["company_nib"].tolist(),
                                                                     registry["kecamatan_code"].tolist(), strict=True)
                                      if not is_blank(n) and not is_blank(k)}
            for nib, name in zip(registry["company_nib"].tolist(), registry["company_name"].tolist(), strict=True):
                key = company_key(name)
                if key and not is_blank(nib):
                    by_nib[str(nib)][key] += len(company_raw) + 1  # the registry's name outweighs the sources'
        for nib, key in zip(nib_values.tolist(), company_names, strict=True):
            if key and not is_blank(nib):
                by_nib[str(nib)][key] += 1
        company_names = [key or (by_nib[str(nib)].most_common(1)[0][0] if not is_blank(nib) and by_nib.get(str(nib))
                         else None) for nib, key in zip(nib_values.tolist(), company_names, strict=True)]
        # Where a row's person is: its own kecamatan, and the registry's kecamatan of its employer.
        self.kecamatan: list[frozenset[str]] = [
            frozenset(k for k in (None if is_blank(own) else str(own),
                                  None if is_blank(nib) else registry_kecamatan.get(str(nib))) if k)
            for own, nib in zip(column("kecamatan_code").tolist(), nib_values.tolist(), strict=True)]
        _, nib_code, nibs = _normalised(nib_values, _text, _text_of_text)
        _, company_code, companies = _normalised(np.array(company_names, dtype=object), _text, _text_of_text)
        # One numbering for NIBs and company names, as a row's companies are compared with both.
        nib_or_company, _ = pd.factorize(np.concatenate([nibs, companies, [None]]).astype(object))
        self.nib_code = nib_or_company[np.where(nib_code >= 0, nib_code, len(nibs) + len(companies))]
        self.company_code = nib_or_company[np.where(company_code >= 0, len(nibs) + company_code, -1)]
        self.name_key_code = np.full(self.n, -1, dtype=np.int64)
        if len(names):
            keys_of_names, _ = pd.factorize(np.array([name_key(n) for n in names], dtype=object))
            named = self.name_code >= 0
            self.name_key_code[named] = keys_of_names[self.name_code[named]]
        expiry = column("passport_expiry")
        self.passport_expiry = [v if isinstance(v, dt.date) else None for v in expiry.tolist()]
        self.birth_year_code, _ = pd.factorize(np.array(
            [d[:4] if d else None for d in self.birth_date], dtype=object))
        self.has_passport = passport_code >= 0
        self.has_birth_date = self.birth_date_code >= 0
        self.has_name = self.name_code >= 0
        # Passport key: one number per distinct (nationality, passport), -1 without a passport.
        self.passport_key = np.full(self.n, -1, dtype=np.int64)
        holders = self.has_passport
        self.passport_key[holders] = group_codes(self.nationality_code[holders], passport_code[holders])


def _registry_nibs(nibs: np.ndarray, names: list[object], registry: pd.DataFrame) -> np.ndarray:
    """The rows' NIBs, with the registry's NIB filled in where a row names its company without one."""
    from tka.compliance.status import registry_companies

    lookup = registry_companies(registry)
    out = nibs.copy()
    found: dict[str, str | None] = {}
    for i, (nib, name) in enumerate(zip(nibs.tolist(), names, strict=True)):
        if is_blank(nib) and not is_blank(name):
            text = str(name)
            if text not in found:
                found[text] = lookup(None, text)
            if found[text] is not None:
                out[i] = found[text]
    return out


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
    hold the root's passport and no other known id, which comes to the same).
    """

    def __init__(self, nodes: _Nodes, passport_class: list[int | None]) -> None:
        super().__init__(nodes.n)
        self.nationality = nodes.nationality
        self.passport_class = passport_class
        self.passports: dict[int, dict[str | None, frozenset[int]]] = {}
        self.known_id = nodes.known_id
        self.known: dict[int, frozenset[str]] = {}
        self.reason: list[str | None] = [None] * nodes.n

    def passports_of(self, root: int) -> dict[str | None, frozenset[int]]:
        """Nationality -> passport classes of the cluster ``root``."""
        found = self.passports.get(root)
        if found is not None:
            return found
        cls = self.passport_class[root]
        return {} if cls is None else {self.nationality[root]: frozenset((cls,))}

    def known_of(self, root: int) -> frozenset[str]:
        """The known worker ids in the cluster ``root``."""
        found = self.known.get(root)
        if found is not None:
            return found
        own = self.known_id[root]
        return _NO_IDS if own is None else frozenset((own,))

    def compatible(self, ra: int, rb: int) -> bool:
        """Two clusters may merge: per nationality one passport class contains the other, ≤1 known id."""
        if len(self.known_of(ra) | self.known_of(rb)) > 1:
            return False
        pa, pb = self.passports_of(ra), self.passports_of(rb)
        return all(pa[n] <= pb[n] or pb[n] <= pa[n] for n in pa.keys() & pb.keys())

    def union(self, a: int, b: int, reason: str | None = None, *, force: bool = False) -> bool:
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
        known = self.known_of(ra) | self.known_of(rb)
        self.known.pop(rb, None)
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
        heads = sorted({self.find(j) for j in (i, *candidates)})
        for a, b in itertools.combinations(heads, 2):
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
    puf = _UnionFind(int(keys.max(initial=-1)) + 1)
    edges: list[tuple[int, int, str]] = []
    near = passport_matcher(cfg.lookalike, cfg.passport_max_edits)
    passport, name = nodes.passport, nodes.name

    # Typos: blocks of birth date, then of name letters for rows whose birth date is missing on one side; only
    # blocks holding two or more passports can link, and nationalities must not disagree (an unreadable one on
    # one side is no disagreement: "EL826987" of nobody knows where is "EL8236987" of CHN).
    found: list[tuple[int, int, int, int]] = []
    dated = np.flatnonzero(nodes.has_passport & nodes.has_birth_date)
    named = np.flatnonzero(nodes.has_passport & nodes.has_name)
    for step, (rows, blocks) in enumerate((
            (dated, group_codes(nodes.birth_date_code[dated])),
            (named, group_codes(nodes.name_key_code[named])))):
        multi = multi_valued(blocks, keys[rows])
        for block, members in runs(blocks[multi], rows[multi]):
            holders: dict[str, list[int]] = defaultdict(list)
            for i in members:
                holders[passport[i]].append(i)  # type: ignore[index]
            for pa, pb in itertools.combinations(holders, 2):
                if not near(pa, pb):
                    continue
                for i, j in itertools.product(holders[pa], holders[pb]):
                    lo, hi = (i, j) if i < j else (j, i)
                    dob_lo, dob_hi = nodes.birth_date[lo], nodes.birth_date[hi]
                    if (same_person(name[lo], name[hi]) and (dob_lo is None or dob_hi is None or dob_lo == dob_hi)
                            and _nationalities_agree(nodes, lo, hi)):
                        found.append((step, block, lo, hi))
    for _, _, i, j in sorted(found):  # the order of a pass over each block's pairs
        if puf.find(int(keys[i])) != puf.find(int(keys[j])):
            puf.union(int(keys[i]), int(keys[j]))
            edges.append((i, j, "passport_typo"))

    # Renewals: same KITAS/Notifikasi/RPTKA number and birth date, another passport, the same name.
    for key in cfg.renewal_keys:
        ids = nodes.id_code[key]
        rows = np.flatnonzero(nodes.has_passport & (ids >= 0))
        blocks = group_codes(nodes.nationality_code[rows], ids[rows])
        multi = multi_valued(blocks, keys[rows])
        for _, members in runs(blocks[multi], rows[multi]):
            for i, j in itertools.combinations(members, 2):
                if (
                    passport[i] != passport[j]
                    and same_person(name[i], name[j])
                    and dates_compatible(nodes.birth_date[i], nodes.birth_date[j])
                    and puf.find(int(keys[i])) != puf.find(int(keys[j]))
                ):
                    puf.union(int(keys[i]), int(keys[j]))
                    edges.append((i, j, "renewed_passport"))
    # Renewals without a shared number: same nationality, birth date and name letters, another passport, and
    # corroboration (the same company, or one of the passports had expired), so two namesakes born on one day
    # with two valid passports stay two people.
    key_marks: dict[int, set[tuple[str, int]]] = defaultdict(set)  # what each passport's records say of them
    for i in np.flatnonzero(nodes.has_passport).tolist():
        key_marks[int(keys[i])] |= _person_marks(nodes, i)
    rows = np.flatnonzero(nodes.has_passport & nodes.has_birth_date & nodes.has_name)
    blocks = group_codes(nodes.birth_date_code[rows], nodes.name_key_code[rows])
    multi = multi_valued(blocks, keys[rows])
    for _, members in runs(blocks[multi], rows[multi]):
        for i, j in itertools.combinations(members, 2):
            if (passport[i] != passport[j] and puf.find(int(keys[i])) != puf.find(int(keys[j]))
                    and _nationalities_agree(nodes, i, j) and _corroborated(nodes, i, j)
                    and not two_people(key_marks[int(keys[i])], key_marks[int(keys[j])])):
                puf.union(int(keys[i]), int(keys[j]))
                edges.append((i, j, "renewed_passport"))
    # The same with a birth date missing on one side: name letters and nationality, the same company, the only
    # two passports of that name this month, and nothing that marks two people (never expiry alone: without a
    # birth date two namesakes are too likely).
    passport_dobs: dict[int, set[str]] = defaultdict(set)  # birth dates seen with each passport
    for i in np.flatnonzero(nodes.has_passport & nodes.has_birth_date).tolist():
        passport_dobs[int(keys[i])].add(nodes.birth_date[i])  # type: ignore[arg-type]
    rows = np.flatnonzero(nodes.has_passport & nodes.has_name)
    blocks = group_codes(nodes.nationality_code[rows], nodes.name_key_code[rows])
    multi = multi_valued(blocks, keys[rows])
    for _, members in runs(blocks[multi], rows[multi]):
        if len({puf.find(int(keys[i])) for i in members}) != 2:
            continue  # a name more passports carry this month: a namesake at the company is too likely
        for i, j in _sole_fits(members, lambda i: puf.find(int(keys[i])),
                               lambda i: passport_dobs[int(keys[i])], lambda i: _companies(nodes, i),
                               lambda i: _person_marks(nodes, i)):
            if puf.find(int(keys[i])) != puf.find(int(keys[j])):
                puf.union(int(keys[i]), int(keys[j]))
                edges.append((i, j, "renewed_passport"))
    classes = [puf.find(k) if k >= 0 else None for k in keys.tolist()]
    return classes, edges


def _sole_fits(members: list[int], group_of: Callable[[int], int], dobs_of: Callable[[int], set[str]],
               companies_of: Callable[[int], set[int]],
               marks_of: Callable[[int], set[tuple[str, int]]]) -> list[tuple[int, int]]:
    """Pairs of rows from two groups (passport classes) of one name that fit only each other: the same company,
    birth dates that agree, and nothing that marks two people (one file listing both, two KITAS or Notifikasi
    numbers); one row pair per group pair, in row order."""
    groups: dict[int, list[int]] = defaultdict(list)
    for i in members:
        groups[group_of(i)].append(i)
    if len(groups) < 2:
        return []
    dobs = {g: set().union(*(dobs_of(i) for i in rows)) for g, rows in groups.items()}
    companies = {g: set().union(*(companies_of(i) for i in rows)) for g, rows in groups.items()}
    marks = {g: set().union(*(marks_of(i) for i in rows)) for g, rows in groups.items()}

    fits = {g: [h for h in groups if h != g and companies[g] & companies[h] and dob_sets_agree(dobs[g], dobs[h])
                and not two_people(marks[g], marks[h])]
            for g in groups}
    pairs = []
    for g, found in fits.items():
        if len(found) == 1 and fits[found[0]] == [g] and min(groups[g]) < min(groups[found[0]]):
            h = found[0]
            i = next(i for i in groups[g] if companies_of(i) & companies[h])
            j = next(j for j in groups[h] if companies_of(j) & companies_of(i))
            pairs.append((i, j) if i < j else (j, i))
    return sorted(pairs)


def two_people(a: set[tuple[str, int]], b: set[tuple[str, int]]) -> bool:
    """Whether the person marks of two records (``_person_marks``) say two people: a file or sender lists both,
    or they hold two numbers of one kind (KITAS, Notifikasi)."""
    if {m for m in a if m[0] == "file"} & {m for m in b if m[0] == "file"}:
        return True
    kinds = {k for k, _ in a if k != "file"} & {k for k, _ in b if k != "file"}
    return any(not {m for m in a if m[0] == k} & {m for m in b if m[0] == k} for k in kinds)


def _person_marks(nodes: _Nodes, i: int) -> set[tuple[str, int]]:
    """What tells a row's person from another: its file and its sender (each lists a person once) and its own
    permit numbers (KITAS, Notifikasi; an RPTKA is the company's plan, shared by many)."""
    marks = {("file", int(nodes.file_code[i]))} if nodes.file_code[i] >= 0 else set()
    if nodes.source_code[i] >= 0:  # one sender lists a person once a month, whatever files it splits them into
        marks.add(("file", -2 - int(nodes.source_code[i])))
    for key in ("kitas_no", "notifikasi_no"):
        codes = nodes.id_code.get(key)
        if codes is not None and codes[i] >= 0:
            marks.add((key, int(codes[i])))
    return marks


def _companies(nodes: _Nodes, i: int) -> set[int]:
    return {int(c) for c in (nodes.nib_code[i], nodes.company_code[i]) if c >= 0}


def _corroborated(nodes: _Nodes, i: int, j: int) -> bool:
    """Two records of one name and birth date with different passports: the same employer or kecamatan, or an old
    passport that had expired (a renewal), makes them one person."""
    if _companies(nodes, i) & _companies(nodes, j) or nodes.kecamatan[i] & nodes.kecamatan[j]:
        return True
    expired = [e for e in (nodes.passport_expiry[i], nodes.passport_expiry[j]) if e is not None]
    return bool(expired) and min(expired) < nodes.period_start


def _link_known(clusters: _Clusters, nodes: _Nodes) -> None:
    """Known rows of one worker are one cluster whatever they hold (a renewal already known to the warehouse)."""
    workers, _ = pd.factorize(np.array(nodes.known_id[nodes.n_current :], dtype=object))
    several = np.bincount(workers)[workers] >= 2 if len(workers) else np.zeros(0, dtype=bool)
    rows = np.flatnonzero(several) + nodes.n_current
    for _, members in runs(workers[several], rows):
        for other in members[1:]:
            clusters.union(members[0], other, None, force=True)


def _link_exact_passports(clusters: _Clusters, nodes: _Nodes) -> None:
    """Rows with the same nationality and passport are one worker (guarded like every other union).

    Until this step no period row has been linked, a block's period rows all hold the block's passport class, and
    a known worker's cluster holds the classes of all its rows. So the guard can only refuse a union in a block
    holding two known workers: those blocks are merged union by union, in block order; in every other block each
    period row joins the block's known worker (or the block's first row) and gets the reason "passport". The
    blocks share no period row and leave every known worker's passports and id as they were, so doing the
    simple blocks first changes nothing.
    """
    n_current = nodes.n_current
    holders = np.flatnonzero(nodes.has_passport)
    keys = nodes.passport_key[holders]
    n_keys = int(keys.max(initial=-1)) + 1
    in_known = holders >= n_current
    known_holders, known_keys = holders[in_known], keys[in_known]
    has_known = np.zeros(n_keys, dtype=bool)
    has_known[known_keys] = True
    two_known = np.zeros(n_keys, dtype=bool)
    if len(known_holders):
        workers, _ = pd.factorize(np.array(nodes.known_id, dtype=object)[known_holders])
        two_known[known_keys[multi_valued(known_keys, workers)]] = True

    parent = np.array(clusters.parent, dtype=np.int64)
    size = np.array(clusters.size, dtype=np.int64)
    current_rows, current_keys = holders[~in_known], keys[~in_known]
    # Blocks without a known worker: every row joins the block's first row.
    alone = ~has_known[current_keys]
    block_size = np.bincount(current_keys[alone], minlength=n_keys)
    first = np.full(n_keys, -1, dtype=np.int64)
    blocks, first_of_block = np.unique(current_keys[alone], return_index=True)
    first[blocks] = current_rows[alone][first_of_block]
    joins = alone & (block_size[current_keys] >= 2)
    parent[current_rows[joins]] = first[current_keys[joins]]
    size[first[current_keys[joins]]] = block_size[current_keys[joins]]
    # Blocks with one known worker: every period row joins that worker's cluster.
    head = np.full(n_keys, -1, dtype=np.int64)
    head[known_keys] = roots(parent)[known_holders]
    to_known = has_known[current_keys] & ~two_known[current_keys]
    parent[current_rows[to_known]] = head[current_keys[to_known]]
    np.add.at(size, head[current_keys[to_known]], 1)
    clusters.parent, clusters.size = parent.tolist(), size.tolist()
    reason = clusters.reason
    for i in current_rows[joins | to_known].tolist():
        reason[i] = "passport"

    tangled = two_known[keys]
    for _, members in runs(keys[tangled], holders[tangled]):
        clusters.union_all(members, "passport")


def _link_name_dob(clusters: _Clusters, nodes: _Nodes, same_person: _SamePerson) -> None:
    """Passport-less rows join the rows of one nationality and birth date with a similar name."""
    rows = np.flatnonzero(nodes.has_birth_date & nodes.has_name)
    blocks = group_codes(nodes.nationality_code[rows], nodes.birth_date_code[rows])
    wanted = np.zeros(int(blocks.max(initial=-1)) + 1, dtype=bool)
    wanted[blocks[~nodes.has_passport[rows]]] = True
    keep = wanted[blocks]
    has_passport, name = nodes.has_passport.tolist(), nodes.name
    for _, group in runs(blocks[keep], rows[keep]):
        for i in group:
            if has_passport[i]:
                continue  # only passport-less rows link by name; passport holders matched above
            candidates = [j for j in group if j != i and same_person(name[i], name[j])]
            clusters.link_unique(i, candidates, "name_dob")


def dates_compatible(a: str | None, b: str | None) -> bool:
    """Two ISO birth dates that may be one person's: equal, day and month swapped, or one digit apart."""
    if a is None or b is None or a == b:
        return True
    if len(a) != 10 or len(b) != 10:
        return False
    if a[:4] == b[:4] and a[5:7] == b[8:10] and a[8:10] == b[5:7]:
        return True
    return sum(x != y for x, y in zip(a, b, strict=True)) == 1


def dob_sets_agree(a: set[str] | frozenset[str], b: set[str] | frozenset[str]) -> bool:
    """Birth dates of two records (or clusters) that may be one person's: one side has none, or some pair is
    compatible (equal, swapped, one digit apart)."""
    return not a or not b or any(dates_compatible(x, y) for x in a for y in b)


class _Dobs:
    """The birth dates of each cluster, for the name-based steps (built once the passport steps are done)."""

    def __init__(self, clusters: _Clusters, nodes: _Nodes) -> None:
        self.clusters = clusters
        self.sets: dict[int, set[str]] = defaultdict(set)
        for i, dob in enumerate(nodes.birth_date):
            if dob is not None:
                self.sets[clusters.find(i)].add(dob)

    def agree(self, i: int, j: int) -> bool:
        """Whether the clusters of rows ``i`` and ``j`` may hold one person's birth dates."""
        return dob_sets_agree(self.sets.get(self.clusters.find(i), set()),
                              self.sets.get(self.clusters.find(j), set()))

    def link(self, i: int, candidates: list[int], reason: str) -> None:
        """``link_unique`` when every candidate's cluster agrees with ``i``'s on birth dates; keep the sets."""
        if not candidates or not all(self.agree(i, j) for j in candidates):
            return
        before = {self.clusters.find(x) for x in (i, *candidates)}
        self.clusters.link_unique(i, candidates, reason)
        merged: set[str] = set().union(*(self.sets.pop(r, set()) for r in before))
        if merged:
            self.sets[self.clusters.find(i)] = merged


def _nationalities_agree(nodes: _Nodes, i: int, j: int) -> bool:
    a, b = nodes.nationality[i], nodes.nationality[j]
    return a is None or b is None or a == b


def _link_name_loose(clusters: _Clusters, nodes: _Nodes, dobs: _Dobs) -> None:
    """Passport-less rows join the one person of their name letters who was born in the same year (a swapped
    day and month, a one-digit typo) or works at the same company, where a nationality is missing on one side.

    Blocks: (name letters, birth year) and (name letters, company); a candidate must agree on nationality when
    both have one and on the birth date up to a swap or a typo. ``link_unique`` refuses when the candidates are
    more than one person (two passports, two known workers).
    """
    has_passport = nodes.has_passport
    named = np.flatnonzero(nodes.has_name)
    if not len(named):
        return
    blocks: list[tuple[np.ndarray, np.ndarray]] = []
    dated = named[nodes.birth_year_code[named] >= 0]
    blocks.append((group_codes(nodes.name_key_code[dated], nodes.birth_year_code[dated]), dated))
    for companies in (nodes.nib_code, nodes.company_code):
        placed = named[companies[named] >= 0]
        blocks.append((group_codes(nodes.name_key_code[placed], companies[placed]), placed))
    for codes, rows in blocks:
        wanted = np.zeros(int(codes.max(initial=-1)) + 1, dtype=bool)
        wanted[codes[~has_passport[rows] & (rows < nodes.n_current)]] = True
        keep = wanted[codes] if len(codes) else codes.astype(bool)
        for _, group in runs(codes[keep], rows[keep]):
            if len(group) < 2:
                continue
            for i in group:
                if has_passport[i] or i >= nodes.n_current:
                    continue
                candidates = [j for j in group if j != i and clusters.find(j) != clusters.find(i)
                              and _nationalities_agree(nodes, i, j)
                              and dates_compatible(nodes.birth_date[i], nodes.birth_date[j])]
                if candidates and len({clusters.find(j) for j in candidates}) == 1:
                    dobs.link(i, candidates, "name_loose")


def _link_unique_name(clusters: _Clusters, nodes: _Nodes, dobs: _Dobs) -> None:
    """A passport-less row of the period joins the one person of the month (and of the known workers) whose
    records carry its name letters, when nationality and birth date do not disagree.

    Kecamatan offices report names without documents; a name that only one person holds is that person. Where
    several people hold it, a namesake of another nationality is someone else, and the row's employer (or else
    its kecamatan) singles one out when every other namesake is known to be elsewhere. Otherwise the row stays
    on its own (a finding for the steward, never a guess).
    """
    named = np.flatnonzero(nodes.has_name)
    if not len(named):
        return
    codes = nodes.name_key_code[named]
    for _, group in runs(codes, named):
        if len(group) < 2:
            continue
        lone = [i for i in group if not nodes.has_passport[i] and i < nodes.n_current]
        if not lone:
            continue
        for i in lone:
            by_head: dict[int, list[int]] = defaultdict(list)
            for j in group:
                if clusters.find(j) != clusters.find(i):
                    by_head[clusters.find(j)].append(j)
            heads = [h for h, rows in by_head.items() if all(_nationalities_agree(nodes, i, j) for j in rows)]
            if len(heads) > 1:
                heads = _single_out(nodes, i, heads, by_head)
            if len(heads) != 1:
                continue
            others = by_head[heads[0]]
            mine = _companies(nodes, i)
            theirs = set().union(*(_companies(nodes, j) for j in others))
            if mine and theirs and not mine & theirs:
                continue  # another employer named: maybe another person of that name
            dobs.link(i, others, "name_unique")


_NAME_WORDS = re.compile(r"[^\W\d_]+")


def _link_name_subset(clusters: _Clusters, nodes: _Nodes, dobs: _Dobs) -> None:
    """A passport-less row whose name is another record's name with a middle name more or less ("THOMAS
    SCHMIDT" / "THOMAS EDWARD SCHMIDT") joins that one person at the same company.

    Blocks: the first and last words of the name (in either order); a candidate's words must contain the row's or
    be contained in them, nationality and birth date must not disagree, the company must be shared, and the
    candidates must be one person.
    """
    words: list[frozenset[str] | None] = [None] * nodes.n
    ends: list[str | None] = [None] * nodes.n
    for i in np.flatnonzero(nodes.has_name).tolist():
        found = _NAME_WORDS.findall(nodes.name[i] or "")
        if len(found) >= 2:
            words[i] = frozenset(found)
            ends[i] = " ".join(sorted((found[0], found[-1])))
    codes, _ = pd.factorize(np.array(ends, dtype=object))
    rows = np.flatnonzero(codes >= 0)
    for _, group in runs(codes[rows], rows):
        if len(group) < 2:
            continue
        for i in group:
            if nodes.has_passport[i] or i >= nodes.n_current:
                continue
            mine = _companies(nodes, i)
            if not mine:
                continue
            wi = words[i]
            here = [j for j in group if j != i and clusters.find(j) != clusters.find(i)
                    and mine & _companies(nodes, j) and _nationalities_agree(nodes, i, j)]
            if wi is None or any(words[j] == wi for j in here):
                continue  # someone else at the company bears the very name: the exact-name steps left it open
            candidates = [j for j in here if words[j] is not None and (wi < words[j] or words[j] < wi)  # type: ignore[operator]
                          and dates_compatible(nodes.birth_date[i], nodes.birth_date[j])]
            if candidates and len({clusters.find(j) for j in candidates}) == 1:
                dobs.link(i, candidates, "name_subset")


def _single_out(nodes: _Nodes, i: int, heads: list[int], by_head: dict[int, list[int]]) -> list[int]:
    """The one namesake cluster that shares row ``i``'s employer, or else its kecamatan, while each other one is
    known to work or live elsewhere; ``heads`` unchanged when there is no such one."""
    for facts in (lambda j: _companies(nodes, j), lambda j: set(nodes.kecamatan[j])):
        mine = facts(i)
        if not mine:
            continue
        known = {h: set().union(*(facts(j) for j in by_head[h])) for h in heads}
        sharing = [h for h in heads if known[h] & mine]
        if len(sharing) == 1 and all(known[h] for h in heads):
            return sharing
    return heads


def _link_name_company(clusters: _Clusters, nodes: _Nodes) -> None:
    """Rows with neither passport nor birth date join the one worker of their name at their company.

    A row's companies are its NIB and its company name (once if equal); blocks are (nationality, company,
    letters of the name), in the order a pass over the rows and their companies first meets them.
    """
    nib, company = nodes.nib_code, nodes.company_code
    first = np.where(nib >= 0, nib, company)
    second = np.where((nib >= 0) & (company >= 0) & (nib != company), company, -1)
    with_first = np.flatnonzero(nodes.has_name & (first >= 0))
    with_second = np.flatnonzero(nodes.has_name & (second >= 0))
    rows = np.concatenate([with_first, with_second])
    companies = np.concatenate([first[with_first], second[with_second]])
    order = np.lexsort((np.repeat([0, 1], [len(with_first), len(with_second)]), rows))
    rows, companies = rows[order], companies[order]
    if not len(rows):
        return
    groups = group_codes(nodes.nationality_code[rows], companies, nodes.name_key_code[rows])
    bare_rows = ~nodes.has_passport & ~nodes.has_birth_date
    wanted = np.zeros(int(groups.max()) + 1, dtype=bool)
    wanted[groups[bare_rows[rows]]] = True
    keep = wanted[groups]
    bare_list = bare_rows.tolist()
    for _, group in runs(groups[keep], rows[keep]):
        bare = [i for i in group if bare_list[i]]
        identified = [i for i in group if not bare_list[i]]
        heads = {clusters.find(i) for i in identified}
        if len(heads) > 1:
            continue  # two different people share the name at this company: leave the bare rows alone
        for i in bare:
            clusters.link_unique(i, [j for j in group if j != i], "name_company")


_NODE_COLUMNS = frozenset(
    {"record_key", "nationality", "passport_no", "birth_date", "name", "company_nib", "company_name",
     "kitas_no", "notifikasi_no", "rptka_no", "passport_expiry", "kecamatan_code", "file_sha256",
     "source_id"}
)


def impute_nationality(current: pd.DataFrame, known: pd.DataFrame) -> pd.DataFrame:
    """For matching only: a row without a nationality takes the one nationality its passport has elsewhere.

    An unknown spelling leaves ``nationality`` empty on the row; without this its passport would not meet the
    same passport of the other sources (passport blocks are per nationality).
    """
    if "nationality" not in current.columns or "passport_no" not in current.columns:
        return current
    from tka.match.names import clean_passport

    frames = [f[["passport_no", "nationality"]] for f in (current, known)
              if {"passport_no", "nationality"} <= set(f.columns) and len(f)]
    pairs = pd.concat(frames, ignore_index=True)
    # list[Any]: pandas' stubs take no None among the values of assign's list
    passport_keys: list[Any] = [clean_passport(v) for v in pairs["passport_no"].to_numpy(dtype=object)]
    pairs = pairs.assign(key=passport_keys)
    pairs = pairs[pairs["key"].notna() & pairs["nationality"].notna()].drop_duplicates(["key", "nationality"])
    single = pairs[~pairs["key"].duplicated(keep=False)].set_index("key")["nationality"]
    missing = current["nationality"].isna() & current["passport_no"].notna()
    if not missing.any() or single.empty:
        return current
    keys = pd.Series([clean_passport(v) for v in current.loc[missing, "passport_no"].to_numpy(dtype=object)],
                     index=current.index[missing])
    filled = keys.map(single)
    out = current.copy()
    out.loc[filled.index[filled.notna()], "nationality"] = filled[filled.notna()]
    return out


def resolve(rows: pd.DataFrame, known: pd.DataFrame | None, period: str, config: MatchConfig,
            registry: pd.DataFrame | None = None) -> pd.DataFrame:
    """Assign a worker id and match reason to every accepted worker row of ``period``.

    ``rows``: canonical frame rows of all sources (dependants and non-accepted rows are ignored).
    ``known``: workers first seen before ``period`` (worker_id, passport_no, nationality, name, birth_date,
    kitas_no, rptka_no, notifikasi_no, company_nib, company_name; several rows per worker allowed).
    ``registry``: the period's company registry rows (company_nib, company_name), so a row that names its employer
    by NIB and one that names it by name are known to share it.
    Returns columns record_key, worker_id, match_reason, sorted by record_key.
    """
    mask_rows = pd.Series(True, index=rows.index)
    if "person_kind" in rows.columns:
        mask_rows &= rows["person_kind"].fillna("worker") != "dependant"
    if "status" in rows.columns:
        mask_rows &= rows["status"].fillna("accepted") == "accepted"
    current = rows.loc[mask_rows, [c for c in rows.columns if c in _NODE_COLUMNS or c in config.renewal_keys]]
    if current.empty:
        return pd.DataFrame(columns=OUTPUT_COLUMNS)
    current = current.assign(_copy_of=copy_groups(rows.loc[mask_rows]))
    current = current.iloc[argsort_text(current["record_key"])]
    known = known if known is not None else pd.DataFrame(columns=["worker_id"])
    known = known.iloc[argsort_text(known["worker_id"])]
    current = impute_nationality(current, known)
    year, month = period.split("-")
    nodes = _Nodes(current, known, config.renewal_keys, dt.date(int(year), int(month), 1), registry)

    same_person = _SamePerson(config.name_threshold)
    passport_class, passport_edges = _passport_links(nodes, config, same_person)
    clusters = _Clusters(nodes, passport_class)
    _link_known(clusters, nodes)
    _link_exact_passports(clusters, nodes)
    for i, j, reason in passport_edges:
        clusters.union(i, j, reason)
    _link_name_dob(clusters, nodes, same_person)
    _link_name_company(clusters, nodes)
    dobs = _Dobs(clusters, nodes)
    _link_name_loose(clusters, nodes, dobs)
    _link_copies(clusters, current["_copy_of"].to_numpy())
    dobs = _Dobs(clusters, nodes)  # copies were linked without the dob sets: rebuild
    _link_unique_name(clusters, nodes, dobs)
    _link_name_subset(clusters, nodes, dobs)
    return _assign_ids(nodes, clusters, period)


def copy_groups(rows: pd.DataFrame) -> np.ndarray:
    """Per row, a group number shared by the rows of one file whose canonical fields are all equal (a row the
    agency listed twice: one person, ``duplicate_row``), -1 for a row listed once."""
    from tka.contract import FILE_SHA256, WORKER_FIELDS

    columns = [c for c in (FILE_SHA256, *WORKER_FIELDS) if c in rows.columns]
    if FILE_SHA256 not in columns or rows.empty:
        return np.full(len(rows), -1, dtype=np.int64)
    frame = rows[columns].astype(object).where(rows[columns].notna(), None)
    repeated = frame.duplicated(keep=False).to_numpy()
    out = np.full(len(rows), -1, dtype=np.int64)
    if repeated.any():
        keys = pd.Series([repr(tuple(r)) for r in frame.to_numpy(dtype=object)[repeated]], dtype=object)
        out[repeated] = pd.factorize(keys)[0]
    return out


def _link_copies(clusters: _Clusters, groups: np.ndarray) -> None:
    """Rows listed twice in one file are one person whatever else they hold (guarded like every union)."""
    rows = np.flatnonzero(groups >= 0)
    for _, members in runs(groups[rows], rows):
        clusters.union_all(members, "duplicate_row")


def _assign_ids(nodes: _Nodes, clusters: _Clusters, period: str) -> pd.DataFrame:
    """Worker ids: the known id of the cluster, else W + sha256(period + smallest record key)[:12]."""
    n_current = nodes.n_current
    heads = roots(np.array(clusters.parent, dtype=np.int64))[:n_current]
    labels, firsts = pd.factorize(heads)  # clusters in the order of their first row
    keys = nodes.record_key
    key_array = np.array(keys, dtype=object)
    # Rows are sorted by record key; with distinct keys that sort as text, a cluster's first row has its smallest.
    plain = bool(np.all(key_array[:-1] < key_array[1:]))
    if plain:
        _, first_rows = np.unique(labels, return_index=True)
        smallest = [keys[i] for i in first_rows.tolist()]
    else:
        best: dict[int, str] = {}
        for label, key in zip(labels.tolist(), keys, strict=True):
            if label not in best or key < best[label]:
                best[label] = key
        smallest = [best[label] for label in range(len(firsts))]
    worker_ids, is_known = [], []
    for root, first in zip(firsts.tolist(), smallest, strict=True):
        known_ids = clusters.known_of(root)
        is_known.append(bool(known_ids))
        worker_ids.append(
            next(iter(known_ids)) if known_ids else "W" + hashlib.sha256(f"{period}{first}".encode()).hexdigest()[:12]
        )
    reasons = np.array([r or "new" for r in clusters.reason[:n_current]], dtype=object)
    reasons = np.where(np.array(is_known, dtype=bool)[labels], "known:" + reasons, reasons)
    ids = np.array(worker_ids, dtype=object)[labels]
    order = slice(None) if plain else np.argsort(labels, kind="stable")
    result = pd.DataFrame(
        {"record_key": key_array[order].tolist(), "worker_id": ids[order].tolist(),
         "match_reason": reasons[order].tolist()}
    )
    if not plain:  # already in record-key order otherwise
        result = result.sort_values("record_key", ignore_index=True)
    log.info(
        "resolved %d rows of %s into %d workers (%d known)",
        n_current,
        period,
        len(firsts),
        sum(is_known),
    )
    return result
