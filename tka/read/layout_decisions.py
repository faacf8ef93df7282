"""The steward's decisions on header texts: "this header is that field" and "this header is no field".

They live in ``config/header_decisions.yaml`` beside ``sources.yaml`` (read by ``load_sources_config``): a
confirmed text becomes a synonym, so the next run matches it exactly and no longer reports it as a guess; an
ignored text is never guessed again. One command (``tka layout tetapkan`` / ``tka layout abaikan``) writes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tka.read.config import DECISIONS_FILE, alnum_key, header_key

HEADER = ("# Keputusan steward tentang judul kolom (ditulis oleh `tka layout`; boleh disunting).\n"
          "# confirmed: judul kolom -> kolom kanonik; ignored: judul yang bukan kolom data.\n")


class LayoutError(ValueError):
    """A decision that cannot be written (unknown field, empty header), with an Indonesian message."""


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    data = data or {}
    data.setdefault("confirmed", {})
    data.setdefault("ignored", [])
    return data


def _fields(config_dir: Path) -> set[str]:
    sources = yaml.safe_load((config_dir / "sources.yaml").read_text(encoding="utf-8")) or {}
    return set(sources.get("synonyms") or {})


def _write(path: Path, data: dict[str, Any]) -> Path:
    body = yaml.safe_dump({"confirmed": {k: sorted(set(v)) for k, v in sorted(data["confirmed"].items()) if v},
                           "ignored": sorted(set(data["ignored"]))}, allow_unicode=True, sort_keys=False)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(HEADER + body, encoding="utf-8")
    tmp.replace(path)
    return path


def confirm_header(config_dir: Path, header: str, field: str) -> Path:
    """Record that the header text ``header`` is the canonical ``field`` (confirms or corrects a guess)."""
    text = " ".join(str(header).split())
    if not alnum_key(text):
        raise LayoutError("Judul kolom kosong.")
    fields = _fields(config_dir)
    if field not in fields:
        raise LayoutError(f"Kolom '{field}' tidak dikenal. Pilihan: {', '.join(sorted(fields))}.")
    path = config_dir / DECISIONS_FILE
    data = _load(path)
    key = header_key(text)
    for fld, texts in data["confirmed"].items():  # one header text, one field: a correction replaces
        data["confirmed"][fld] = [t for t in texts if header_key(t) != key]
    data["ignored"] = [t for t in data["ignored"] if header_key(t) != key]
    data["confirmed"].setdefault(field, []).append(text)
    return _write(path, data)


def ignore_header(config_dir: Path, header: str) -> Path:
    """Record that the header text ``header`` names no field (a guess was wrong and nothing fits)."""
    text = " ".join(str(header).split())
    if not alnum_key(text):
        raise LayoutError("Judul kolom kosong.")
    path = config_dir / DECISIONS_FILE
    data = _load(path)
    key = header_key(text)
    for fld, texts in data["confirmed"].items():
        data["confirmed"][fld] = [t for t in texts if header_key(t) != key]
    data["ignored"].append(text)
    return _write(path, data)
