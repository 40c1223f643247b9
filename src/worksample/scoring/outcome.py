"""The assignment's result: combined score, recommendation, per-reviewer and per-criterion breakdown.

:func:`score_assignment` is what the review handlers call after every event. Its result speaks two
shapes of plain JSON primitives, both with stable numbers for the same inputs:

* ``to_dict()`` — the scoring part of the ``assignment.scored`` event's data, shaped to the
  outbox's schema (``outbox/schemas/assignment.scored.json``): ``score``, ``recommendation``,
  ``criteria`` and ``reviewers``. The handler adds ``assignment_id``, ``version``,
  ``external_ids``, ``status``, ``pull_request_url`` and ``scored_at``.
* ``to_record()`` — the full breakdown for storage and the reviewers' view: every reviewer's score
  on every criterion, weighted means on the 1–4 scale, statuses, ids and the policy applied.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

from worksample.artifacts.model import MAX_SCORE, MIN_SCORE, Rubric
from worksample.scoring._text import one_line
from worksample.scoring.reviews import ReviewerReviews, ReviewRecord, ReviewState, combine
from worksample.scoring.weighting import (
    Recommendation,
    Reviewer,
    ReviewerRole,
    ScoringPolicy,
    exact,
    overall_recommendation,
    recommendation_from_state,
    report,
    reviewer_score,
    weighted_mean,
)

ReviewerStatus = Literal["scored", "incomplete", "pending"]
_EVENT_TITLE_LENGTH = 120
_ROLE_ORDER = {ReviewerRole.LEAD: 0, ReviewerRole.ENGINEER: 1, ReviewerRole.OBSERVER: 2}


@dataclass(frozen=True)
class ReviewerResult:
    reviewer_id: int
    login: str
    role: ReviewerRole
    weight: Decimal
    # scored: a complete scorecard counts; incomplete: their latest scorecard needs fixing and none
    # counts yet; pending: no scorecard at all so far.
    status: ReviewerStatus
    score: Decimal | None  # 0–100, one decimal, when scored
    recommendation: Recommendation | None  # from the counted review's state
    review_state: ReviewState | None  # of the counted review, else of the latest one
    review_id: int | None
    review_url: str | None
    submitted_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """One ``reviewers[]`` item of the event; only for a reviewer with a review (see AssignmentScore)."""
        if self.review_state is None:
            raise ValueError(f"reviewer {self.login} has no review to report")
        if self.review_url is None:
            raise ValueError(
                f"review {self.review_id} by {self.login} has no html_url; the event links every review"
            )
        return {
            "login": self.login,
            "role": self.role.value,
            "weight": float(self.weight),
            "score": _number(self.score),
            # One vocabulary for recommendations (Recommendation), plus the GitHub review state it
            # came from; a dismissed review never gets here.
            "recommendation": recommendation_from_state(self.review_state.value).value,
            "review_state": self.review_state.value,
            "review_url": self.review_url,
        }

    def to_record(self) -> dict[str, Any]:
        return {
            "reviewer_id": self.reviewer_id,
            "login": self.login,
            "role": self.role.value,
            "weight": float(self.weight),
            "status": self.status,
            "score": _number(self.score),
            "recommendation": self.recommendation.value if self.recommendation else None,
            "review_state": self.review_state.value if self.review_state else None,
            "review_id": self.review_id,
            "review_url": self.review_url,
            "submitted_at": _timestamp(self.submitted_at),
        }


@dataclass(frozen=True)
class CriterionScore:
    reviewer_id: int
    login: str
    score: int | None  # None: an optional criterion this reviewer left out


@dataclass(frozen=True)
class CriterionBreakdown:
    criterion_id: str
    title: str
    weight: Decimal
    required: bool
    scores: tuple[CriterionScore, ...]  # one per scored reviewer
    weighted_mean: Decimal | None  # on the 1–4 scale, by reviewer weight, one decimal
    score: Decimal | None  # the same mean normalised to 0–100 (1 → 0, 4 → 100), one decimal

    def to_dict(self) -> dict[str, Any]:
        """One ``criteria[]`` item of the event; only for a criterion someone scored."""
        if self.score is None:
            raise ValueError(f"criterion {self.criterion_id} has no score to report")
        return {
            "id": self.criterion_id,
            "title": _clip(one_line(self.title), _EVENT_TITLE_LENGTH),
            "weight": float(self.weight),
            "score": float(self.score),
            # Each scoring reviewer's own 1–4 score: the ATS sees where reviewers disagree.
            "scores": {s.login: s.score for s in self.scores},
        }

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.criterion_id,
            "title": self.title,
            "weight": float(self.weight),
            "required": self.required,
            "scores": [
                {"reviewer_id": s.reviewer_id, "login": s.login, "score": s.score} for s in self.scores
            ],
            "weighted_mean": _number(self.weighted_mean),
            "score": _number(self.score),
        }


@dataclass(frozen=True)
class AssignmentScore:
    score: Decimal | None  # 0–100, one decimal; None until a reviewer with weight has scored
    recommendation: Recommendation
    lead_veto_applied: bool
    policy: ScoringPolicy
    reviewers: tuple[ReviewerResult, ...]
    criteria: tuple[CriterionBreakdown, ...]

    @property
    def is_scored(self) -> bool:
        """Whether there is a score to announce: at least one reviewer with weight has scored."""
        return self.score is not None

    def to_dict(self) -> dict[str, Any]:
        """The scoring fields of the ``assignment.scored`` event's data.

        Reviewers without any review yet, and criteria nobody scored (an optional one everyone left
        out), are left out: the event has no null for them. Raises ValueError before anything is
        scored, because there is then no event to send.
        """
        if self.score is None:
            raise ValueError("nothing is scored yet: no reviewer with weight has a complete scorecard")
        return {
            "score": float(self.score),
            "recommendation": self.recommendation.value,
            "criteria": [c.to_dict() for c in self.criteria if c.score is not None],
            "reviewers": [r.to_dict() for r in self.reviewers if r.review_state is not None],
        }

    def to_record(self) -> dict[str, Any]:
        return {
            "score": _number(self.score),
            "recommendation": self.recommendation.value,
            "lead_veto_applied": self.lead_veto_applied,
            "policy": {
                "lead_veto": self.policy.lead_veto,
                "role_weights": {
                    role.value: float(w) for role, w in sorted(self.policy.role_weights.items())
                },
            },
            "reviewers": [reviewer.to_record() for reviewer in self.reviewers],
            "criteria": [criterion.to_record() for criterion in self.criteria],
        }


def _number(value: Decimal | None) -> float | None:
    # One-decimal Decimals convert to the float with the same shortest repr, so JSON shows 72.5.
    return None if value is None else float(value)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _timestamp(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def score_assignment(
    rubric: Rubric,
    reviewers: Sequence[Reviewer],
    reviews: Iterable[ReviewRecord],
    policy: ScoringPolicy | None = None,
) -> AssignmentScore:
    """Score an assignment from every review record seen so far (see :func:`combine`).

    Reviews by anyone who is not one of ``reviewers`` are ignored. Only reviewers with a counted
    (complete, non-dismissed) scorecard contribute, with their weights renormalised over those
    present; a reviewer whose weight is 0 is reported but moves nothing.
    """
    policy = policy or ScoringPolicy()
    ids = [reviewer.id for reviewer in reviewers]
    if len(ids) != len(set(ids)):
        raise ValueError("each reviewer may be listed once")
    ordered = sorted(reviewers, key=lambda r: (_ROLE_ORDER[r.role], r.id))
    known = set(ids)
    combined = combine(review for review in reviews if review.reviewer_id in known)

    results: list[ReviewerResult] = []
    scored: list[tuple[Reviewer, Fraction, ReviewRecord]] = []
    for reviewer in ordered:
        weight = reviewer.effective_weight(policy)
        reviews_of = combined.get(reviewer.id, ReviewerReviews(reviewer.id, None, None))
        results.append(_reviewer_result(rubric, reviewer, weight, reviews_of))
        if reviews_of.counted is not None:
            scored.append((reviewer, exact(weight), reviews_of.counted))

    total = weighted_mean([(w, reviewer_score(rubric, rec.scorecard.scores)) for _, w, rec in scored])
    votes = [(r.role, w, recommendation_from_state(rec.state)) for r, w, rec in scored]
    recommendation, vetoed = overall_recommendation(votes, policy)
    return AssignmentScore(
        score=None if total is None else report(total),
        recommendation=recommendation,
        lead_veto_applied=vetoed,
        policy=policy,
        reviewers=tuple(results),
        criteria=tuple(_breakdown(rubric, scored)),
    )


def _reviewer_result(
    rubric: Rubric, reviewer: Reviewer, weight: Decimal, reviews: ReviewerReviews
) -> ReviewerResult:
    counted, latest = reviews.counted, reviews.latest
    if counted is not None:
        return ReviewerResult(
            reviewer_id=reviewer.id,
            login=reviewer.login,
            role=reviewer.role,
            weight=weight,
            status="scored",
            score=report(reviewer_score(rubric, counted.scorecard.scores)),
            recommendation=recommendation_from_state(counted.state),
            review_state=counted.state,
            review_id=counted.review_id,
            review_url=counted.html_url,
            submitted_at=counted.submitted_at,
        )
    status: ReviewerStatus = "incomplete" if latest is not None and latest.scorecard.found else "pending"
    return ReviewerResult(
        reviewer_id=reviewer.id,
        login=reviewer.login,
        role=reviewer.role,
        weight=weight,
        status=status,
        score=None,
        recommendation=None,
        review_state=latest.state if latest else None,
        review_id=latest.review_id if latest else None,
        review_url=latest.html_url if latest else None,
        submitted_at=latest.submitted_at if latest else None,
    )


def _breakdown(
    rubric: Rubric, scored: list[tuple[Reviewer, Fraction, ReviewRecord]]
) -> list[CriterionBreakdown]:
    breakdown = []
    for criterion in rubric.criteria:
        per_reviewer = [(r, w, rec.scorecard.scores.get(criterion.id)) for r, w, rec in scored]
        mean = weighted_mean([(w, Fraction(s)) for _, w, s in per_reviewer if s is not None])
        breakdown.append(
            CriterionBreakdown(
                criterion_id=criterion.id,
                title=criterion.title,
                weight=Decimal(repr(criterion.weight)),
                required=criterion.required,
                scores=tuple(CriterionScore(r.id, r.login, s) for r, _, s in per_reviewer),
                weighted_mean=None if mean is None else report(mean),
                score=None if mean is None else report(100 * (mean - MIN_SCORE) / (MAX_SCORE - MIN_SCORE)),
            )
        )
    return breakdown
