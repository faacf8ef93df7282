"""Checks before any write: settings, drive, the period's files, and a load that would shrink a loaded month.

Every failure is a ``GuardError`` whose message is one Indonesian line: what is wrong, where, which setting
or option decides it, and what to do next.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from tka.credentials import masked

CONNECT_TIMEOUT_S = 5
REGISTRY_KIND = "registry"


class GuardError(RuntimeError):
    """A check before any write failed: nothing was written; ``str(err)`` is the message for a person."""

    exit_code = 2


class WarehouseUnreachableError(GuardError, ConnectionError):
    """The warehouse server does not answer: transient I/O, so the flow's check retries it (TKA_IO_RETRIES)."""


class WarehouseMissingError(GuardError):
    """A steward command's warehouse does not exist (and is never created by such a command)."""


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def parse_warehouse_url(url: str) -> sa.URL:
    """The parsed warehouse URL; a typo is a GuardError naming the setting."""
    try:
        parsed = make_url(url)
    except Exception as exc:  # noqa: BLE001 - any parse failure is the same advice
        raise GuardError(f"URL gudang data tidak dapat dibaca: '{masked(url)}' ({_first_line(exc)}). Perbaiki "
                         "--warehouse / warehouse_url di tka.toml / TKA_WAREHOUSE_URL, misalnya "
                         "sqlite:///data/warehouse.db atau postgresql+psycopg://tka@host/tka.") from None
    if parsed.get_backend_name() not in {"sqlite", "postgresql"}:
        raise GuardError(f"Jenis basis data '{parsed.get_backend_name()}' pada URL gudang data '{masked(url)}' "
                         "tidak didukung: gunakan sqlite:/// atau postgresql+psycopg://.")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def sqlite_path(url: sa.URL) -> Path | None:
    """The database file of a SQLite URL (None for in-memory databases)."""
    return Path(url.database) if url.database not in (None, "", ":memory:") else None


def check_warehouse(url: str, *, must_exist: bool, connect_url: str | None = None,
                    timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Parse and reach the warehouse in seconds; ``must_exist``: it must already hold a migrated schema.

    ``connect_url`` is ``url`` with the password added (``url`` itself is what messages show).
    A steward command never creates an empty warehouse: a SQLite file is checked before connecting.
    """
    parsed = parse_warehouse_url(url)
    target = parse_warehouse_url(connect_url) if connect_url else parsed
    where = "--warehouse / warehouse_url di tka.toml / TKA_WAREHOUSE_URL"
    if parsed.get_backend_name() == "sqlite":
        path = sqlite_path(parsed)
        if path is None:
            return
        if must_exist and not path.is_file():
            raise WarehouseMissingError(
                f"Gudang data {path} belum ada. Periksa {where}, atau jalankan `tka ingest --period P` dulu.")
        if not path.parent.is_dir():
            raise GuardError(f"Folder gudang data {path.parent} tidak ada. Buat foldernya atau perbaiki {where}.")
        if not must_exist:
            return
    args = {"connect_timeout": int(timeout)} if parsed.get_backend_name() == "postgresql" else {}
    engine = sa.create_engine(target, connect_args=args, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            tables = set(sa.inspect(conn).get_table_names())
    except Exception as exc:  # noqa: BLE001 - unreachable, wrong name, wrong password: one line each
        raise WarehouseUnreachableError(f"Gudang data {masked(url)} tidak dapat dihubungi: {_first_line(exc)}. Periksa {where} "
                         "(dan TKA_WAREHOUSE_PASSWORD), lalu jalankan lagi.") from None
    finally:
        engine.dispose()
    if must_exist and "alembic_version" not in tables:
        raise WarehouseMissingError(f"Gudang data {masked(url)} kosong (belum pernah dimuat). Periksa {where}, "
                                    "atau jalankan `tka ingest --period P` dulu.")


def layout_period_folder(layout: str, period: str) -> str:
    """The fixed folders of the drive layout for ``period``, e.g. "2025-08" for "{period}/{folder}/{file}"."""
    head = layout.split("{folder}", 1)[0].split("{file}", 1)[0].replace("{period}", period)
    return head.rsplit("/", 1)[0] if "/" in head else ""


def check_drive(fs: Any, root: str, period: str, layout: str, drive_url: str) -> None:
    """The drive root exists and can be listed, and it has the period's folder."""
    where = "--drive / drive_url di tka.toml / TKA_DRIVE_URL"
    try:
        exists = fs.exists(root) and fs.isdir(root)
    except Exception as exc:  # noqa: BLE001 - a network share that does not answer is the same advice
        raise GuardError(f"Drive {drive_url} tidak dapat dibaca: {_first_line(exc)}. Periksa sambungan dan {where}."
                         ) from None
    if not exists:
        raise GuardError(f"Drive {drive_url} tidak ditemukan. Periksa apakah drive sudah terpasang, atau perbaiki "
                         f"{where}. Tidak ada yang ditulis.")
    try:
        fs.ls(root)
    except PermissionError:
        raise GuardError(f"Drive {drive_url} tidak boleh dibaca oleh pengguna ini (izin ditolak). Minta akses "
                         "baca, lalu jalankan lagi.") from None
    if drive_is_local(drive_url) and not os.access(root, os.R_OK | os.X_OK):
        raise GuardError(f"Drive {drive_url} tidak boleh dibaca oleh pengguna ini (izin ditolak). Minta akses "
                         "baca, lalu jalankan lagi.")
    folder = layout_period_folder(layout, period)
    if folder and not fs.exists(f"{root.rstrip('/')}/{folder}"):
        raise GuardError(f"Folder periode {period} tidak ada di drive {drive_url} (dicari: {folder}/). Periksa "
                         f"--period dan {where}. Tidak ada yang ditulis.")


def drive_is_local(drive_url: str) -> bool:
    """True for a plain path or file:// URL."""
    return "://" not in drive_url or drive_url.startswith("file://")


def check_period_files(files: Sequence[Any], period: str, drive_url: str, *,
                       required_kinds: Iterable[str] = (REGISTRY_KIND,)) -> None:
    """The period folder holds files, and at least one of every required kind (the registry)."""
    if not files:
        raise GuardError(f"Folder periode {period} di drive {drive_url} kosong: tidak ada berkas untuk dibaca. "
                         "Letakkan berkas instansi di subfoldernya, lalu jalankan lagi. Tidak ada yang ditulis.")
    kinds = {getattr(f, "source_kind", None) for f in files}
    for kind in required_kinds:
        if kind not in kinds:
            raise GuardError(f"Periode {period} di drive {drive_url} tidak punya berkas {_KIND_LABEL.get(kind, kind)}"
                             f" (folder {_KIND_FOLDER.get(kind, kind)}/). Tanpa registri status wajib lapor tidak "
                             "dapat dihitung: letakkan berkasnya, lalu jalankan lagi. Tidak ada yang ditulis.")


_KIND_LABEL = {"registry": "registri perusahaan", "company": "laporan perusahaan"}
_KIND_FOLDER = {"registry": "registri", "company": "perusahaan"}


@dataclass(frozen=True)
class PeriodCounts:
    """What a load of one period holds: files (path -> source kind), accepted rows and distinct workers.

    Accepted rows, not all rows: a corrected file that drops a rejected duplicate loses nothing.
    """

    files: Mapping[str, str | None] = field(default_factory=dict)
    rows: int | None = None
    workers: int | None = None


def _fmt(n: int | None) -> str:
    return "?" if n is None else f"{n:,}".replace(",", ".")


def file_shrink(before: PeriodCounts, now_files: Mapping[str, str | None]) -> str | None:
    """Why the files found now are less than the loaded month had (None if they are not)."""
    gone = sorted(set(before.files) - set(now_files))
    kinds_gone = sorted({k for k in before.files.values() if k} - {k for k in now_files.values() if k})
    if len(now_files) >= len(before.files) and not kinds_gone:
        return None
    parts = [f"berkas {_fmt(len(before.files))} -> {_fmt(len(now_files))}"]
    if kinds_gone:
        parts.append("sumber yang hilang: " + ", ".join(kinds_gone))
    if gone:
        parts.append("berkas yang hilang: " + ", ".join(gone[:5]) + (f" (+{len(gone) - 5} lagi)" if len(gone) > 5
                                                                     else ""))
    return "; ".join(parts)


def count_shrink(before: PeriodCounts, rows: int, workers: int) -> str | None:
    """Why accepted ``rows``/``workers`` are less than the loaded month had (None if they are not)."""
    parts = []
    if before.rows is not None and rows < before.rows:
        parts.append(f"baris diterima {_fmt(before.rows)} -> {_fmt(rows)}")
    if before.workers is not None and workers < before.workers:
        parts.append(f"pekerja {_fmt(before.workers)} -> {_fmt(workers)}")
    return "; ".join(parts) or None


def refuse_shrink(period: str, what: str | None, allow: bool) -> str | None:
    """Raise when ``what`` would disappear and shrinking is not allowed; return a warning when it is."""
    if what is None:
        return None
    if allow:
        return f"Periode {period} dimuat ulang dengan data lebih sedikit (diizinkan --allow-shrink): {what}."
    raise GuardError(f"Periode {period} sudah dimuat dan muatan ini lebih kecil ({what}). Tidak ada yang ditulis. "
                     "Periksa drive; jika memang benar, jalankan lagi dengan --allow-shrink.")
