"""Benchmark: a big CSV inside every limit (about 60 MB, 99,000 rows x 30 columns) read by tka.read.read_file.

    python bench/csv_bench.py [--mb 60] [--encoding utf-8|gbk|cp1252|utf-16-le]

The file is generated in a temporary drive; the read runs in a fresh subprocess so that the peak RSS printed
belongs to the read alone. Issue 14 saw 2 min 29 s and 4.2 GB for a 61 MB CSV.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
HEADER = ["No", "Nama", "No. Paspor", "Kewarganegaraan", "Jabatan", "Nama Perusahaan", "Tanggal Lahir",
          "Jenis Kelamin", "Alamat", "Keterangan"] + [f"Kolom {i}" for i in range(20)]


def make_csv(path: Path, megabytes: int, encoding: str, seed: int = 7) -> int:
    """Write a CSV of about ``megabytes`` MB; return its row count."""
    rng = random.Random(seed)
    names = ["GAO XUEFENG", "LI WEI", "王伟", "ZHANG SAN", "José Müller"] if encoding != "cp1252" else \
        ["GAO XUEFENG", "LI WEI", "José Müller", "ZHANG SAN"]
    lines = [",".join(HEADER)]
    size, rows = 0, 0
    while size < megabytes * 2**20 and rows < 99_000:
        row = [str(rows + 1), rng.choice(names), f"E{rng.randrange(10**7, 10**8)}", "RRT", "Mekanik",
               "PT KARYA SEJATI", f"{rng.randrange(1, 28):02d}-0{rng.randrange(1, 9)}-19{rng.randrange(60, 99)}",
               "L", "Jl. Panjang Sekali Nomor 123, Tenggarong", "-"] + \
              [f"nilai-{rng.randrange(10**12, 10**13)}-{i}" for i in range(20)]
        line = ",".join(row)
        lines.append(line)
        size += len(line) + 2
        rows += 1
    path.write_bytes("\r\n".join(lines).encode(encoding))
    return rows


def child(drive: str) -> dict[str, object]:
    """Read the one file of the drive; return seconds, rows, verdict and peak RSS."""
    from tka.read import discover, load_sources_config, open_drive, read_file
    from tka.settings import PROJECT_ROOT as ROOT

    config = load_sources_config(ROOT / "config" / "sources.yaml")
    fs, root = open_drive(drive)
    (file,) = discover(fs, root, "2025-08", config)
    start = time.perf_counter()
    result = read_file(fs, root, file, config)
    seconds = time.perf_counter() - start
    return {"seconds": round(seconds, 2), "rows": len(result.rows), "quarantine": result.quarantine,
            "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def main() -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--mb", type=int, default=60)
    parser.add_argument("--encoding", default="utf-8")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "2025-08" / "disnakertrans" / "besar.csv"
        path.parent.mkdir(parents=True)
        rows = make_csv(path, args.mb, args.encoding)
        out = subprocess.run([sys.executable, __file__, "--child", tmp], check=True, capture_output=True, text=True)
        result = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{path.stat().st_size / 2**20:.0f} MB CSV ({args.encoding}), {rows} rows: {result}")


if __name__ == "__main__":
    main()
