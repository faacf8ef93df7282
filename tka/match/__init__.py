"""Entity resolution (which rows are the same worker) and survivorship (which value each field keeps)."""

from tka.match.config import MatchConfig, load_config, load_survivorship
from tka.match.evaluate import exact_passport_baseline, pairwise_scores, truth_by_record
from tka.match.resolve import resolve
from tka.match.survive import build_workers, survive

__all__ = [
    "MatchConfig",
    "build_workers",
    "exact_passport_baseline",
    "load_config",
    "load_survivorship",
    "pairwise_scores",
    "resolve",
    "survive",
    "truth_by_record",
]
