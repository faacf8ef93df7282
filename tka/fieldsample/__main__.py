"""``python -m tka.fieldsample --period 2025-08 --scale kukar --seed 11 --out DIR --truth FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path

from tka.fieldsample.month import generate_field_month


def main(argv: list[str] | None = None) -> int:
    """Write a field month and print its counts in one line."""
    parser = argparse.ArgumentParser(prog="python -m tka.fieldsample", description="Tulis bulan contoh 'lapangan'.")
    parser.add_argument("--period", default="2025-08")
    parser.add_argument("--scale", choices=("kukar", "national"), default="kukar")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--truth", type=Path, required=True)
    args = parser.parse_args(argv)
    truth = generate_field_month(args.period, args.scale, args.seed, args.out, args.truth)
    e = truth["expected"]
    print(f"Berkas {e['files_total']} (karantina {e['files_quarantined']}, diganti {e['files_superseded']}), "
          f"baris {e['rows_total']}, pekerja {e['workers']}, tanggungan {e['dependants']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
