"""Benchmark: tka.read.read_file vs pandas.read_excel(engine="openpyxl") on the files of one drive period.

    python bench/read_bench.py DRIVE_DIR [--period 2025-08] [--rounds 3]
    python bench/read_bench.py --make-demo /tmp/demo-drive --files 40 --rows 1500   # a drive to try it on

Each measurement runs in a fresh subprocess (so peak RSS belongs to one engine), and the engines alternate
round by round so that disk cache and CPU frequency affect both alike. Only files openpyxl can open
(xlsx/xlsm) are compared; read_file's time on all files of the period is reported as well.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
OPENPYXL_SUFFIXES = (".xlsx", ".xlsm")
PERIOD_RE = re.compile(r"^20\d{2}-(0[1-9]|1[0-2])$")


def _peak_rss_mib() -> float:
    # ru_maxrss is KiB on Linux (bytes on macOS).
    scale = 1 if sys.platform != "darwin" else 1 / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1024


def _child(engine: str, drive: str, period: str, only_openpyxl: bool) -> dict[str, object]:
    """Run one engine over the period's files in this process; return time, rows and peak RSS."""
    from tka.read import discover, load_sources_config, open_drive, read_file

    config = load_sources_config(PROJECT_ROOT / "config" / "sources.yaml")
    fs, root = open_drive(drive)
    files = [f for f in discover(fs, root, period, config)
             if not only_openpyxl or f.path.casefold().endswith(OPENPYXL_SUFFIXES)]
    rows = quarantined = 0
    start = time.perf_counter()
    if engine == "read_file":
        for file in files:
            result = read_file(fs, root, file, config)
            rows += len(result.rows)
            quarantined += result.quarantine is not None
    else:
        import pandas as pd

        for file in files:
            try:
                frames = pd.read_excel(f"{root}/{file.path}", sheet_name=None, header=None, engine="openpyxl")
                rows += sum(len(f) for f in frames.values())
            except Exception:  # noqa: BLE001 - bad files are part of a realistic drive
                quarantined += 1
    seconds = time.perf_counter() - start
    return {"engine": engine, "files": len(files), "rows": rows, "failed": quarantined, "seconds": seconds,
            "peak_rss_mib": _peak_rss_mib()}


def _run_child(engine: str, drive: str, period: str, only_openpyxl: bool) -> dict[str, object]:
    command = [sys.executable, __file__, "--child", engine, drive, "--period", period]
    if only_openpyxl:
        command.append("--only-openpyxl")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def _latest_period(drive: Path) -> str:
    periods = sorted(p.name for p in drive.iterdir() if p.is_dir() and PERIOD_RE.match(p.name))
    if not periods:
        raise SystemExit(f"no YYYY-MM folder in {drive}; pass --period")
    return periods[-1]


def make_demo_drive(drive: Path, files: int, rows: int, period: str = "2025-08", seed: int = 7) -> None:
    """Write a drive of government-style xlsx files (titles, two-row header, totals, signature) to try the bench."""
    import xlsxwriter

    rng = random.Random(seed)
    folders = ["disnakertrans", "imigrasi", "perusahaan"]
    for index in range(files):
        folder = folders[index % len(folders)]
        name = f"{1000000000000 + index} PT Demo {index}.xlsx" if folder == "perusahaan" else f"laporan {index}.xlsx"
        path = drive / period / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        book = xlsxwriter.Workbook(str(path))
        date_format = book.add_format({"num_format": "dd/mm/yyyy"})
        ws = book.add_worksheet("Agustus")
        ws.write(0, 0, "DATA TENAGA KERJA ASING KABUPATEN KUTAI KARTANEGARA")
        ws.merge_range(2, 2, 2, 3, "PASPOR")
        ws.merge_range(2, 9, 2, 11, "KITAS")
        top = ["NO", "NAMA TKA", None, None, "KEWARGANEGARAAN", "JENIS KELAMIN", "TEMPAT/TGL LAHIR", "JABATAN",
               "NAMA PERUSAHAAN", None, None, None, "KECAMATAN", "KETERANGAN"]
        sub = [None, None, "Nomor", "Masa Berlaku", None, None, None, None, None, "Nomor", "Tanggal Awal",
               "Tanggal Akhir", None, None]
        for col, (a, b) in enumerate(zip(top, sub, strict=True)):
            if a:
                ws.write(2, col, a)
            if b:
                ws.write(3, col, b)
        for r in range(rows):
            row = 4 + r
            ws.write_number(row, 0, r + 1)
            ws.write(row, 1, f"MR WORKER {index}-{r}")
            ws.write(row, 2, f"E{rng.randrange(10**7, 10**8)}")
            ws.write_datetime(row, 3, dt.datetime(2030, 1, 1) + dt.timedelta(days=rng.randrange(900)), date_format)
            ws.write(row, 4, rng.choice(["Tiongkok", "RRT", "India", "Korea Selatan", "Malaysia"]))
            ws.write(row, 5, rng.choice(["L", "Laki-laki", "P"]))
            ws.write(row, 6, f"Beijing, {rng.randrange(1, 28):02d}-0{rng.randrange(1, 9)}-19{rng.randrange(60, 99)}")
            ws.write(row, 7, rng.choice(["Mekanik", "Manajer", "Teknisi", "Tenaga Ahli"]))
            ws.write(row, 8, rng.choice(["PT. Karya Sejati", "BUMI ASRI, PT", "P.T. Mahakam Coal"]))
            ws.write(row, 9, f"2D{rng.randrange(10**9, 10**10)}-B")
            ws.write(row, 10, rng.choice(["01-01-2025", "5 Agustus 2025", "Selasa, 05 Agustus 2025"]))
            ws.write_number(row, 11, 45900 + rng.randrange(400))
            ws.write(row, 12, rng.choice(["Kec. Tabang", "Muara Kaman", "Sangasanga", "Loa Kulu"]))
            ws.write(row, 13, "-")
        ws.write(4 + rows, 0, "JUMLAH")
        ws.write(6 + rows, 10, "Tenggarong, 5 Agustus 2025")
        book.close()


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("drive", nargs="?", help="drive directory (or URL for --child)")
    parser.add_argument("--period", help="YYYY-MM; default: the latest period folder of the drive")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--child", choices=["read_file", "openpyxl"], help=argparse.SUPPRESS)
    parser.add_argument("--only-openpyxl", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--make-demo", type=Path, help="write a demo drive to this folder and exit")
    parser.add_argument("--files", type=int, default=40)
    parser.add_argument("--rows", type=int, default=1500)
    args = parser.parse_args()

    if args.make_demo:
        make_demo_drive(args.make_demo, args.files, args.rows)
        print(f"demo drive written to {args.make_demo} ({args.files} files x {args.rows} rows, period 2025-08)")
        return
    if args.child:
        print(json.dumps(_child(args.child, args.drive, args.period, args.only_openpyxl)))
        return
    if not args.drive:
        parser.error("give a drive directory")
    drive = Path(args.drive).resolve()
    period = args.period or _latest_period(drive)

    runs: dict[str, list[dict[str, object]]] = {"read_file": [], "openpyxl": []}
    for round_no in range(args.rounds):
        order = ["read_file", "openpyxl"] if round_no % 2 == 0 else ["openpyxl", "read_file"]
        for engine in order:
            runs[engine].append(_run_child(engine, str(drive), period, only_openpyxl=True))
    all_files = _run_child("read_file", str(drive), period, only_openpyxl=False)

    med = {e: statistics.median(float(r["seconds"]) for r in rs) for e, rs in runs.items()}
    peak = {e: max(float(r["peak_rss_mib"]) for r in rs) for e, rs in runs.items()}
    first = {e: rs[0] for e, rs in runs.items()}
    print(f"drive {drive}, period {period}, {args.rounds} alternating rounds, xlsx/xlsm files only")
    for engine, engine_runs in runs.items():
        times = ", ".join(f"{float(r['seconds']):.2f}" for r in engine_runs)
        print(f"  {engine:9s}: {first[engine]['files']} files, {first[engine]['rows']} rows, "
              f"{first[engine]['failed']} failed/quarantined; seconds [{times}] median {med[engine]:.2f}; "
              f"peak RSS {peak[engine]:.0f} MiB")
    print(f"  speed-up (openpyxl median / read_file median): {med['openpyxl'] / med['read_file']:.1f}x")
    print(f"  read_file on all {all_files['files']} files of the period: {float(all_files['seconds']):.2f} s, "
          f"{all_files['rows']} rows, {all_files['failed']} quarantined, peak RSS {float(all_files['peak_rss_mib']):.0f} MiB")


if __name__ == "__main__":
    main()
