"""The baseline: the plain pandas script a data analyst would write for one month of agency files.

    python bench/plain_script.py DRIVE_DIR PERIOD WAREHOUSE_URL [--evaluate OUT.json]

It does what such a script does and nothing more: ``pandas.read_excel(engine="openpyxl")`` per workbook
(pandas' default engines for .xls/.ods, ``read_csv`` for .csv), a header search, one rename map built from the
same synonyms the pipeline uses (so header recognition is not the difference), ``concat``, ``drop_duplicates``
on the passport column and ``to_sql``. A file it cannot read is skipped with a printed message, as an analyst's
``try/except: continue`` would. ``--evaluate`` writes each kept row's (file, sheet, row, passport) after the
timed work, for the benchmark's quality figures.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa
import yaml

CONFIG = Path(__file__).resolve().parents[1] / "config" / "sources.yaml"
WORKER_FOLDERS = ("disnakertrans", "imigrasi", "kecamatan", "perusahaan")


def norm(value: object) -> str:
    """Header text with case, punctuation and spaces removed."""
    return re.sub(r"[^a-z0-9]", "", str(value).lower())


RENAME = {norm(s): field for field, synonyms in yaml.safe_load(CONFIG.read_text())["synonyms"].items()
          for s in synonyms}


def read_any(path: Path) -> dict[str, pd.DataFrame]:
    """Every sheet of a file, without a header."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        for encoding in ("utf-8-sig", "utf-16", "cp1252"):
            try:
                return {path.stem: pd.read_csv(path, header=None, sep=None, engine="python", encoding=encoding,
                                           dtype=str)}
            except (UnicodeError, pd.errors.ParserError):
                continue
        raise ValueError("unknown encoding")
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(path, sheet_name=None, header=None, engine="openpyxl")
    return pd.read_excel(path, sheet_name=None, header=None)


def header_row(raw: pd.DataFrame) -> int | None:
    """The first-15 row whose cells name the most known columns (at least three)."""
    best, hits_best = None, 2
    for i in range(min(15, len(raw))):
        hits = sum(norm(v) in RENAME for v in raw.iloc[i] if pd.notna(v))
        if hits > hits_best:
            best, hits_best = i, hits
    return best


def run(drive: Path, period: str, url: str) -> pd.DataFrame:
    """Read, rename, concat, drop duplicate passports, write the warehouse table; return the kept rows."""
    frames = []
    for folder in WORKER_FOLDERS:
        for path in sorted((drive / period / folder).glob("*")):
            try:
                sheets = read_any(path)
            except Exception as exc:  # noqa: BLE001 - the analyst's "skip what does not open"
                print(f"skip {path.name}: {type(exc).__name__}")
                continue
            for sheet, raw in sheets.items():
                h = header_row(raw)
                if h is None:
                    continue
                data = raw.iloc[h + 1:].copy()
                data.columns = [RENAME.get(norm(c), str(c)) for c in raw.iloc[h]]
                data = data.loc[:, ~data.columns.duplicated()]
                if "name" not in data.columns:
                    continue
                data = data[data["name"].notna()]
                data["_file"] = str(path.relative_to(drive))
                data["_sheet"] = str(sheet)
                data["_row"] = data.index + 1
                frames.append(data)
    rows = pd.concat(frames, ignore_index=True)
    rows["passport_no"] = rows["passport_no"].astype("string").str.strip().str.upper()
    workers = rows.drop_duplicates(subset=["passport_no"])
    engine = sa.create_engine(url)
    workers.astype("string").to_sql("tka_worker", engine, if_exists="replace", index=False, chunksize=10_000)
    engine.dispose()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drive", type=Path)
    parser.add_argument("period")
    parser.add_argument("url")
    parser.add_argument("--evaluate", type=Path)
    args = parser.parse_args()
    rows = run(args.drive, args.period, args.url)
    done = time.time()
    if args.evaluate:
        keep = rows[["_file", "_sheet", "_row", "passport_no"]].astype(object)
        keep = keep.where(keep.notna(), None)
        args.evaluate.write_text(json.dumps({"done_at": done, "rows": keep.values.tolist()}))


if __name__ == "__main__":
    main()
