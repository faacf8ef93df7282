"""The true population: decidable names, unique passports, permits valid at the period, sane ages."""

from __future__ import annotations

import datetime as dt
import random
import re

from tka.sample import pools
from tka.sample.config import reference
from tka.sample.population import build_population
from tka.sample.rules import whole_years
from tka.sample.views import normalized_name, printed_name

P0 = dt.date(2025, 8, 1)


def test_population_is_reproducible_and_consistent():
    first = build_population(random.Random(3), "kukar", P0)
    second = build_population(random.Random(3), "kukar", P0)
    assert [(p.pid, p.name, p.passport) for p in first.persons] == [(p.pid, p.name, p.passport) for p in second.persons]
    workers = [p for p in first.persons if p.kind == "worker"]
    assert len(workers) == 1000
    assert len({p.passport for p in first.persons}) == len(first.persons)
    keys = {(p.nationality, "".join(sorted(p.name.replace(" ", "")))) for p in first.persons}
    assert len(keys) == len(first.persons)
    patterns = reference()["passport_patterns"]
    for person in first.persons:
        if person.nationality in patterns:
            assert any(re.match(p, person.passport) for p in patterns[person.nationality]), person.passport
        assert person.kitas_start < P0 <= person.kitas_end
        assert (person.kitas_end - person.kitas_start).days < 366
        for job in person.employments:
            assert job.rptka_start < P0 <= job.rptka_end and job.notifikasi_start <= P0
            assert re.match(r"^B\.3/\d{5,6}/PK\.04\.00/[IVX]+/\d{4}$", job.rptka_no)
    assert all(22 <= whole_years(p.birth_date, P0) <= 62 for p in workers)
    assert 0.75 < sum(p.sex == "L" for p in workers) / len(workers) < 0.95
    assert max({n: sum(p.nationality == n for p in workers) for n in pools.NATIONALITY_SPELLINGS}.items(),
               key=lambda kv: kv[1])[0] == "CHN"
    assert {len(c.nib) for c in first.companies} == {13}
    assert any(not c.in_registry for c in first.companies)


def test_dependants_are_spouses_and_children_of_any_age_younger_than_their_worker():
    population = build_population(random.Random(3), "kukar", P0)
    persons = {p.pid: p for p in population.persons}
    dependants = [p for p in population.persons if p.kind == "dependant"]
    children = [p for p in dependants if p.relation == "Anak"]
    assert {p.relation for p in dependants} >= {"Istri", "Anak"}
    ages = [whole_years(p.birth_date, P0) for p in children]
    assert min(ages) == 0 and max(ages) <= 21 and sum(age < 17 for age in ages) > len(ages) / 2
    for child in children:
        parent = persons[child.sponsor_of]
        assert whole_years(parent.birth_date, P0) - whole_years(child.birth_date, P0) >= 20
        assert child.birth_date < child.kitas_start < P0 <= child.kitas_end
        assert child.nationality == parent.nationality
    spouses = [p for p in dependants if p.relation != "Anak"]
    assert all(24 <= whole_years(p.birth_date, P0) <= 58 for p in spouses)


def test_printed_names_keep_the_letters():
    rng = random.Random(1)
    population = build_population(random.Random(2), "kukar", P0)
    for person in population.persons[:300]:
        printed = printed_name(rng, person, 1.0)
        assert sorted(normalized_name(printed).replace(" ", "")) == sorted(person.name.replace(" ", ""))
