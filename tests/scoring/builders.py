"""Rubrics and review records built in code, so scoring tests do not depend on the real artifacts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from worksample.artifacts.model import Criterion, Rubric
from worksample.scoring import ReviewRecord, ReviewState, parse_scorecard

ANCHORS = {
    1: "ANCHOR-ONE: never shown to candidates",
    2: "ANCHOR-TWO: never shown to candidates",
    3: "ANCHOR-THREE: never shown to candidates",
    4: "ANCHOR-FOUR: never shown to candidates",
}
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def criterion(cid: str, title: str, weight: float = 1.0, *, required: bool = True) -> Criterion:
    return Criterion(id=cid, title=title, weight=weight, required=required, anchors=ANCHORS)


def make_rubric(*criteria: Criterion) -> Rubric:
    return Rubric(criteria=criteria)


# rollback ×2, comms ×1 (required), obs ×0.5 (optional).
RUBRIC = make_rubric(
    criterion("rollback", "Rollback plan", 2),
    criterion("comms", "Stakeholder communication", 1),
    criterion("obs", "Observability", 0.5, required=False),
)


def record(
    reviewer_id: int,
    review_id: int,
    body: str | None,
    *,
    state: ReviewState = ReviewState.APPROVED,
    minutes: int = 0,
    dismissed: bool = False,
    revision: int = 0,
    rubric: Rubric = RUBRIC,
    login: str | None = None,
) -> ReviewRecord:
    return ReviewRecord(
        reviewer_id=reviewer_id,
        review_id=review_id,
        state=state,
        scorecard=parse_scorecard(body, rubric),
        submitted_at=T0 + timedelta(minutes=minutes),
        dismissed=dismissed,
        reviewer_login=login or f"user{reviewer_id}",
        html_url=f"https://github.com/acme/ws-1/pull/1#pullrequestreview-{review_id}",
        revision=revision,
    )
