"""The shared drive through fsspec: open it from a URL and list a period's files with their source."""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
import re
from dataclasses import dataclass, field

import fsspec

from tka.names import printable_name
from tka.read.config import SourcesConfig, SourceSpec
from tka.read.normalize import kecamatan_in_text, normalize_kecamatan, normalize_nib

PIPELINE_FOLDERS = frozenset({"_review", "_quarantine"})
# Office lock files and OS metadata are never reports.
_IGNORED_NAME_RE = re.compile(r"^(?:~\$|\.|thumbs\.db$|desktop\.ini$)", re.IGNORECASE)
_EXTRAS = {"smb": "smb", "s3": "s3", "s3a": "s3"}
HASH_CHUNK = 1 << 20


@dataclass(frozen=True)
class DiscoveredFile:
    """One file of the period on the drive, with its source (None -> quarantine ``unknown_source``)."""

    path: str  # relative to the drive root, forward slashes
    source_kind: str | None
    source_id: str | None
    defaults: dict[str, str] = field(default_factory=dict)  # row defaults from the file name, normalised
    size: int = 0
    sha256: str = ""
    modified: dt.datetime | None = None
    source: str | None = None  # key of the source in sources.yaml (which layout rules apply)
    # The name on the drive when ``path`` had to be made printable (undecodable bytes, newlines): for I/O only.
    drive_path: str | None = None


def open_drive(url: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """File system and root path of a drive URL: a plain path, file://, memory://, smb:// or s3://."""
    protocol = url.split("://", 1)[0].casefold() if "://" in url else "file"
    try:
        fs, root = fsspec.core.url_to_fs(url)
    except ImportError as exc:
        extra = _EXTRAS.get(protocol, protocol)
        raise ImportError(f"Drive URL {url.split('://', 1)[0]}:// needs an optional package: "
                          f"pip install 'tka-pipeline[{extra}]' ({exc})") from exc
    return fs, root.rstrip("/") or "/"


def _layout_regex(layout: str, period: str) -> re.Pattern[str]:
    pattern = re.escape(layout)
    for placeholder, group in (("{period}", re.escape(period)), ("{folder}", "(?P<folder>[^/]+)"),
                               ("{file}", "(?P<file>.+)")):
        pattern = pattern.replace(re.escape(placeholder), group)
    return re.compile(f"^{pattern}$")


def _listing_prefix(layout: str, period: str) -> str:
    """The fixed leading folders of the layout, e.g. "2025-08" for "{period}/{folder}/{file}"."""
    head = re.split(r"\{folder\}|\{file\}", layout, maxsplit=1)[0].replace("{period}", period)
    return head.rsplit("/", 1)[0] if "/" in head else ""


def _modified(info: dict[str, object]) -> dt.datetime | None:
    for key in ("mtime", "LastModified", "last_modified", "modified", "created"):
        value = info.get(key)
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        if isinstance(value, (int, float)) and value > 0:
            return dt.datetime.fromtimestamp(value, tz=dt.UTC)
    return None


def file_sha256(fs: fsspec.AbstractFileSystem, path: str) -> str:
    """SHA-256 of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with fs.open(path, "rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_defaults(file_name: str, spec: SourceSpec, config: SourcesConfig) -> dict[str, str]:
    """Row defaults from the file name's named groups, normalised (company_nib, kecamatan_code)."""
    if not spec.file_pattern:
        return {}
    m = re.search(spec.file_pattern, file_name)
    defaults: dict[str, str] = {}
    if "(?P<kecamatan>" in spec.file_pattern and (m is None or not m["kecamatan"]
                                                   or not normalize_kecamatan(m["kecamatan"], ref=config.reference)[0]):
        # the pattern missed ("Kec. Loa Janan Bulan Agustus", "Kecamatan Kenohan - Agst"): a kecamatan named
        # anywhere in the file name is the sender's
        stem = posixpath.splitext(posixpath.basename(file_name))[0]
        if code := kecamatan_in_text(stem, config.reference):
            defaults["kecamatan_code"] = code
            defaults["kecamatan_raw"] = stem
    if m is None:
        return defaults
    for key, value in m.groupdict().items():
        if value is None:
            continue
        if key == "kecamatan":
            if "kecamatan_code" in defaults:
                continue
            code, _ = normalize_kecamatan(value, ref=config.reference)
            defaults["kecamatan_raw"] = value.strip()
            if code:
                defaults["kecamatan_code"] = code
        elif key == "company_nib":
            if nib := normalize_nib(value):
                defaults["company_nib"] = nib
        else:
            defaults[key] = value.strip()
    return defaults


def _source_id(template: str, kind: str, defaults: dict[str, str], file_name: str) -> str:
    try:
        return template.format(**defaults)
    except KeyError:
        # The file name does not say whose report this is: keep files apart by name.
        return f"{kind}:?{posixpath.splitext(file_name)[0]}"


def discover(fs: fsspec.AbstractFileSystem, root: str, period: str, config: SourcesConfig) -> list[DiscoveredFile]:
    """All files of ``period`` under ``root``, with source kind, id and file-name defaults; sorted by path."""
    root = root.rstrip("/")
    layout = _layout_regex(config.layout, period)
    prefix = _listing_prefix(config.layout, period)
    base = f"{root}/{prefix}" if prefix else root
    if not fs.exists(base):
        return []
    found = []
    for full, info in fs.find(base, detail=True, withdirs=False).items():
        if info.get("type", "file") != "file":
            continue
        rel = full[len(root):].lstrip("/") if full.startswith(root) else full.lstrip("/")
        parts = rel.split("/")
        if PIPELINE_FOLDERS.intersection(parts) or _IGNORED_NAME_RE.match(parts[-1]):
            continue
        shown = printable_name(rel)  # what the ledger stores and people see; the drive's own name opens it
        match = layout.match(shown)
        if match is None and period not in parts:
            continue  # another period's file
        found.append(_describe(fs, full, shown, info, match, config, drive_path=None if shown == rel else rel))
    return sorted(found, key=lambda f: f.path)


def _describe(fs: fsspec.AbstractFileSystem, full: str, rel: str, info: dict[str, object],
              match: re.Match[str] | None, config: SourcesConfig, drive_path: str | None = None) -> DiscoveredFile:
    file_name = rel.rsplit("/", 1)[-1]
    hit = config.source_by_folder(match["folder"]) if match else None
    size = int(info.get("size") or 0)  # type: ignore[call-overload]
    common = {"size": size, "sha256": file_sha256(fs, full), "modified": _modified(info), "drive_path": drive_path}
    if hit is None:
        return DiscoveredFile(rel, None, None, **common)
    name, spec = hit
    defaults = file_defaults(file_name, spec, config)
    kind = str(spec.kind)
    return DiscoveredFile(rel, kind, _source_id(spec.source_id, kind, defaults, file_name), defaults,
                          source=name, **common)
