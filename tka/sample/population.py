"""The true world behind a sample drive: companies, foreign workers with their permits, and dependants.

Everything is drawn from one seeded ``random.Random``; no wall clock, no set iteration, so the same seed gives
the same population. Names are unique per nationality (by their letters, so a swapped or re-spaced name still
points at one person), and passport numbers are unique, which keeps matching decidable.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import string
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from tka.sample import pools

# Scale parameters: registry size, workers, shares. ``kukar`` gives ~45 files / ~3,000 rows.
SCALES: dict[str, dict[str, float]] = {
    "kukar": {"registry": 80, "outsiders": 4, "workers": 1000, "must_report": 0.75, "sends": 0.45,
              "employing": 0.85, "dependants": 0.1, "second_employer": 0.03},
    "national": {"registry": 3000, "outsiders": 40, "workers": 80000, "must_report": 0.8, "sends": 0.42,
                 "employing": 0.9, "dependants": 0.1, "second_employer": 0.03},
}
SIMILAR_NAME_SCORE = 85  # two persons of one nationality and birth date must differ more than this


@dataclass
class Company:
    """A company: registry facts and whether it reports this month."""

    nib: str
    core: str  # name without the legal form
    kbli: str
    kecamatan_code: str
    village: str
    in_registry: bool
    must_report: bool
    sends_report: bool = False
    report_late: bool = False
    registry_error: bool = False  # its registry row carries an injected error (it has no TKA, see build)

    @property
    def name(self) -> str:
        """Canonical "PT NAME" form."""
        return f"PT {self.core}"


@dataclass
class Employment:
    """One employer of a worker with that employer's own RPTKA and Notifikasi (PP 34/2021 art. 6)."""

    nib: str
    rptka_no: str
    rptka_start: dt.date
    rptka_end: dt.date
    permit_type: str  # baru | perpanjangan | jangka_pendek
    notifikasi_no: str
    notifikasi_start: dt.date
    notifikasi_end: dt.date
    work_kecamatan: str
    work_village: str


@dataclass
class Person:
    """A foreign worker (``W…``) or a dependant (``D…``) as the truth knows them."""

    pid: str
    kind: str  # worker | dependant
    tokens: list[str]
    native: str | None
    nationality: str
    sex: str  # L | P
    birth_date: dt.date
    birth_place: str
    passport: str
    passport_expiry: dt.date
    kitas_no: str
    kitas_start: dt.date
    kitas_end: dt.date
    domicile: str  # kecamatan code
    village: str
    position: str = ""
    employments: list[Employment] = field(default_factory=list)
    relation: str | None = None  # dependants: Istri / Suami / Anak
    sponsor_of: str | None = None  # dependants: the worker's pid
    old_passport: str | None = None  # set when the passport was renewed (one source still has the old one)

    @property
    def name(self) -> str:
        """Canonical name: the tokens joined by single spaces."""
        return " ".join(self.tokens)

    @property
    def company_nibs(self) -> list[str]:
        """NIBs of the employers, primary first."""
        return [e.nib for e in self.employments]


@dataclass
class Population:
    """Companies (registry ones first) and persons (workers, then dependants) of one period."""

    period_start: dt.date
    companies: list[Company]
    persons: list[Person]

    def company(self, nib: str) -> Company:
        """The company with ``nib``."""
        return self._by_nib[nib]

    def __post_init__(self) -> None:
        self._by_nib = {c.nib: c for c in self.companies}


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus calendar months, clamped to the month's end."""
    import calendar

    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def _name_key(tokens: list[str]) -> str:
    return "".join(sorted("".join(tokens)))


class _NameBook:
    """Guarantees decidable names: unique letters per nationality, dissimilar within (nationality, birth date)."""

    def __init__(self) -> None:
        self.keys: set[tuple[str, str]] = set()
        self.by_birth: dict[tuple[str, dt.date], list[str]] = defaultdict(list)

    def take(self, nationality: str, tokens: list[str], born: dt.date) -> bool:
        key = (nationality, _name_key(tokens))
        if key in self.keys:
            return False
        name = " ".join(tokens)
        bucket = self.by_birth[(nationality, born)]
        if bucket and process.extractOne(name, bucket, scorer=fuzz.token_sort_ratio,
                                         score_cutoff=SIMILAR_NAME_SCORE):
            return False
        self.keys.add(key)
        bucket.append(name)
        return True


MAX_PLAIN_ATTEMPTS = 25


def _unique_name(rng: random.Random, names: _NameBook, nationality: str, male: bool, born: dt.date,
                 family: str | None = None) -> tuple[list[str], str | None]:
    """A name not yet taken; small pools (e.g. THA at national scale) get a second given name when exhausted."""
    attempts = 0
    while True:
        tokens, native = pools.person_name(rng, nationality, male)
        if family is not None:
            tokens = [family, *tokens[1:]]
        attempts += 1
        # Each further round of attempts inserts one more given name (either sex's pool), so it always ends.
        for _ in range(attempts // MAX_PLAIN_ATTEMPTS):
            extra, _native = pools.person_name(rng, nationality, rng.random() < 0.5)
            tokens = [*tokens[:-1], extra[-1 if nationality in ("CHN", "KOR", "JPN", "VNM") else 0], tokens[-1]]
            native = None
        if names.take(nationality, tokens, born):
            return tokens, native


def _unique(rng: random.Random, make: object, taken: set[str]) -> str:
    while True:
        value = make()  # type: ignore[operator]
        if value not in taken:
            taken.add(value)
            return value


def _nib(rng: random.Random) -> str:
    return rng.choice("89") + "1" + "".join(rng.choice(string.digits) for _ in range(11))


def build_companies(rng: random.Random, scale: dict[str, float]) -> list[Company]:
    """Registry companies then employers missing from the registry; names distinct enough for fuzzy matching."""
    companies: list[Company] = []
    nibs: set[str] = set()
    cores: list[str] = []
    total = int(scale["registry"]) + int(scale["outsiders"])
    while len(companies) < total:
        kbli = pools.weighted(rng, pools.KBLI_WEIGHTS)
        core = pools.company_name(rng, kbli)
        if cores and process.extractOne(core, cores, scorer=fuzz.token_sort_ratio, score_cutoff=88):
            continue
        cores.append(core)
        kec = pools.weighted(rng, pools.KECAMATAN_WEIGHTS)
        in_registry = len(companies) < scale["registry"]
        must = in_registry and rng.random() < scale["must_report"]
        companies.append(Company(_unique(rng, lambda: _nib(rng), nibs), core, kbli, kec,
                                 rng.choice(pools.VILLAGES[kec]), in_registry, must))
    return companies


def _roman(month: int) -> str:
    return pools.ROMAN_MONTHS[month - 1]


def _employment(rng: random.Random, company: Company, p0: dt.date, serials: set[str]) -> Employment:
    permit_type = pools.weighted(rng, (("baru", 45), ("perpanjangan", 45), ("jangka_pendek", 10)))
    if permit_type == "jangka_pendek":
        months = rng.choice((3, 4, 6))
        start = p0 - dt.timedelta(days=rng.randint(5, 28 * (months - 1)))
    else:
        months = rng.choice((12, 24, 24))
        start = p0 - dt.timedelta(days=rng.randint(20, 30 * (months - 2)))
    end = add_months(start, months) - dt.timedelta(days=1)
    # The offices' 5-6 digit serial ranges hold ~290,000 numbers; a drive larger than national x1 (over 200,000
    # serials drawn) moves on to 7 digits instead of looping for a free one. Smaller drives are unchanged.
    wide = len(serials) > 200_000
    serial = _unique(rng, lambda: str(rng.randint(1_000_000, 9_999_999) if wide else rng.randint(10_000, 199_999)),
                     serials)
    notif_serial = _unique(rng, lambda: str(rng.randint(1_000_000, 9_999_999) if wide
                                            else rng.randint(100_000, 299_999)), serials)
    notif_start = start + dt.timedelta(days=rng.randint(3, 14))
    notif_start = min(notif_start, p0 - dt.timedelta(days=1))
    return Employment(
        company.nib, f"B.3/{serial}/PK.04.00/{_roman(start.month)}/{start.year}", start, end, permit_type,
        f"B.3/{notif_serial}/PK.04.01/{_roman(notif_start.month)}/{notif_start.year}", notif_start, end,
        company.kecamatan_code, company.village)


def _kitas(rng: random.Random, taken: set[str]) -> str:
    def make() -> str:
        digits = "".join(rng.choice(string.digits) for _ in range(7))
        letters = "".join(rng.choice(string.ascii_uppercase) for _ in range(2))
        return f"2{rng.choice('CD')}{digits}{letters}{rng.randint(1, 9)}-{rng.choice(string.ascii_uppercase)}"
    return _unique(rng, make, taken)


def _birth(rng: random.Random, p0: dt.date, min_age: int, max_age: int) -> dt.date:
    # Strictly inside [min_age, max_age] at P0 so age_out_of_range never fires by accident.
    latest = dt.date(p0.year - min_age - 1, p0.month, 1)
    earliest = dt.date(p0.year - max_age, p0.month, 2)
    return earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))


def build_population(rng: random.Random, scale_name: str, p0: dt.date, size: float = 1.0) -> Population:
    """Companies, workers (with employments and permits) and dependants of one period.

    ``size`` multiplies the scale's registry, outsiders and workers (benchmarks measure growth with it).
    """
    scale = dict(SCALES[scale_name])
    if size != 1.0:
        for key in ("registry", "outsiders", "workers"):
            scale[key] = max(1, round(scale[key] * size))
    companies = build_companies(rng, scale)
    employers = [c for c in companies if (c.must_report and rng.random() < scale["employing"]) or not c.in_registry]
    # Company size is skewed: a few big coal contractors, many small employers.
    weights = list(itertools.accumulate(
        rng.paretovariate(1.3) * (3 if c.kbli in ("05100", "09900") else 1) for c in employers))
    principals = [c for c in employers if c.kbli in ("05100", "05101")]
    names = _NameBook()
    passports: set[str] = set()
    kitas_nos: set[str] = set()
    serials: set[str] = set()
    persons: list[Person] = []
    for index in range(int(scale["workers"])):
        company = rng.choices(employers, cum_weights=weights)[0]
        nationality = pools.weighted(rng, pools.NATIONALITY_WEIGHTS)
        male = rng.random() < 0.86
        born = _birth(rng, p0, 22, 62)
        tokens, native = _unique_name(rng, names, nationality, male, born)
        passport = _unique(rng, lambda nat=nationality: pools.passport_number(rng, nat), passports)
        employment = _employment(rng, company, p0, serials)
        kitas_start = max(employment.notifikasi_start + dt.timedelta(days=rng.randint(10, 30)),
                          p0 - dt.timedelta(days=rng.randint(20, 330)))
        kitas_start = min(kitas_start, p0 - dt.timedelta(days=1))
        kitas_end = add_months(kitas_start, 12) - dt.timedelta(days=1)
        positions = pools.POSITIONS_BY_KBLI.get(company.kbli)
        position = rng.choice(positions) if positions else pools.weighted(rng, pools.POSITIONS)
        # Most live near the site; some in the regency seat or another kecamatan.
        domicile = company.kecamatan_code if rng.random() < 0.8 else pools.weighted(rng, pools.KECAMATAN_WEIGHTS)
        person = Person(
            f"W{index + 1:05d}", "worker", tokens, native, nationality, "L" if male else "P", born,
            rng.choice(pools.BIRTH_PLACES[nationality]), passport,
            add_months(p0, rng.randint(24, 96)) + dt.timedelta(days=rng.randint(0, 27)),
            _kitas(rng, kitas_nos), kitas_start, kitas_end, domicile, rng.choice(pools.VILLAGES[domicile]),
            position, [employment])
        if company.kbli == "09900" and principals and rng.random() < scale["second_employer"] * 8:
            person.employments.append(_employment(rng, rng.choice(principals), p0, serials))
        persons.append(person)
    persons.extend(_dependants(rng, persons, scale, p0, names, passports, kitas_nos))
    return Population(p0, companies, persons)


def _age(born: dt.date, on: dt.date) -> int:
    """Completed years of age on ``on``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _child_birth(rng: random.Random, p0: dt.date, max_age: int) -> dt.date:
    """A child's birth date: from a few weeks before P0 (an infant) up to ``max_age`` whole years at P0."""
    earliest = dt.date(p0.year - max_age - 1, p0.month, 2)  # max_age years and 364 days at P0
    latest = p0 - dt.timedelta(days=30)
    return earliest + dt.timedelta(days=rng.randint(0, (latest - earliest).days))


CHILD_MAX_AGE = 21  # children on a dependant KITAS: infants to young adults still in education
PARENT_MIN_AGE_GAP = 20  # a worker's child is at least this many years younger than the worker


def _dependants(rng: random.Random, workers: list[Person], scale: dict[str, float], p0: dt.date,
                names: _NameBook, passports: set[str], kitas_nos: set[str]) -> list[Person]:
    """Spouses and children of some workers, all on a dependant KITAS sponsored through the worker.

    Children range from infants to 21-year-olds: the age rule (17-80) is for workers only, so a child's row
    is not an error. A child is at least ``PARENT_MIN_AGE_GAP`` years younger than the worker.
    """
    out: list[Person] = []
    for worker in workers:
        if rng.random() >= scale["dependants"]:
            continue
        relations = ["Istri" if worker.sex == "L" else "Suami"]
        child_max = min(CHILD_MAX_AGE, _age(worker.birth_date, p0) - PARENT_MIN_AGE_GAP)
        if child_max >= 1 and rng.random() < 0.45:
            relations += ["Anak"] * rng.choice((1, 1, 2, 3))
        for relation in relations:
            male = relation == "Suami" or (relation == "Anak" and rng.random() < 0.5)
            born = _child_birth(rng, p0, child_max) if relation == "Anak" else _birth(rng, p0, 24, 58)
            family = worker.tokens[0] if relation == "Anak" and worker.nationality in ("CHN", "KOR", "JPN", "VNM") \
                else None  # the family name comes first and is shared
            tokens, native = _unique_name(rng, names, worker.nationality, male, born, family)
            start = worker.kitas_start + dt.timedelta(days=rng.randint(0, 20))
            start = max(start, born + dt.timedelta(days=14))  # a newborn's KITAS starts after the birth
            start = min(start, p0 - dt.timedelta(days=1))
            out.append(Person(
                f"D{len(out) + 1:05d}", "dependant", tokens, native, worker.nationality, "L" if male else "P", born,
                rng.choice(pools.BIRTH_PLACES[worker.nationality]),
                _unique(rng, lambda nat=worker.nationality: pools.passport_number(rng, nat), passports),
                add_months(p0, rng.randint(24, 96)), _kitas(rng, kitas_nos), start,
                add_months(start, 12) - dt.timedelta(days=1), worker.domicile, worker.village,
                relation=relation, sponsor_of=worker.pid, employments=[worker.employments[0]]))
    return out
