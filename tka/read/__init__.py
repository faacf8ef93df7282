"""The reader: drive discovery, spreadsheet reading, header detection and normalisation (pure, no Prefect)."""

from tka.read.config import SourcesConfig, load_sources_config
from tka.read.drive import DiscoveredFile, discover, open_drive
from tka.read.reader import HeaderDrift, ReadResult, SheetDrift, SheetInfo, frame_columns, read_file
from tka.read.sniff import ReadLimits

__all__ = [
    "DiscoveredFile", "HeaderDrift", "ReadLimits", "ReadResult", "SheetDrift", "SheetInfo", "SourcesConfig",
    "discover", "frame_columns", "load_sources_config", "open_drive", "read_file",
]
