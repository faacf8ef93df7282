"""Entity resolution on tiny frames: every match reason, the guards, stable ids across months."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pandas as pd

from tka.match import load_config, resolve

CFG = load_config()
DOB = dt.date(1985, 3, 2)
PERIOD = "2025-08"


def row(
    key: str,
    *,
    kind: str = "imigrasi",
    passport: str | None = None,
    nat: str = "CHN",
    name: str = "GAO XUEFENG",
    dob: dt.date | None = DOB,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "record_key": key,
        "source_kind": kind,
        "passport_no": passport,
        "nationality": nat,
        "name": name,
        "birth_date": dob,
        "person_kind": "worker",
        "status": "accepted",
        **extra,
    }


def new_id(period: str, first_key: str) -> str:
    return "W" + hashlib.sha256(f"{period}{first_key}".encode()).hexdigest()[:12]


def run(*rows: dict[str, Any], known: pd.DataFrame | None = None) -> list[tuple[str, str, str]]:
    result = resolve(pd.DataFrame(list(rows)), known, PERIOD, CFG)
    return list(result.itertuples(index=False, name=None))


def test_exact_passport_and_nationality() -> None:
    assert run(
        row("a:1", passport="E12345678"),
        row("b:1", kind="company", passport="e1234-5678", name="GAO XUEFENG", dob=None),
    ) == [("a:1", new_id(PERIOD, "a:1"), "passport"), ("b:1", new_id(PERIOD, "a:1"), "passport")]


def test_same_passport_other_nationality_is_another_worker() -> None:
    assert run(row("a:1", passport="123456789", nat="USA"), row("b:1", passport="123456789", nat="GBR")) == [
        ("a:1", new_id(PERIOD, "a:1"), "new"),
        ("b:1", new_id(PERIOD, "b:1"), "new"),
    ]


def test_passport_typo_needs_name_and_birth_date() -> None:
    lookalike = run(row("a:1", passport="EA1234567"), row("b:1", passport="EA12345G7", name="XUEFENG GAO"))
    assert lookalike == [
        ("a:1", new_id(PERIOD, "a:1"), "passport_typo"),
        ("b:1", new_id(PERIOD, "a:1"), "passport_typo"),
    ]
    missing_letter = run(row("a:1", passport="E12345678"), row("b:1", passport="E1234568"))
    assert {r[2] for r in missing_letter} == {"passport_typo"}
    other_dob = run(
        row("a:1", passport="E12345678"), row("b:1", passport="E12345679", dob=dt.date(1985, 3, 3))
    )
    assert [r[2] for r in other_dob] == ["new", "new"]
    other_name = run(row("a:1", passport="E12345678"), row("b:1", passport="E12345679", name="LI WEI"))
    assert [r[2] for r in other_name] == ["new", "new"]


def test_name_dob_is_order_and_spacing_insensitive() -> None:
    result = run(
        row("a:1", passport="E12345678"),
        row("k:1", kind="kecamatan", name="XUE FENG GAO"),
        row("k:2", kind="kecamatan", name="GAO XUEFENG"),
    )
    assert result == [
        ("a:1", new_id(PERIOD, "a:1"), "name_dob"),
        ("k:1", new_id(PERIOD, "a:1"), "name_dob"),
        ("k:2", new_id(PERIOD, "a:1"), "name_dob"),
    ]
    assert [
        r[2] for r in run(row("a:1", passport="E12345678"), row("k:1", name="GAO XUEFENG", nat="TWN"))
    ] == ["new", "new"]


def test_name_company_needs_a_unique_candidate() -> None:
    company = {"company_nib": "1234567890123", "company_name": "PT ALPHA"}
    result = run(
        row("a:1", passport="E12345678", **company),
        row("k:1", kind="kecamatan", name="XUEFENG GAO", dob=None, company_name="PT ALPHA"),
    )
    assert result == [
        ("a:1", new_id(PERIOD, "a:1"), "name_company"),
        ("k:1", new_id(PERIOD, "a:1"), "name_company"),
    ]
    # Two different passport holders of that name at the company: the bare row stays on its own.
    ambiguous = run(
        row("a:1", passport="E12345678", **company),
        row("b:1", passport="E87654321", dob=dt.date(1990, 1, 1), **company),
        row("k:1", kind="kecamatan", name="GAO XUEFENG", dob=None, company_name="PT ALPHA"),
    )
    assert [r[2] for r in ambiguous] == ["new", "new", "new"]
    other_company = run(
        row("a:1", passport="E12345678", **company),
        row("k:1", kind="kecamatan", dob=None, company_name="PT BETA"),
    )
    assert [r[2] for r in other_company] == ["new", "new"]


def test_renewed_passport_linked_by_kitas_number() -> None:
    result = run(
        row("a:1", passport="E12345678", kitas_no="2D4564511LA8-B"),
        row("b:1", kind="disnakertrans", passport="EB7654321", kitas_no="2D4564511LA8B"),
    )
    assert result == [
        ("a:1", new_id(PERIOD, "a:1"), "renewed_passport"),
        ("b:1", new_id(PERIOD, "a:1"), "renewed_passport"),
    ]
    other_name = run(
        row("a:1", passport="E12345678", kitas_no="K1"),
        row("b:1", passport="EB7654321", kitas_no="K1", name="LI WEI"),
    )
    assert [r[2] for r in other_name] == ["new", "new"]


def test_blank_passports_alone_never_merge() -> None:
    result = run(
        row("a:1", name="LI WEI", dob=None),
        row("b:1", name="WANG FANG", dob=None),
        row("c:1", name="ZHANG WEI", dob=DOB),
    )
    assert [r[2] for r in result] == ["new", "new", "new"]
    assert len({r[1] for r in result}) == 3


def test_passportless_row_cannot_chain_two_passport_holders() -> None:
    result = run(
        row("a:1", passport="E12345678"),
        row("b:1", passport="E99999999"),
        row("k:1", kind="kecamatan", name="GAO XUEFENG"),
    )
    assert result == [
        ("a:1", new_id(PERIOD, "a:1"), "new"),
        ("b:1", new_id(PERIOD, "b:1"), "new"),
        ("k:1", new_id(PERIOD, "k:1"), "new"),
    ]


def test_dependants_and_rejected_rows_are_not_resolved() -> None:
    result = run(
        row("a:1", passport="E12345678"),
        row("d:1", passport="E12345678", person_kind="dependant"),
        row("r:1", passport="E12345678", status="rejected"),
    )
    assert result == [("a:1", new_id(PERIOD, "a:1"), "new")]


def test_known_workers_keep_their_ids() -> None:
    known = pd.DataFrame(
        [
            {
                "worker_id": "W000000000001",
                "passport_no": "E12345678",
                "nationality": "CHN",
                "name": "GAO XUEFENG",
                "birth_date": DOB,
                "kitas_no": "K1",
                "rptka_no": None,
                "notifikasi_no": None,
                "company_nib": "1234567890123",
                "company_name": "PT ALPHA",
            },
            {
                "worker_id": "W000000000002",
                "passport_no": "M12345678",
                "nationality": "KOR",
                "name": "KIM MINJUN",
                "birth_date": dt.date(1979, 5, 1),
                "kitas_no": None,
                "rptka_no": None,
                "notifikasi_no": None,
                "company_nib": None,
                "company_name": "PT BETA",
            },
        ]
    )
    result = run(
        row("a:1", passport="E12345678"),
        row("b:1", passport="EC7654321", kitas_no="K1"),
        row("c:1", passport="M12345679", nat="KOR", name="KIM MIN JUN", dob=dt.date(1979, 5, 1)),
        row("k:1", kind="kecamatan", name="MINJUN KIM", nat="KOR", dob=None, company_name="PT BETA"),
        row("n:1", passport="E55555555", name="LI WEI"),
        known=known,
    )
    assert result == [
        ("a:1", "W000000000001", "known:passport"),
        ("b:1", "W000000000001", "known:renewed_passport"),
        ("c:1", "W000000000002", "known:passport_typo"),
        ("k:1", "W000000000002", "known:name_company"),
        ("n:1", new_id(PERIOD, "n:1"), "new"),
    ]


def test_two_known_workers_are_never_merged() -> None:
    known = pd.DataFrame(
        [
            {
                "worker_id": "W000000000001",
                "passport_no": None,
                "nationality": "CHN",
                "name": "GAO XUEFENG",
                "birth_date": DOB,
            },
            {
                "worker_id": "W000000000002",
                "passport_no": None,
                "nationality": "CHN",
                "name": "GAO XUEFENG",
                "birth_date": DOB,
            },
        ]
    )
    assert [r[1:] for r in run(row("k:1", kind="kecamatan"), known=known)] == [(new_id(PERIOD, "k:1"), "new")]


def test_ids_are_deterministic_and_independent_of_row_order() -> None:
    rows = [row("b:1", passport="E12345678"), row("a:1", passport="E12345678"), row("c:1", name="LI WEI")]
    first = resolve(pd.DataFrame(rows), None, PERIOD, CFG)
    second = resolve(pd.DataFrame(rows[::-1]), None, PERIOD, CFG)
    pd.testing.assert_frame_equal(first, second)
    assert first["worker_id"].tolist() == [new_id(PERIOD, "a:1")] * 2 + [new_id(PERIOD, "c:1")]
    assert resolve(pd.DataFrame(columns=["record_key"]), None, PERIOD, CFG).columns.tolist() == [
        "record_key",
        "worker_id",
        "match_reason",
    ]


# --- matching that survives one bad field (issue 13) --------------------------------------------------------
def test_a_row_whose_nationality_was_unreadable_still_meets_its_passport() -> None:
    a = new_id(PERIOD, "a:1")
    assert run(row("a:1", passport="E12345678"), row("b:1", kind="kecamatan", passport="E12345678", nat=None)) == [
        ("a:1", a, "passport"), ("b:1", a, "passport")]


def test_a_renewed_passport_without_a_shared_number_links_with_the_same_company() -> None:
    a = new_id(PERIOD, "a:1")
    assert run(row("a:1", passport="E12345678", company_nib="1234567890123"),
               row("b:1", kind="company", passport="EA7654321", company_nib="1234567890123")) == [
        ("a:1", a, "renewed_passport"), ("b:1", a, "renewed_passport")]


def test_a_renewed_passport_links_when_the_old_one_had_expired() -> None:
    a = new_id(PERIOD, "a:1")
    assert run(row("a:1", passport="E12345678", passport_expiry=dt.date(2025, 5, 1)),
               row("b:1", kind="disnakertrans", passport="EA7654321", passport_expiry=dt.date(2035, 5, 1))) == [
        ("a:1", a, "renewed_passport"), ("b:1", a, "renewed_passport")]


def test_namesakes_born_the_same_day_with_two_valid_passports_stay_two_people() -> None:
    assert run(row("a:1", passport="E12345678", company_nib="1111111111111"),
               row("b:1", passport="EA7654321", company_nib="2222222222222")) == [
        ("a:1", new_id(PERIOD, "a:1"), "new"), ("b:1", new_id(PERIOD, "b:1"), "new")]


def test_a_swapped_day_and_month_does_not_split_a_person_without_passport() -> None:
    a = new_id(PERIOD, "a:1")
    assert run(row("a:1", passport="E12345678", dob=dt.date(1985, 3, 2)),
               row("b:1", kind="kecamatan", dob=dt.date(1985, 2, 3), nat=None)) == [
        ("a:1", a, "name_loose"), ("b:1", a, "name_loose")]


def test_a_loose_link_is_refused_when_the_name_fits_two_people() -> None:
    assert run(row("a:1", passport="E12345678", dob=dt.date(1985, 3, 2)),
               row("a:2", passport="E87654321", dob=dt.date(1985, 2, 13)),
               row("b:1", kind="kecamatan", dob=dt.date(1985, 2, 3), nat=None)) == [
        ("a:1", new_id(PERIOD, "a:1"), "new"), ("a:2", new_id(PERIOD, "a:2"), "new"),
        ("b:1", new_id(PERIOD, "b:1"), "new")]


def test_dates_compatible() -> None:
    from tka.match.resolve import dates_compatible

    assert dates_compatible("1985-03-02", "1985-02-03") and dates_compatible("1985-03-02", "1985-03-07")
    assert dates_compatible(None, "1985-03-02")
    assert not dates_compatible("1985-03-02", "1986-04-02") and not dates_compatible("1985-03-02", "1958-03-02")


def test_a_row_listed_twice_in_one_file_is_one_person_even_with_only_a_name() -> None:
    a = new_id(PERIOD, "k:7")
    twice = {"kind": "kecamatan", "dob": None, "nat": None, "file_sha256": "f" * 64}
    assert run(row("k:7", **twice), row("k:8", **twice), row("k:9", **{**twice, "file_sha256": "e" * 64})) == [
        ("k:7", a, "duplicate_row"), ("k:8", a, "duplicate_row"), ("k:9", a, "name_unique")]


def test_a_name_only_row_joins_the_one_person_of_that_name_unless_two_hold_it() -> None:
    a = new_id(PERIOD, "a:1")
    assert run(row("a:1", passport="E12345678"), row("k:1", kind="kecamatan", dob=None, name="XUEFENG, GAO")) == [
        ("a:1", a, "name_unique"), ("k:1", a, "name_unique")]
    two = run(row("a:1", passport="E12345678"), row("b:1", passport="E87654321", dob=dt.date(1990, 1, 1)),
              row("k:1", kind="kecamatan", dob=None))
    assert [r[2] for r in two] == ["new", "new", "new"]


REGISTRY = pd.DataFrame([
    {"company_nib": "1234567890123", "company_name": "PT Etam Nusantara Konstruksi", "kecamatan_code": "64.02.16"},
    {"company_nib": "2222222222222", "company_name": "PT Kutai Mandiri Batubara", "kecamatan_code": "64.02.02"},
])


def run_with_registry(*rows: dict[str, Any]) -> list[tuple[str, str, str]]:
    return list(resolve(pd.DataFrame(list(rows)), None, PERIOD, CFG, REGISTRY).itertuples(index=False, name=None))


def test_the_registry_says_a_nib_and_a_company_name_are_one_employer() -> None:
    # the company's own file gives only its NIB, Imigrasi only the name: without the registry they share nothing
    a = new_id(PERIOD, "a:1")
    rows = (row("a:1", passport="E12345678", company_name="P.T. ETAM NUSANTARA KONSTRUKSI"),
            row("b:1", kind="company", passport="EA7654321", company_nib="1234567890123"))
    assert run_with_registry(*rows) == [("a:1", a, "renewed_passport"), ("b:1", a, "renewed_passport")]
    assert [r[2] for r in run(*rows)] == ["new", "new"]


def test_a_name_only_row_joins_the_namesake_at_its_company_when_the_other_works_elsewhere() -> None:
    a = new_id(PERIOD, "a:1")
    assert run_with_registry(
        row("a:1", passport="E12345678", company_nib="1234567890123"),
        row("b:1", passport="E87654321", dob=dt.date(1990, 1, 1), company_name="PT Kutai Mandiri Batubara"),
        row("k:1", kind="kecamatan", dob=None, company_name="Etam Nusantara Konstruksi")) == [
        ("a:1", a, "name_company"), ("b:1", new_id(PERIOD, "b:1"), "new"), ("k:1", a, "name_company")]
    # with a birth date the row is not bare: the name + company block of the loose step links it
    assert run_with_registry(
        row("a:1", passport="E12345678", company_nib="1234567890123", dob=None),
        row("b:1", passport="E87654321", dob=dt.date(1990, 1, 1), company_name="PT Kutai Mandiri Batubara"),
        row("k:1", kind="kecamatan", dob=dt.date(1985, 3, 20), company_name="Etam Nusantara Konstruksi")) == [
        ("a:1", a, "name_loose"), ("b:1", new_id(PERIOD, "b:1"), "new"), ("k:1", a, "name_loose")]


def test_a_name_only_row_joins_the_namesake_of_its_kecamatan_when_the_other_lives_elsewhere() -> None:
    b = new_id(PERIOD, "b:1")
    assert run_with_registry(
        row("a:1", passport="E12345678", company_nib="1234567890123"),       # 64.02.16 by the registry
        row("b:1", passport="E87654321", dob=dt.date(1990, 1, 1), kecamatan_code="64.02.02"),
        row("k:1", kind="kecamatan", dob=None, kecamatan_code="64.02.02")) == [
        ("a:1", new_id(PERIOD, "a:1"), "new"), ("b:1", b, "name_unique"), ("k:1", b, "name_unique")]


def test_a_namesake_whose_whereabouts_are_unknown_keeps_the_row_apart() -> None:
    # b's kecamatan is unknown: b may live in 64.02.02 too, so the kecamatan does not single out a
    assert [r[2] for r in run_with_registry(
        row("a:1", passport="E12345678", kecamatan_code="64.02.02"),
        row("b:1", passport="E87654321", dob=dt.date(1990, 1, 1)),
        row("k:1", kind="kecamatan", dob=None, kecamatan_code="64.02.02"))] == ["new", "new", "new"]


def test_a_namesake_of_another_nationality_is_someone_else() -> None:
    a = new_id(PERIOD, "a:1")
    assert run(row("a:1", passport="E12345678"), row("b:1", passport="K87654321", nat="SGP"),
               row("k:1", kind="kecamatan", dob=None)) == [
        ("a:1", a, "name_unique"), ("b:1", new_id(PERIOD, "b:1"), "new"), ("k:1", a, "name_unique")]


def test_a_renewal_without_birth_date_links_only_when_two_passports_carry_the_name() -> None:
    a = new_id(PERIOD, "a:1")
    x, y = "1111111111111", "2222222222222"
    assert run(row("a:1", passport="E12345678", company_nib=x),
               row("b:1", kind="company", passport="EA7654321", dob=None, company_nib=x)) == [
        ("a:1", a, "renewed_passport"), ("b:1", a, "renewed_passport")]
    # a third passport of the name this month, even at another company: a namesake at this one is too likely
    assert [r[2] for r in run(row("a:1", passport="E12345678", company_nib=x),
                              row("b:1", kind="company", passport="EA7654321", dob=None, company_nib=x),
                              row("c:1", passport="EB1111111", dob=dt.date(1970, 1, 1), company_nib=y))] == [
        "new", "new", "new"]


def test_two_passports_of_one_name_in_one_file_are_two_people() -> None:
    # the Disnakertrans list names both, one row each: no renewal, however well the rest fits
    nib = "1111111111111"
    rows = (row("a:1", kind="disnakertrans", passport="TK1241477", dob=None, company_nib=nib, file_sha256="d" * 64),
            row("a:2", kind="disnakertrans", passport="MZ9238786", dob=None, company_nib=nib, file_sha256="d" * 64),
            row("b:1", passport="MZ9238786", company_nib=nib, file_sha256="e" * 64))
    assert [r[2] for r in run(*rows)] == ["new", "passport", "passport"]
    # two KITAS numbers say the same
    assert [r[2] for r in run(row("a:1", passport="E12345678", company_nib=nib, kitas_no="2C11AAAAAAA-A"),
                              row("b:1", kind="company", passport="EA7654321", dob=None, company_nib=nib,
                                  kitas_no="2C22BBBBBBB-B"))] == ["new", "new"]


def test_a_passport_typo_links_when_one_nationality_was_unreadable() -> None:
    a = new_id(PERIOD, "a:1")
    assert run(row("a:1", passport="EL8236987"), row("b:1", kind="imigrasi", passport="EL826987", nat=None)) == [
        ("a:1", a, "passport_typo"), ("b:1", a, "passport_typo")]
    # two nationalities that disagree stay two people
    assert [r[2] for r in run(row("a:1", passport="EL8236987"),
                              row("b:1", kind="imigrasi", passport="EL826987", nat="SGP"))] == ["new", "new"]


def test_a_renewal_with_the_same_birth_date_links_within_one_kecamatan() -> None:
    a = new_id(PERIOD, "a:1")
    assert run(row("a:1", kind="disnakertrans", passport="EG7763137", kecamatan_code="64.02.13"),
               row("b:1", kind="company", passport="E04215784", kecamatan_code="64.02.13")) == [
        ("a:1", a, "renewed_passport"), ("b:1", a, "renewed_passport")]
    assert [r[2] for r in run(row("a:1", kind="disnakertrans", passport="EG7763137", kecamatan_code="64.02.13"),
                              row("b:1", kind="company", passport="E04215784", kecamatan_code="64.02.02"))] == [
        "new", "new"]
