"""Typed views of pandas frames that pandas' stubs cannot express."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd


def frame_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")`` for a frame labelled by strings, as every frame of this project is."""
    return cast("list[dict[str, Any]]", frame.to_dict("records"))


def where_or_none(mask: npt.ArrayLike, values: npt.ArrayLike) -> npt.NDArray[np.object_]:
    """``numpy.where(mask, values, None)``: an object array (numpy takes None as the filler; its stubs do not)."""
    return np.where(mask, values, None)  # type: ignore[call-overload]


def str_groups(frame: pd.DataFrame, column: str, *, sort: bool) -> Iterator[tuple[str, pd.DataFrame]]:
    """``frame.groupby(column, sort=sort)``'s (value, rows) pairs, for a column of strings."""
    return cast("Iterator[tuple[str, pd.DataFrame]]", iter(frame.groupby(column, sort=sort)))
