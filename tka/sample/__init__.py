"""The sample shared-drive generator and its ground truth (see docs/contracts.md)."""

from tka.sample.drive import generate_drive

__all__ = ["generate_drive"]
