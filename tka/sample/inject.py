"""Row errors injected on purpose (a few per rule), a renewed passport, and the matchability guard.

Each person gets at most one injected row, so the rest of their rows stay clean partners for matching. After
injection every row's rules are computed from its canonical values; then rows that no correct matcher could
tie to the rest of their person (e.g. a bare kecamatan row naming another company) are left out of the file.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from tka.sample import pools
from tka.sample.population import Population, add_months
from tka.sample.rules import RuleContext, row_rules
from tka.sample.views import FileSpec, Row, SheetSpec

# Injected rows per rule in a kukar drive (national: times ``factor``).
INJECTIONS: dict[str, int] = {
    "required_field": 3, "passport_format": 3, "nationality_unknown": 2, "kecamatan_unknown": 2,
    "date_unparsed": 3, "age_out_of_range": 2, "permit_end_before_start": 2, "rptka_too_long": 2,
    "permit_expired": 3, "nib_format": 2, "duplicate_row": 3, "kbli_unknown": 2,
}
REGISTRY_INJECTIONS: dict[str, int] = {"required_field": 1, "nib_format": 1, "kecamatan_unknown": 1,
                                       "duplicate_row": 1, "kbli_unknown": 2}
RENEWALS = 2


@dataclass
class Slot:
    """Where a row sits: its file and sheet."""

    file: FileSpec
    sheet: SheetSpec
    row: Row


def slots(files: list[FileSpec]) -> list[Slot]:
    """Every row of every file, in file order."""
    return [Slot(f, s, r) for f in files for s in f.sheets for r in s.rows]


# Letters typed for the digits they look like (the matcher's look-alike table in config/survivorship.yaml).
_LOOKALIKE_LETTERS = {"0": "O", "1": "I", "5": "S", "8": "B", "2": "Z", "6": "G"}


def _typo(rng: random.Random, passport: str) -> str:
    """A look-alike (0->O, 1->I) or a dropped character.

    An all-digit number (GBR, USA) never loses a digit: the reader pads a digit string one or two digits short
    with the leading zeros a number cell drops, so the typo would vanish. It gets a look-alike letter instead.
    """
    if passport.isdigit():
        positions = [i for i, ch in enumerate(passport) if ch in _LOOKALIKE_LETTERS and i > 0]
        if not positions:
            return passport + "X"
        i = rng.choice(positions)
        return passport[:i] + _LOOKALIKE_LETTERS[passport[i]] + passport[i + 1:]
    for _ in range(20):
        positions = [i for i, ch in enumerate(passport) if ch in "01" and i > 0]
        if positions and rng.random() < 0.6:
            i = rng.choice(positions)
            return passport[:i] + {"0": "O", "1": "I"}[passport[i]] + passport[i + 1:]
        i = rng.randrange(1, len(passport))
        candidate = passport[:i] + passport[i + 1:]
        if candidate != passport:
            return candidate
    return passport + "X"


def inject(rng: random.Random, files: list[FileSpec], population: Population, ctx: RuleContext,
           factor: int = 1) -> dict[str, int]:
    """Inject row errors; return how many of each were placed."""
    all_slots = slots(files)
    used: set[str] = set()
    placed: dict[str, int] = defaultdict(int)
    p0 = population.period_start

    def pick(predicate, count: int):
        pool = [s for s in all_slots if s.row.injected is None and s.row.kind != "company"
                and (s.row.person_id not in used) and predicate(s)]
        chosen = rng.sample(pool, min(count, len(pool)))
        for s in chosen:
            used.add(s.row.person_id)  # type: ignore[arg-type]
        return chosen

    def has(s: Slot, *fields: str) -> bool:
        return all(s.row.values.get(f) is not None for f in fields)

    def worker(s: Slot) -> bool:
        return s.row.kind == "worker"

    # required_field: one blank required cell
    for s, field in zip(pick(lambda s: s.file.source_kind == "imigrasi" and worker(s) and has(s, "passport_no"),
                             factor), ["passport_no"] * factor, strict=False):
        _blank(s.row, field, "required_field")
    for s in pick(lambda s: s.file.source_kind == "disnakertrans" and has(s, "position"), factor):
        _blank(s.row, "position", "required_field")
    for s in pick(lambda s: s.file.source_kind == "kecamatan" and has(s, "nationality"), factor):
        _blank(s.row, "nationality", "required_field")
    # passport_format: a typo where another clean row of the person has passport and birth date
    partners = _partner_persons(all_slots)
    for s in pick(lambda s: worker(s) and has(s, "passport_no", "birth_date") and s.row.person_id in partners
                  and s.row.values.get("nationality") in ctx.passport_patterns, 3 * factor):
        typo = _typo(rng, str(s.row.values["passport_no"]))
        s.row.values["passport_no"] = s.row.cells["passport_no"] = typo
        s.row.injected = "passport_format"
    for s in pick(lambda s: s.file.source_kind in ("kecamatan", "imigrasi") and has(s, "nationality"), 2 * factor):
        raw = rng.choice(pools.UNKNOWN_NATIONALITIES)
        s.row.values.pop("nationality")
        s.row.values["nationality_unknown"] = s.row.cells["nationality"] = raw
        s.row.injected = "nationality_unknown"
    for s in pick(lambda s: s.file.source_kind == "disnakertrans" and has(s, "kecamatan_code"), factor):
        raw = rng.choice(pools.OUTSIDE_KECAMATAN)
        s.row.values.pop("kecamatan_code")
        s.row.values["kecamatan_unknown"] = s.row.cells["kecamatan"] = raw
        s.row.injected = "kecamatan_unknown"
    # date_unparsed: impossible calendar dates typed as text
    for s in pick(lambda s: has(s, "birth_date") and "birth_date" in _dedicated(s), factor):
        dropped = s.row.values.pop("birth_date")
        raw = f"31 Pebruari {dropped.year}"
        s.row.values["birth_date_unparsed"] = s.row.cells["birth_date"] = raw
        s.row.injected = "date_unparsed"
    for field in ("kitas_end", "notifikasi_start"):
        for s in pick(lambda s, f=field: has(s, f) and f in _dedicated(s), factor):
            day = s.row.values.pop(field)
            raw = f"31/02/{day.year}" if field == "kitas_end" else f"30-02-{day.year}"
            s.row.values[f"{field}_unparsed"] = s.row.cells[field] = raw
            s.row.injected = "date_unparsed"
    # age_out_of_range: a year typo in a worker's birth date (dependants may be of any age)
    for index, s in enumerate(pick(lambda s: worker(s) and has(s, "birth_date") and "birth_date" in _dedicated(s),
                                   2 * factor)):
        born: dt.date = s.row.values["birth_date"]
        year = p0.year - rng.randint(6, 12) if index % 2 == 0 else p0.year - rng.randint(85, 95)
        s.row.values["birth_date"] = s.row.cells["birth_date"] = born.replace(year=year, day=min(born.day, 28))
        s.row.injected = "age_out_of_range"
    # permit_end_before_start: the end typed a year early (it is then also before the period: permit_expired)
    for s in pick(lambda s: has(s, "kitas_start", "kitas_end") and "kitas_end" in _dedicated(s), factor):
        start: dt.date = s.row.values["kitas_start"]
        s.row.values["kitas_end"] = s.row.cells["kitas_end"] = add_months(start, -1)
        s.row.injected = "permit_end_before_start"
    for s in pick(lambda s: has(s, "notifikasi_start", "notifikasi_end", "rptka_end"), factor):
        start = s.row.values["notifikasi_start"]
        s.row.values["notifikasi_end"] = s.row.cells["notifikasi_end"] = start - dt.timedelta(days=30)
        s.row.injected = "permit_end_before_start"
    # rptka_too_long: 30 months (or 12 for jangka pendek)
    for s in pick(lambda s: has(s, "rptka_start", "rptka_end") and "rptka_end" in _dedicated(s), 2 * factor):
        start = s.row.values["rptka_start"]
        months = 12 if s.row.values.get("permit_type") == "jangka_pendek" else 30
        s.row.values["rptka_end"] = s.row.cells["rptka_end"] = add_months(start, months)
        s.row.injected = "rptka_too_long"
    # permit_expired: an old KITAS / Notifikasi still reported
    for s in pick(lambda s: has(s, "kitas_start", "kitas_end") and "kitas_end" in _dedicated(s)
                  and s.row.values["kitas_start"] < p0 - dt.timedelta(days=45), 2 * factor):
        s.row.values["kitas_end"] = s.row.cells["kitas_end"] = p0 - dt.timedelta(days=rng.randint(3, 40))
        s.row.injected = "permit_expired"
    for s in pick(lambda s: has(s, "notifikasi_start", "notifikasi_end", "rptka_end")
                  and s.row.values["notifikasi_start"] < p0 - dt.timedelta(days=45), factor):
        s.row.values["notifikasi_end"] = s.row.cells["notifikasi_end"] = p0 - dt.timedelta(days=rng.randint(3, 40))
        s.row.injected = "permit_expired"
    for s in pick(lambda s: s.file.source_kind == "disnakertrans" and has(s, "company_nib"), 2 * factor):
        nib = str(s.row.values["company_nib"])
        bad = nib[:-1] if rng.random() < 0.5 else nib[:7] + "O" + nib[8:]
        s.row.values["company_nib"] = s.row.cells["company_nib"] = bad
        s.row.injected = "nib_format"
    for s in pick(lambda s: s.file.source_kind in ("kecamatan", "disnakertrans", "company"), 3 * factor):
        _duplicate(s)
    _inject_registry(rng, files, population, factor)
    for s in slots(files):
        if s.row.injected:
            placed[s.row.injected] += 1
    return dict(placed)


def _dedicated(s: Slot) -> set[str]:
    """Date fields that have their own column in the sheet (not inside a combined cell)."""
    return {c.field for c in s.sheet.columns}


def _blank(row: Row, field: str, rule: str) -> None:
    row.values.pop(field, None)
    row.cells[field] = "-"
    row.injected = rule


def _duplicate(s: Slot) -> None:
    """Copy the row right below itself (an exact duplicate: same cells)."""
    copy = Row(s.row.person_id, s.row.kind, dict(s.row.values), dict(s.row.cells), "duplicate_row",
               duplicate_of=s.row, group=s.row.group)
    rows = s.sheet.rows
    rows.insert(rows.index(s.row) + 1, copy)
    s.row.injected = "duplicate_source"  # the original: clean, but not a target for other injections


def _partner_persons(all_slots: list[Slot]) -> set[str]:
    """Persons with rows in two files that both carry passport and birth date."""
    files_by_person: dict[str, set[str]] = defaultdict(set)
    for s in all_slots:
        if s.row.kind == "worker" and s.row.values.get("passport_no") and s.row.values.get("birth_date"):
            files_by_person[s.row.person_id].add(s.file.path)  # type: ignore[index]
    return {p for p, paths in files_by_person.items() if len(paths) >= 2}


def _inject_registry(rng: random.Random, files: list[FileSpec], population: Population, factor: int) -> None:
    """Registry errors only on companies without TKA this month (no evidence, no report, "Tidak")."""
    registry = next(f for f in files if f.source_kind == "registry")
    sheet = registry.sheets[0]
    quiet = [r for r in sheet.rows if not population.company(str(r.values["company_nib"])).must_report]
    chosen = rng.sample(quiet, min(len(quiet), sum(REGISTRY_INJECTIONS.values()) * factor))
    for row, rule in zip(chosen, [r for r, n in REGISTRY_INJECTIONS.items() for _ in range(n * factor)], strict=False):
        population.company(str(row.values["company_nib"])).registry_error = True
        if rule == "required_field":
            row.values.pop("kecamatan_code")
            row.cells["kecamatan"] = "-"
        elif rule == "nib_format":
            row.values["company_nib"] = row.cells["company_nib"] = str(row.values["company_nib"])[:12]
        elif rule == "kecamatan_unknown":
            row.values.pop("kecamatan_code")
            row.values["kecamatan_unknown"] = row.cells["kecamatan"] = rng.choice(pools.OUTSIDE_KECAMATAN)
        elif rule == "kbli_unknown":
            row.values["kbli"] = row.cells["kbli"] = rng.choice(pools.UNKNOWN_KBLI)
        elif rule == "duplicate_row":
            _duplicate(Slot(registry, sheet, row))
            continue
        row.injected = rule


def renew_passports(rng: random.Random, files: list[FileSpec], population: Population, count: int,
                    taken: set[str]) -> list[str]:
    """Give ``count`` workers a renewed passport: Imigrasi and kecamatan print the new one, others the old one.

    Only workers whose clean Imigrasi and company rows share the KITAS number and birth date (the link a matcher
    can use) are chosen. Returns their person ids.
    """
    by_person: dict[str, list[Slot]] = defaultdict(list)
    for s in slots(files):
        if s.row.kind == "worker":
            by_person[s.row.person_id].append(s)  # type: ignore[index]
    persons = {p.pid: p for p in population.persons}
    eligible = []
    for pid in sorted(by_person):
        rows = by_person[pid]
        if any(s.row.injected for s in rows):
            continue
        imi = [s for s in rows if s.file.source_kind == "imigrasi" and s.row.values.get("birth_date")]
        comp = [s for s in rows if s.file.source_kind == "company" and s.row.values.get("birth_date")
                and s.row.values.get("kitas_no") and s.row.values.get("passport_no")]
        if imi and comp:
            eligible.append(pid)
    chosen = rng.sample(eligible, min(count, len(eligible)))
    for pid in chosen:
        person = persons[pid]
        old = person.passport
        while True:
            new = pools.passport_number(rng, person.nationality)
            if new not in taken:
                taken.add(new)
                break
        person.old_passport, person.passport = old, new
        for s in by_person[pid]:
            if s.file.source_kind in ("imigrasi", "kecamatan") and s.row.values.get("passport_no"):
                s.row.values["passport_no"] = new
                s.row.cells.pop("passport_no", None)
            s.row.injected = s.row.injected or None
    return sorted(chosen)


def compute_rules(files: list[FileSpec], ctx: RuleContext) -> None:
    """Set every row's rules from its canonical values (a duplicate adds duplicate_row to its original's)."""
    for f in files:
        required_kind = f.source_kind
        for sheet in f.sheets:
            for row in sheet.rows:
                values = {k: v for k, v in row.values.items() if not k.startswith("_")}
                for key, value in f.defaults.items():
                    if values.get(key) is None and not (key == "kecamatan_code" and "kecamatan_unknown" in values):
                        values[key] = value
                row.rules = row_rules(values, required_kind, ctx)
                if row.duplicate_of is not None:
                    row.rules = sorted([*row.rules, "duplicate_row"])


def _near(a: str, b: str) -> bool:
    return Levenshtein.distance(a, b, score_cutoff=1) <= 1


def drop_unmatchable(files: list[FileSpec]) -> int:
    """Leave out accepted worker rows that a correct matcher could not tie to the rest of their person."""
    by_person: dict[str, list[Slot]] = defaultdict(list)
    for s in slots(files):
        if s.row.kind == "worker" and not s.row.rejected:
            by_person[s.row.person_id].append(s)  # type: ignore[index]
    dropped = 0
    for pid in sorted(by_person):
        rows = by_person[pid]
        keep = _main_component(rows)
        for s in rows:
            if s not in keep:
                s.sheet.rows.remove(s.row)
                dropped += 1
                for other in list(s.sheet.rows):  # its duplicate goes with it
                    if other.duplicate_of is s.row:
                        s.sheet.rows.remove(other)
    return dropped


def _main_component(rows: list[Slot]) -> list[Slot]:
    """The rows a matcher joins with the person's best-identified row (passport/birth-date links, then names)."""
    n = len(rows)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    vals = [s.row.values for s in rows]
    for i, j in itertools.combinations(range(n), 2):
        a, b = vals[i], vals[j]
        if a.get("nationality") is None or a.get("nationality") != b.get("nationality"):
            continue
        pa, pb, da, db = a.get("passport_no"), b.get("passport_no"), a.get("birth_date"), b.get("birth_date")
        same_ids = any(a.get(k) and a.get(k) == b.get(k) for k in ("kitas_no", "notifikasi_no", "rptka_no"))
        if (pa and pa == pb) or (pa and pb and da and da == db and (_near(str(pa), str(pb)) or same_ids)) \
                or (da and da == db and (not pa or not pb)):
            parent[find(i)] = find(j)
    # name + company: a bare row joins when the identified rows naming that company are one cluster
    for i in range(n):
        a = vals[i]
        if a.get("passport_no") or a.get("birth_date") or a.get("nationality") is None:
            continue
        companies = {a.get("company_name"), a.get("company_nib")} - {None}
        group = [j for j in range(n) if j != i and vals[j].get("nationality") == a.get("nationality")
                 and companies & ({vals[j].get("company_name"), vals[j].get("company_nib")} - {None})]
        identified = {find(j) for j in group if vals[j].get("passport_no") or vals[j].get("birth_date")}
        if len(identified) <= 1:
            for j in group:
                parent[find(i)] = find(j)
    components: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        components[find(i)].append(i)
    best = max(components.values(), key=lambda c: (sum(1 for i in c if vals[i].get("passport_no")), len(c), -c[0]))
    return [rows[i] for i in best]
