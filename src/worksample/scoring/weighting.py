"""Turning scores into numbers: per-reviewer weighted score, reviewer weights, recommendations.

Normalisation. A reviewer's score is ``100 × Σ wᵢ·(sᵢ − 1) / (3 · Σ wᵢ)`` over the criteria they
scored, where ``sᵢ`` is the 1–4 score and ``wᵢ`` the rubric weight. So 1 on every criterion is 0,
4 on every criterion is 100, and the scale is linear in between (all 3s → 66.7). Optional criteria a
reviewer left out are excluded from both sums, so skipping one neither helps nor hurts.

Exactness. Weights arrive as floats (``0.1``) in the rubric; each is read through its shortest
decimal form and all arithmetic is done in :class:`fractions.Fraction`, which is exact, so the order
in which reviewers or criteria are visited can never change a result. Rounding happens once, when a
number is reported: half-even to one decimal (:func:`report`), e.g. 12.25 → 12.2 and 12.35 → 12.4.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from pydantic import BaseModel, ConfigDict, Field, field_validator

from worksample.artifacts.model import MAX_SCORE, MIN_SCORE, Rubric

_SPAN = MAX_SCORE - MIN_SCORE


class Recommendation(StrEnum):
    HIRE = "hire"
    NO_HIRE = "no_hire"
    NO_DECISION = "no_decision"


class ReviewerRole(StrEnum):
    LEAD = "lead"  # the lead engineer: largest weight by default, may veto a hire
    ENGINEER = "engineer"
    OBSERVER = "observer"  # e.g. a shadowing interviewer: scores are shown but weigh nothing by default


_STATE_RECOMMENDATION = {
    "approved": Recommendation.HIRE,
    "changes_requested": Recommendation.NO_HIRE,
    "commented": Recommendation.NO_DECISION,
}


def recommendation_from_state(state: str) -> Recommendation:
    """A GitHub review state → a recommendation. Webhooks say ``approved``, REST says ``APPROVED``."""
    try:
        return _STATE_RECOMMENDATION[state.strip().lower()]
    except KeyError:
        known = ", ".join(sorted(_STATE_RECOMMENDATION))
        raise ValueError(
            f"review state {state!r} carries no recommendation (expected one of {known})"
        ) from None


_DEFAULT_ROLE_WEIGHTS = {
    ReviewerRole.LEAD: Decimal(3),
    ReviewerRole.ENGINEER: Decimal(1),
    ReviewerRole.OBSERVER: Decimal(0),
}


class ScoringPolicy(BaseModel):
    """An organisation's scoring policy. Built from stored JSON, so every field is validated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # Roles an organisation does not mention keep their default weight.
    role_weights: dict[ReviewerRole, Decimal] = Field(default_factory=lambda: dict(_DEFAULT_ROLE_WEIGHTS))
    # On by default: hiring over the lead engineer's objection should be a decision a person makes
    # explicitly, not an outcome of arithmetic.
    lead_veto: bool = True

    @field_validator("role_weights", mode="after")
    @classmethod
    def _complete_and_sane(cls, weights: dict[ReviewerRole, Decimal]) -> dict[ReviewerRole, Decimal]:
        for role, weight in weights.items():
            if not weight.is_finite() or weight < 0 or weight > 1000:
                raise ValueError(f"weight for role {role.value!r} must be between 0 and 1000, got {weight}")
        return {**_DEFAULT_ROLE_WEIGHTS, **weights}

    def weight_for(self, role: ReviewerRole) -> Decimal:
        return self.role_weights[role]


class Reviewer(BaseModel):
    """One of the assignment's reviewers. Keyed by GitHub's numeric id: logins change."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: int = Field(gt=0)
    # GitHub's login rule, which the assignment.scored event schema also enforces.
    login: str = Field(pattern=r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
    role: ReviewerRole = ReviewerRole.ENGINEER
    # Overrides the policy's weight for this role on this assignment.
    weight: Decimal | None = Field(default=None, ge=0, le=1000, allow_inf_nan=False)

    def effective_weight(self, policy: ScoringPolicy) -> Decimal:
        return self.weight if self.weight is not None else policy.weight_for(self.role)


def exact(weight: float | Decimal) -> Fraction:
    """A weight as the exact fraction of its shortest decimal form: ``0.1`` → 1/10, not 0.1000…055."""
    if isinstance(weight, float):
        if not math.isfinite(weight):
            raise ValueError(f"weight must be finite, got {weight!r}")
        return Fraction(Decimal(repr(weight)))
    if not weight.is_finite():
        raise ValueError(f"weight must be finite, got {weight}")
    return Fraction(weight)


def report(value: Fraction, places: int = 1) -> Decimal:
    """Round half-even to ``places`` decimals: the only rounding applied to any reported number."""
    # Fraction.__round__ without ndigits rounds half to even, exactly.
    return Decimal(round(value * 10**places)).scaleb(-places)


def reviewer_score(rubric: Rubric, scores: Mapping[str, int]) -> Fraction:
    """A reviewer's weighted score on 0–100, exact (see the module docstring for the formula)."""
    known = {criterion.id for criterion in rubric.criteria}
    unknown = sorted(set(scores) - known)
    if unknown:
        raise ValueError(f"scores for criteria not in the rubric: {', '.join(unknown)}")
    numerator = Fraction(0)
    denominator = Fraction(0)
    for criterion in rubric.criteria:
        score = scores.get(criterion.id)
        if score is None:
            if criterion.required:
                raise ValueError(f"required criterion {criterion.id!r} has no score")
            continue
        if isinstance(score, bool) or not isinstance(score, int) or not MIN_SCORE <= score <= MAX_SCORE:
            raise ValueError(
                f"score for {criterion.id!r} must be an integer {MIN_SCORE}–{MAX_SCORE}, got {score!r}"
            )
        weight = exact(criterion.weight)
        numerator += weight * (score - MIN_SCORE)
        denominator += weight * _SPAN
    if denominator == 0:
        raise ValueError("no criterion was scored")
    return 100 * numerator / denominator


def weighted_mean(pairs: list[tuple[Fraction, Fraction]]) -> Fraction | None:
    """Σ weight·value / Σ weight over (weight, value) pairs; None when the weights sum to zero."""
    total = sum((weight for weight, _ in pairs), Fraction(0))
    if total == 0:
        return None
    return sum((weight * value for weight, value in pairs), Fraction(0)) / total


def overall_recommendation(
    votes: list[tuple[ReviewerRole, Fraction, Recommendation]], policy: ScoringPolicy
) -> tuple[Recommendation, bool]:
    """Weighted vote of (role, weight, recommendation); returns (recommendation, lead veto applied).

    Hire when the weight behind "hire" exceeds the weight behind "no hire", no hire when it is the
    other way round, no decision on a tie or when nobody with weight decided. With ``lead_veto``, a
    lead's "changes requested" turns a hire into a no hire whatever the lead's weight.
    """
    hire = sum((w for _, w, rec in votes if rec is Recommendation.HIRE), Fraction(0))
    no_hire = sum((w for _, w, rec in votes if rec is Recommendation.NO_HIRE), Fraction(0))
    if hire > no_hire:
        outcome = Recommendation.HIRE
    elif no_hire > hire:
        outcome = Recommendation.NO_HIRE
    else:
        outcome = Recommendation.NO_DECISION
    lead_objects = any(role is ReviewerRole.LEAD and rec is Recommendation.NO_HIRE for role, _, rec in votes)
    if policy.lead_veto and outcome is Recommendation.HIRE and lead_objects:
        return Recommendation.NO_HIRE, True
    return outcome, False
