"""The scoring model of the scorecards (`standards/scoring.yml`): rule thresholds and weights, dimension
weights, the pass mark and the single-veto items, as validated data."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines.paths import SCORING_FILE
from pipelines.standards.registry import StandardsInvalid
from pipelines.standards.spec import Dimension
from pipelines.yamlio import load_validated

DEFAULT_RULE = "*"  # the seed's row for a rule without a threshold or weight of its own


class RuleScoring(BaseModel):
    """When a rule is met (its failure rate at or under its threshold), and what it weighs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_failure_rate: float = Field(ge=0, lt=1)
    thresholds: dict[str, float] = Field(default_factory=dict)
    weights: dict[str, float] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _rates_and_weights_in_range(self) -> RuleScoring:
        bad = [f"{r}={v}" for r, v in self.thresholds.items() if not 0 <= v < 1]
        bad += [f"{r} weight {w}" for r, w in self.weights.items() if w <= 0]
        if bad:
            raise ValueError(f"thresholds must be in [0, 1) and weights positive: {', '.join(bad)}")
        return self

    def rows(self) -> list[tuple[str, float, float]]:
        """(rule, max failure rate, weight) for every rule named, and the default row (`*`)."""
        named = sorted(set(self.thresholds) | set(self.weights))
        return [(DEFAULT_RULE, self.max_failure_rate, 1.0)] + [
            (r, self.thresholds.get(r, self.max_failure_rate), self.weights.get(r, 1.0)) for r in named
        ]


class Vetoes(BaseModel):
    """Single-veto items (单项否决): each fails a department for the period whatever it scores."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dormant_resource: bool = True
    missing_cycle: bool = True
    completeness_floor: float | None = Field(0.95, gt=0, le=1)
    not_shared_exposed: bool = True  # reported by whoever found it: pipelines/quality/exposures.py


class Scoring(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pass_mark: float = Field(gt=0, le=1)
    weights: dict[Dimension, float]
    rules: RuleScoring
    vetoes: Vetoes = Vetoes()
    timeliness_grace_days: int = Field(0, ge=0)
    dormant_after_cycles: int = Field(3, ge=1)
    spot_check_confidence: float = Field(0.95, gt=0, lt=1)

    @model_validator(mode="after")
    def _every_dimension_weighted_once(self) -> Scoring:
        if set(self.weights) != set(Dimension):
            raise ValueError(f"weights must name every dimension: {sorted(d.value for d in Dimension)}")
        if abs(sum(self.weights.values()) - 1) > 1e-9 or min(self.weights.values()) < 0:
            raise ValueError("weights must be non-negative and sum to 1")
        return self


def load_scoring() -> Scoring:
    return load_validated(SCORING_FILE, Scoring, StandardsInvalid)
