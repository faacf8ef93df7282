"""Helper columns computed in pandas so that GX built-in expectations can express the contract's rules."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping

import numpy as np
import pandas as pd

from tka.contract import (
    DATE_FIELDS,
    FILE_SHA256,
    RECORD_KEY,
    REGISTRY_FIELDS,
    SOURCE_KIND,
    WORKER_FIELDS,
)
from tka.frames import where_or_none
from tka.validate.config import ValidationConfig

REQUIRED_PREFIX = "required__"
AGE_AT_PERIOD = "age_at_period"
RPTKA_LIMIT_END = "rptka_limit_end"
PERIOD_START = "period_start"
DUPLICATE_OF = "duplicate_of"
NO_IDENTITY = "no_identity"  # "x" where the row holds none of its source's identity fields (not a record)
PASSPORT_CHECK = "passport_check"

# A value that failed normalisation keeps its raw text here; such a field is reported by its own rule, so
# required_field must not fire on it too.
UNPARSED_COMPANION: dict[str, str] = {
    **{f: f"{f}_unparsed" for f in DATE_FIELDS},
    "nationality": "nationality_unknown",
    "kecamatan_code": "kecamatan_unknown",
}


def period_start(period: str) -> dt.date:
    """First day of a YYYY-MM period (``P0``)."""
    year, month = period.split("-")
    return dt.date(int(year), int(month), 1)


def canonical_fields(kind: str) -> tuple[str, ...]:
    """Canonical field names of a worker or registry row (what duplicate_row compares)."""
    return tuple(REGISTRY_FIELDS if kind == "registry" else WORKER_FIELDS)


def frame_columns(kind: str) -> tuple[str, ...]:
    """Every column a read frame of ``kind`` has per the contract."""
    from tka.read.rows import REGISTRY_COLUMNS, WORKER_COLUMNS

    return REGISTRY_COLUMNS if kind == "registry" else WORKER_COLUMNS


# Identifiers that belong to one person each (an RPTKA covers many workers, so it is not here).
PERSONAL_IDENTIFIERS: tuple[str, ...] = ("passport_no", "kitas_no", "notifikasi_no")
SHARED_SUFFIX = "_shared"
SHARED_MIN_PEOPLE = 3  # a number on rows of this many clearly different names is no person's number
SAME_NAME_SCORE = 80.0


def shared_identifiers(values: pd.Series, names: pd.Series, min_people: int = SHARED_MIN_PEOPLE) -> pd.Series:
    """"x" on every row whose identifier also stands on rows of ``min_people`` or more different people.

    A placeholder that no list knows ("SEDANG DIURUS", "PROSES 2025") shows itself this way: real people share
    a passport number only with themselves (the same worker reported by several sources).
    """
    from tka.match.names import clean_name, clean_passport, name_score

    out = np.full(len(values), None, dtype=object)
    keys = np.array([clean_passport(v) for v in values.to_numpy(dtype=object)], dtype=object)
    codes, _ = pd.factorize(keys)  # None -> -1
    sizes = np.bincount(codes[codes >= 0]) if (codes >= 0).any() else np.zeros(0, dtype=np.int64)
    busy = np.flatnonzero(sizes >= min_people)
    # the rows of each busy number at once (every number on several sources is busy: one pass, not one per number)
    rows = np.flatnonzero(np.isin(codes, busy))
    grouped = rows[np.argsort(codes[rows], kind="stable")]
    name_values = names.to_numpy(dtype=object)
    for where in np.split(grouped, np.flatnonzero(np.diff(codes[grouped])) + 1) if len(grouped) else []:
        people: list[str] = []
        for name in (clean_name(n) for n in name_values[where]):
            if name is not None and all(name_score(name, p) < SAME_NAME_SCORE for p in people):
                people.append(name)
        if len(people) >= min_people:
            out[where] = "x"
    return pd.Series(out, index=values.index, dtype=object)


def whole_years(born: dt.date, on: dt.date) -> int:
    """Completed years of age on ``on`` for someone born on ``born``."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb)."""
    year, month0 = divmod(day.month - 1 + months, 12)
    year += day.year
    if year > dt.MAXYEAR:
        return dt.date.max
    return dt.date(year, month0 + 1, min(day.day, calendar.monthrange(year, month0 + 1)[1]))


def duplicated_rows(frame: pd.DataFrame, subset: list[str], narrow: int = 3) -> pd.Series:
    """``frame.duplicated(subset, keep=False)``, checked first on the first ``narrow`` columns of ``subset``.

    Rows equal on every column of ``subset`` are equal on any of them, so only the (few) rows repeated on the
    first columns can be full duplicates; comparing all ~30 columns on those alone gives the same flags.
    """
    if len(subset) <= narrow:
        return frame.duplicated(subset, keep=False)
    involved = frame.duplicated(subset[:narrow], keep=False)
    if involved.any():
        involved[involved] = frame.loc[involved, subset].duplicated(keep=False)
    return involved


def add_helper_columns(rows: pd.DataFrame, kind: str, period: str, config: ValidationConfig,
                       headers: Mapping[str, Mapping[str, Mapping[str, str]]] | None = None) -> pd.DataFrame:
    """Copy ``rows`` (fresh RangeIndex, missing contract columns as None) and add the suites' helper columns.

    ``headers`` (file_sha256 -> sheet -> field -> header text), when given, says which sheets have a column: a
    field whose column a sheet lacks is reported once for the file (``column_missing``), not on every row.
    """
    # A new frame over the same column data: under pandas' copy-on-write adding columns never touches `rows`,
    # and a deep copy (plus block consolidation) of every column cost ~0.3 s and its memory on 200k rows.
    frame = rows.reset_index(drop=True)
    for column in frame_columns(kind):
        if column not in frame.columns:
            frame[column] = None
    p0 = period_start(period)

    # required__<field>: this row's source kind requires the field and no unparsed text explains its absence.
    needed = {f for k, fields in config.required.items() for f in fields
              if (k == "registry") == (kind == "registry")}
    for field in sorted(needed):
        kinds = [k for k, fields in config.required.items() if field in fields]
        flag = frame[SOURCE_KIND].isin(kinds)
        companion = UNPARSED_COMPANION.get(field)
        if companion is not None:
            flag &= frame[companion].isna()
        if f"{field}_placeholder" in frame.columns:  # a placeholder is reported as such, not also as missing
            flag &= frame[f"{field}_placeholder"].isna()
        if headers is not None:
            with_column = {(sha, sheet) for sha, sheets in headers.items() for sheet, cols in sheets.items()
                           if field in cols}
            flag &= pd.Series([(sha, sheet) in with_column for sha, sheet in
                               zip(frame[FILE_SHA256], frame["sheet"], strict=True)], index=frame.index)
        frame[REQUIRED_PREFIX + field] = flag.astype(bool)

    # no_identity: the row names nobody (no name, no document number, no NIB): not a record at all.
    no_identity = np.zeros(len(frame), dtype=bool)
    for source_kind, fields in config.identity.items():
        if not fields or (source_kind == "registry") != (kind == "registry"):
            continue
        in_kind = (frame[SOURCE_KIND] == source_kind).to_numpy(bool)
        present = np.zeros(len(frame), dtype=bool)
        for field in fields:
            if field in frame.columns:
                present |= frame[field].notna().to_numpy(bool)
        no_identity |= in_kind & ~present
    frame[NO_IDENTITY] = pd.Series(where_or_none(no_identity, "x"), index=frame.index, dtype=object)

    if kind != "registry":
        for field in PERSONAL_IDENTIFIERS:
            frame[field + SHARED_SUFFIX] = shared_identifiers(frame[field], frame["name"])
        # "<ISO3>:<passport>" for rows whose nationality has known patterns; the suite matches one regex.
        has_patterns = frame["nationality"].isin(list(config.passport_patterns)) & frame["passport_no"].notna()
        combined = (frame["nationality"].astype(object) + ":" + frame["passport_no"].astype(object)).to_numpy(object)
        frame[PASSPORT_CHECK] = pd.Series(where_or_none(has_patterns.to_numpy(bool), combined), index=frame.index,
                                          dtype=object)

        frame[AGE_AT_PERIOD] = pd.array(
            [whole_years(b, p0) if isinstance(b, dt.date) else None for b in frame["birth_date"]], dtype="Int64"
        )
        default = config.rptka_max_months.get("default", 24)
        frame[RPTKA_LIMIT_END] = pd.Series([
            add_months(s, config.rptka_max_months.get(t, default)) if isinstance(s, dt.date) else None
            for s, t in zip(frame["rptka_start"], frame["permit_type"], strict=True)
        ], index=frame.index, dtype=object)
        frame[PERIOD_START] = pd.Series([p0] * len(frame), index=frame.index, dtype=object)

    # duplicate_of: record_key of the first earlier row of the same file with identical canonical fields.
    subset = [FILE_SHA256, *canonical_fields(kind)]
    duplicate_of = np.full(len(frame), None, dtype=object)
    involved = duplicated_rows(frame, subset)
    if involved.any():
        candidates = frame.loc[involved, subset].astype(object)
        later = candidates.duplicated(keep="first")
        group = candidates.groupby(subset, dropna=False, sort=False).ngroup()
        first_key = frame.loc[involved, RECORD_KEY].groupby(group).transform("first")
        duplicate_of[later.index[later.to_numpy()]] = first_key[later].to_numpy(object)
    frame[DUPLICATE_OF] = pd.Series(duplicate_of, index=frame.index, dtype=object)
    return frame
