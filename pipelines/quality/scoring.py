"""The scoring rules of the scorecards (`standards/scoring.yml`): dimension weights and the pass mark."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipelines.paths import SCORING_FILE
from pipelines.standards.registry import StandardsInvalid
from pipelines.standards.spec import Dimension
from pipelines.yamlio import load_validated


class Scoring(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pass_mark: float = Field(gt=0, le=1)
    weights: dict[Dimension, float]
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
