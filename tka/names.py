"""File names as people and databases can take them: printable text, and safe short names for output files.

A drive can hold any name: bytes that are not UTF-8 (``os.fsdecode`` turns them into lone surrogates), newlines,
names of 255 bytes. Such a name must never crash a run: what is stored or shown is made printable, and a file
name the pipeline derives from it (a feedback workbook) is made safe and short.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

MAX_OUTPUT_NAME_BYTES = 120
_UNSAFE_RE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def printable_name(text: str) -> str:
    r"""``text`` with undecodable bytes as ``\xNN`` and control characters as ``\n``, ``\t`` or ``\xNN``."""
    if text.isprintable() and not any("\udc80" <= ch <= "\udcff" for ch in text):
        return text
    out = []
    for ch in text:
        if "\udc80" <= ch <= "\udcff":  # os.fsdecode's surrogateescape of one byte
            out.append(f"\\x{ord(ch) - 0xDC00:02x}")
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif unicodedata.category(ch) in {"Cc", "Cs", "Cf", "Zl", "Zp"}:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def is_printable_name(text: str) -> bool:
    """True if ``text`` is stored and shown as it is (``printable_name`` leaves it unchanged)."""
    return printable_name(text) == text


def safe_output_name(stem: str, suffix: str = "", max_bytes: int = MAX_OUTPUT_NAME_BYTES) -> str:
    """A file name from ``stem`` + ``suffix``: printable, no path separators, at most ``max_bytes`` UTF-8 bytes.

    A name that had to be cut (or changed) ends in a short hash of the original, so two long names that
    share their start do not end up as one file.
    """
    clean = _UNSAFE_RE.sub("_", printable_name(stem).replace("\\", "_")).strip(" .") or "berkas"
    name = f"{clean}{suffix}"
    if len(name.encode("utf-8")) <= max_bytes and clean == stem:
        return name
    tag = "~" + hashlib.sha256(stem.encode("utf-8", "surrogateescape")).hexdigest()[:8]
    room = max_bytes - len(tag.encode()) - len(suffix.encode("utf-8"))
    cut = clean.encode("utf-8")[:max(room, 1)].decode("utf-8", "ignore").rstrip(" .")
    return f"{cut}{tag}{suffix}"
