"""Entity resolution (which rows are the same worker) and survivorship (which value each field keeps)."""

from tka.match.config import MatchConfig, load_config
from tka.match.evaluate import exact_passport_baseline, pairwise_scores
from tka.match.resolve import resolve
from tka.match.survive import survive

__all__ = ["MatchConfig", "exact_passport_baseline", "load_config", "pairwise_scores", "resolve", "survive"]
