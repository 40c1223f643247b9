"""An organisation's scoring policy, as stored in ``organizations.scoring_policy``.

One source of truth: the stored JSON is :class:`worksample.scoring.ScoringPolicy`'s fields (reviewer
weights per role, the lead engineer's veto) plus ``require_all_reviewers``, which decides when an
assignment counts as scored. ``DEFAULT_SCORING_POLICY`` in ``db/models.py`` is exactly this model's
defaults (a test holds them together), and the API takes a reviewer's default weight from here.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from worksample.scoring import ReviewerRole, ScoringPolicy


class PolicyError(ValueError):
    """The stored policy cannot be used; the message says which field is wrong."""


class OrganizationPolicy(BaseModel):
    # extra="ignore": keys an older release stored (``pass_threshold``) must not stop scoring.
    model_config = ConfigDict(frozen=True, extra="ignore")

    role_weights: dict[ReviewerRole, Decimal] = Field(default_factory=lambda: ScoringPolicy().role_weights)
    lead_veto: bool = ScoringPolicy().lead_veto
    # False: scored once the lead engineer's scorecard counts (or, without a lead, any weighted
    # reviewer's); True: only when every reviewer with a weight has a counted scorecard.
    require_all_reviewers: bool = False

    def scoring(self) -> ScoringPolicy:
        return ScoringPolicy(role_weights=dict(self.role_weights), lead_veto=self.lead_veto)

    def weight_for(self, role: str) -> float:
        return float(self.scoring().weight_for(ReviewerRole(role)))

    def to_json(self) -> dict[str, Any]:
        return {
            "role_weights": {role.value: float(w) for role, w in sorted(self.scoring().role_weights.items())},
            "lead_veto": self.lead_veto,
            "require_all_reviewers": self.require_all_reviewers,
        }


def organization_policy(stored: dict[str, Any] | None) -> OrganizationPolicy:
    try:
        policy = OrganizationPolicy.model_validate(stored or {})
        policy.scoring()  # ScoringPolicy's own checks (weights 0–1000, finite)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in error['loc']) or 'policy'}: {error['msg']}" for error in exc.errors()
        )
        raise PolicyError(f"the organisation's scoring policy is invalid: {problems}") from None
    return policy
