"""The project's ``config/sources.yaml`` and ``config/reference.yaml``, parsed once for the generator."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import yaml

from tka.settings import PROJECT_ROOT


@lru_cache(maxsize=1)
def reference() -> dict[str, Any]:
    """Parsed ``config/reference.yaml``."""
    return yaml.safe_load((PROJECT_ROOT / "config" / "reference.yaml").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def sources() -> dict[str, Any]:
    """Parsed ``config/sources.yaml``."""
    return yaml.safe_load((PROJECT_ROOT / "config" / "sources.yaml").read_text(encoding="utf-8"))
