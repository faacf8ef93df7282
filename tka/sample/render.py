"""Print planned files: every canonical value becomes a cell in the file's style, junk rows go around the table.

The printed form always normalises back to the canonical value (dates as date cells, serials, "05/08/2025",
"5 Agustus 2025", "05 Agt 2025"; nationality synonyms; passports with spaces or dashes; company-name forms),
except the cells fixed in ``Row.cells`` (injected errors), which are printed as they are.
"""

from __future__ import annotations

import datetime as dt
import random

from tka.sample import pools
from tka.sample.config import reference
from tka.sample.views import FileSpec, Row, SheetSpec
from tka.sample.writers import (
    BookPlan,
    Serial,
    SheetPlan,
    csv_bytes,
    ods_bytes,
    serial_of,
    xls_bytes,
    xlsx_bytes,
)

DATE_FIELDS = frozenset({"passport_expiry", "birth_date", "rptka_start", "rptka_end", "notifikasi_start",
                         "notifikasi_end", "kitas_start", "kitas_end"})
PERMIT_LABELS = {"baru": "Baru", "perpanjangan": "Perpanjangan", "jangka_pendek": "Jangka Pendek"}
SEX_LABELS = {"L": ("L", "Laki-laki", "LK"), "P": ("P", "Perempuan", "PR")}


def dmy(day: dt.date, sep: str = "-") -> str:
    """Day-first numeric date text."""
    return f"{day.day:02d}{sep}{day.month:02d}{sep}{day.year}"


def date_text(rng: random.Random, day: dt.date) -> str:
    """A day-first text date in one of the agencies' habits."""
    kind = rng.random()
    if kind < 0.35:
        return dmy(day, "/")
    if kind < 0.55:
        return dmy(day, "-")
    if kind < 0.8:
        return f"{day.day} {pools.MONTHS_ID[day.month - 1]} {day.year}"
    return f"{day.day:02d} {pools.MONTHS_ID_SHORT[day.month - 1]} {day.year}"


class Printer:
    """Renders the cells of one file according to its style."""

    def __init__(self, spec: FileSpec, rng: random.Random) -> None:
        self.spec, self.rng = spec, rng
        self.style = spec.style
        self.text_only = spec.fmt == "csv"
        self.date1904 = bool(self.style.get("date1904"))
        self.kecamatan = reference()["kecamatan"]
        self.splits = reference().get("kecamatan_split", {})

    def date(self, day: dt.date) -> object:
        mode = "text_dmy" if self.text_only else str(self.style.get("dates", "date"))
        rng = self.rng
        if mode == "mostly_date":
            mode = "serial" if rng.random() < 0.1 else "date"
        elif mode == "mixed":
            mode = rng.choice(("date", "date", "serial", "text_dmy", "text_id"))
        if mode == "date":
            return day
        if mode == "serial":
            return Serial(serial_of(day, self.date1904))
        if mode == "text_dmy":
            return dmy(day, rng.choice("/-"))
        return date_text(rng, day)

    def cell(self, field: str, row: Row) -> object:
        if field in row.cells:
            value = row.cells[field]
            if isinstance(value, dt.date) and field in DATE_FIELDS:
                return self.date(value)
            return value
        v = row.values
        rng = self.rng
        if field in DATE_FIELDS:
            day = v.get(field)
            return self.date(day) if isinstance(day, dt.date) else None
        if field == "passport_no":
            return self.passport(v.get("passport_no"))  # type: ignore[arg-type]
        if field == "nationality":
            nat = v.get("nationality")
            return rng.choice(pools.NATIONALITY_SPELLINGS[str(nat)]) if nat else None
        if field == "sex":
            return rng.choice(SEX_LABELS[str(v["sex"])][: 1 if self.spec.source_kind == "imigrasi" else 2]) \
                if v.get("sex") else None
        if field == "birth_place_date":
            born = v.get("birth_date")
            return f"{v.get('birth_place')}, {dmy(born, rng.choice('-/'))}" if born else None  # type: ignore[arg-type]
        if field == "rptka_range":
            start, end = v.get("rptka_start"), v.get("rptka_end")
            return f"{dmy(start)} s/d {dmy(end)}" if start and end else None  # type: ignore[arg-type]
        if field == "kecamatan":
            return self.kecamatan_text(v)
        if field == "company_name":
            return v.get("company_name")
        if field == "company_nib":
            nib = v.get("company_nib")
            if nib is None:
                return "-"
            numeric = not self.text_only and rng.random() < float(self.style.get("nib_numbers", 0))  # type: ignore[arg-type]
            return int(str(nib)) if numeric else nib
        if field == "permit_type":
            return PERMIT_LABELS.get(str(v.get("permit_type")))
        if field == "person_kind":
            return "TKA" if v.get("person_kind") == "worker" else "Keluarga"
        if field == "note":
            return rng.choice((None, "-", "Aktif", None))
        if field == "kbli":
            kbli = str(v.get("kbli"))
            return int(kbli) if not self.text_only and rng.random() < 0.3 else kbli
        if field == "sector":
            return reference()["kbli"].get(str(v.get("kbli")), "-")
        if field == "must_report":
            return "Ya" if v.get("must_report") else "Tidak"
        value = v.get(field)
        return value if value is not None else None

    def passport(self, number: str | None) -> object:
        if number is None:
            return None
        rng = self.rng
        if (self.style.get("passport_numbers") and number.isdigit() and not self.text_only
                and number.lstrip("0") and len(number) - len(number.lstrip("0")) <= 2):
            return int(number)  # the leading zero is lost in a number cell
        if rng.random() < float(self.style.get("passport_mess", 0)):  # type: ignore[arg-type]
            if rng.random() < 0.5:
                return f"{number[:1]} {number[1:5]} {number[5:]}".strip()
            return f"{number[:2]}-{number[2:]}"
        return number

    def kecamatan_text(self, v: dict[str, object]) -> str | None:
        code = v.get("kecamatan_code")
        if code is None:
            return None
        entry = self.kecamatan[code]
        rng = self.rng
        split = self.splits.get(code)
        if split and "address" in v and rng.random() < 0.6:
            return self.kecamatan[split["parent"]]["name"]  # the old kecamatan, with the village in the address
        names = [entry["name"], *entry.get("variants", [])] if code not in self.splits else [entry["name"]]
        text = rng.choice(names)
        return f"Kec. {text}" if rng.random() < 0.15 else text


def sheet_plan(spec: FileSpec, sheet: SheetSpec, printer: Printer) -> tuple[SheetPlan, list[tuple[int, Row]]]:
    """The grid of one sheet with its junk rows, and the Excel row number of every data row."""
    plan = SheetPlan(sheet.name)
    width = len(sheet.columns)
    text = printer.text_only
    for line in sheet.title:
        r = plan.add([line] + [None] * (width - 1), bold=True)
        if not text:
            plan.merges.append((r - 1, 0, r - 1, width - 1))
    if sheet.title and not text:
        plan.add([None] * width)
    two_rows = any(c.group for c in sheet.columns) and not text
    if two_rows:
        top = plan.add([c.group or c.header for c in sheet.columns], bold=True) - 1
        plan.add([c.header if c.group else None for c in sheet.columns], bold=True)
        start = 0
        while start < width:
            column = sheet.columns[start]
            if column.group is None:
                plan.merges.append((top, start, top + 1, start))
                start += 1
                continue
            end = start
            while end + 1 < width and sheet.columns[end + 1].group == column.group:
                end += 1
            if end > start:
                plan.merges.append((top, start, top, end))
            start = end + 1
    else:
        plan.add([c.header for c in sheet.columns], bold=True)
    if sheet.number_row:
        plan.add([f"({i + 1})" for i in range(width)])
    placed: list[tuple[int, Row]] = []
    number = 0
    current_group: str | None = None
    group_count = 0
    section = 0
    last: list[object] | None = None
    name_col = next(i for i, c in enumerate(sheet.columns) if c.field in ("name", "company_name"))

    def close_group() -> None:
        if sheet.sections and current_group is not None:
            cells: list[object] = [None] * width
            cells[name_col] = f"Jumlah {current_group}"
            cells[-1] = group_count
            plan.add(cells)

    for index, row in enumerate(sheet.rows):
        if sheet.sections and row.group != current_group:
            close_group()
            current_group, group_count = row.group, 0
            section += 1
            label: list[object] = [None] * width
            label[0] = f"{section}. PT {row.group}"  # not "AN. ...": readers take "a.n." for a signature
            plan.add(label)
        number += 1
        group_count += 1
        cells = [number if column.field == "row_no" else printer.cell(column.field, row)
                 for column in sheet.columns]
        if row.duplicate_of is not None and last is not None:  # an exact copy of the row above, own number
            cells = [number if c.field == "row_no" else last[i] for i, c in enumerate(sheet.columns)]
        if text:
            cells = [_as_text(c) for c in cells]
        last = cells
        placed.append((plan.add(cells), row))
        if sheet.blank_rows_every and (index + 1) % sheet.blank_rows_every == 0:
            plan.add([None] * width)
    close_group()
    if sheet.total_row:
        cells = [None] * width
        cells[name_col] = "JUMLAH"
        cells[-1] = number
        plan.add(cells, bold=True)
    if sheet.signature and not text:
        plan.add([None] * width)
        at = max(width - 3, 1)
        for line in sheet.signature:
            signature: list[object] = [None] * width
            signature[at] = line or None
            plan.add(signature)
    return plan, placed


def _as_text(value: object) -> object:
    if isinstance(value, dt.date):
        return dmy(value, "/")
    if isinstance(value, Serial):
        return str(value.value)
    return value


def rekap_sheet(spec: FileSpec, placed: list[tuple[str, int, Row]]) -> SheetPlan:
    """A summary sheet (skipped by the reader): persons per kecamatan or per nationality."""
    plan = SheetPlan("Rekap")
    plan.add(["REKAPITULASI", None], bold=True)
    plan.add(["Kewarganegaraan", "Jumlah"], bold=True)
    counts: dict[str, int] = {}
    for _, _, row in placed:
        nat = str(row.values.get("nationality") or "-")
        counts[nat] = counts.get(nat, 0) + 1
    for nat in sorted(counts):
        plan.add([nat, counts[nat]])
    plan.add(["TOTAL", sum(counts.values())])
    return plan


def render_file(spec: FileSpec, rng: random.Random) -> tuple[bytes, list[tuple[str, int, Row]]]:
    """The bytes of a planned file and (sheet, row number, row) of each data row."""
    printer = Printer(spec, rng)
    plans: list[SheetPlan] = []
    placed: list[tuple[str, int, Row]] = []
    for sheet in spec.sheets:
        plan, rows = sheet_plan(spec, sheet, printer)
        plans.append(plan)
        placed.extend((sheet.name, number, row) for number, row in rows)
    if spec.rekap and spec.fmt != "csv":
        plans.insert(0 if len(plans) > 1 else len(plans), rekap_sheet(spec, placed))
    book = BookPlan(plans, date1904=bool(spec.style.get("date1904")))
    if spec.fmt == "xlsx":
        return xlsx_bytes(book), placed
    if spec.fmt == "xls":
        return xls_bytes(book), placed
    if spec.fmt == "ods":
        return ods_bytes(book), placed
    csv_style = spec.style.get("csv")
    if not isinstance(csv_style, dict):
        csv_style = {}
    return csv_bytes(plans[0].rows, str(csv_style.get("delimiter", ";")),
                     str(csv_style.get("encoding", "utf-8-sig"))), placed
