"""The reader's shortcuts give exactly what the plain definitions give (random inputs against the originals)."""

from __future__ import annotations

import datetime as dt
import random

import pandas as pd

from tka.contract import record_key
from tka.read import SourcesConfig
from tka.read.headers import NO_INFO, _candidates, _Matcher, match_field
from tka.read.reader import _frame
from tka.read.rows import WORKER_COLUMNS, record_keys


def test_record_keys_match_record_key() -> None:
    rng = random.Random(3)
    for sheet in ("Agustus", "Sheet 1", "0", "a:b:10", ""):
        numbers = [rng.randrange(1, 10**6) for _ in range(50)] + [1, 10, 100]
        assert record_keys("ab" * 32, sheet, numbers) == [record_key("ab" * 32, sheet, r) for r in numbers]


def _texts(lookup: dict[str, str], rng: random.Random) -> list[str]:
    # Synonyms of the config cut at random places, with spacing, case, punctuation and brackets varied, so that
    # group + child pairs form real synonyms as well as near misses.
    synonyms = sorted(lookup)
    texts = ["", "-", "#", "No", "(1)", "[x]", "*", "Nomor", "Masa Berlaku", "PASPOR", "KITAS", "Tanggal"]
    for _ in range(400):
        key = rng.choice(synonyms)
        cut = rng.randrange(0, len(key) + 1)
        part = rng.choice([key[:cut], key[cut:], key])
        part = rng.choice([part, part.upper(), part.title(), f" {part}.", f"{part} (wajib)", f"*{part}", "- "])
        texts.append(part)
    return texts


def test_pair_fields_match_the_candidate_texts(config: SourcesConfig) -> None:
    lookup = config.header_lookup
    matcher = _Matcher(lookup)
    rng = random.Random(11)
    texts = _texts(lookup, rng)
    for _ in range(3000):
        group, child = rng.choice(texts), rng.choice(texts)
        if rng.random() < 0.1:
            child = group
        expected = next((f for _, t in _candidates(group, child) if (f := match_field(t, lookup))), None)
        info = [matcher.info(t) if t else NO_INFO for t in (group, child)]
        assert matcher.pair_fields([group], [child], [info[0]], [info[1]]) == [expected], (group, child)
        assert matcher.match(child) == match_field(child, lookup)


def test_frame_equals_a_frame_from_object_lists() -> None:
    values: list[object] = [None, "x", 1.0, 2, True, dt.date(2025, 8, 1), dt.datetime(2025, 8, 1, 10), "", (1, 2)]
    rng = random.Random(5)
    for n in (0, 1, 7, 40):
        columns = {c: [rng.choice(values) for _ in range(n)] for c in WORKER_COLUMNS}
        columns["row_number"] = list(range(1, n + 1))
        expected = pd.DataFrame(columns, dtype=object)
        expected["row_number"] = expected["row_number"].astype("int64")
        frame = _frame(columns)
        pd.testing.assert_frame_equal(frame, expected)
        for c in WORKER_COLUMNS:
            assert [type(v) for v in frame[c]] == [type(v) for v in expected[c]]
