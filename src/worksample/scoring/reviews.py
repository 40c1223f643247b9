"""Which review counts for each reviewer, whatever order GitHub delivered the events in.

GitHub duplicates, reorders and loses webhooks, so the handler keeps every review record it has
seen and calls :func:`combine` on the whole set after each event. ``combine`` depends only on the
*set* of records: the same records in any order, with any number of repeats, give the same answer.

Per reviewer the counted review is the latest (by ``submitted_at``, then review id) that is neither
dismissed nor incomplete. Dismissing it therefore falls back to the reviewer's previous complete
review, if any; an incomplete correction leaves the earlier complete scorecard standing until the
reviewer fixes it.

Several records for one review id (a submit and its edits, a dismissal) are merged first:
dismissal wins, as it is final on GitHub; otherwise the highest ``revision`` wins. The handler
should set ``revision`` from something ordered (e.g. an edit counter, or the time it fetched the
review from the REST API), because webhook payloads for an edit carry no timestamp of their own.
Without one, the tie falls to a complete scorecard over an incomplete one, then to a fixed but
arbitrary order, so the outcome is still deterministic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from worksample.scoring.parse import ScorecardResult


class ReviewState(StrEnum):
    APPROVED = "approved"
    CHANGES_REQUESTED = "changes_requested"
    COMMENTED = "commented"
    DISMISSED = "dismissed"


def parse_review_state(state: str) -> ReviewState:
    """Webhook (``approved``) and REST (``APPROVED``) spellings alike; anything else is refused."""
    try:
        return ReviewState(state.strip().lower())
    except ValueError:
        known = ", ".join(s.value for s in ReviewState)
        raise ValueError(f"unknown review state {state!r} (expected one of {known})") from None


@dataclass(frozen=True)
class ReviewRecord:
    reviewer_id: int  # GitHub's numeric user id
    review_id: int
    state: ReviewState
    scorecard: ScorecardResult
    submitted_at: datetime  # timezone-aware
    dismissed: bool = False
    reviewer_login: str = ""
    html_url: str | None = None
    revision: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.state, ReviewState):
            raise TypeError(f"state must be a ReviewState (use parse_review_state), got {self.state!r}")
        if self.submitted_at.tzinfo is None or self.submitted_at.utcoffset() is None:
            raise ValueError(f"review {self.review_id}: submitted_at must be timezone-aware")

    @property
    def is_dismissed(self) -> bool:
        # A dismissed review's state becomes "dismissed"; a handler may instead keep the original
        # state and set the flag. Either way it no longer counts.
        return self.dismissed or self.state is ReviewState.DISMISSED

    @property
    def counts(self) -> bool:
        return not self.is_dismissed and self.scorecard.is_complete


@dataclass(frozen=True)
class ReviewerReviews:
    reviewer_id: int
    counted: ReviewRecord | None  # the review whose scorecard and state are this reviewer's result
    latest: ReviewRecord | None  # the latest non-dismissed review, complete or not


def _recency(record: ReviewRecord) -> tuple[datetime, int]:
    return record.submitted_at, record.review_id


def _merge_one_review(copies: list[ReviewRecord]) -> ReviewRecord:
    reviewers = {copy.reviewer_id for copy in copies}
    if len(reviewers) > 1:
        raise ValueError(
            f"review {copies[0].review_id} is attributed to several reviewers: {sorted(reviewers)}"
        )
    dismissed = [copy for copy in copies if copy.is_dismissed]
    candidates = dismissed or copies
    # repr() is a total, content-only order over records: the last resort that keeps this
    # deterministic when two copies differ and nothing else ranks them.
    return max(
        candidates,
        key=lambda c: (c.revision, c.scorecard.is_complete, c.scorecard.found, repr(c)),
    )


def combine(reviews: Iterable[ReviewRecord]) -> dict[int, ReviewerReviews]:
    """Per reviewer id (ascending), the review that counts and the latest one."""
    by_review: dict[int, list[ReviewRecord]] = defaultdict(list)
    for record in reviews:
        by_review[record.review_id].append(record)

    by_reviewer: dict[int, list[ReviewRecord]] = defaultdict(list)
    for copies in by_review.values():
        merged = _merge_one_review(copies)
        by_reviewer[merged.reviewer_id].append(merged)

    combined: dict[int, ReviewerReviews] = {}
    for reviewer_id in sorted(by_reviewer):
        live = [r for r in by_reviewer[reviewer_id] if not r.is_dismissed]
        complete = [r for r in live if r.scorecard.is_complete]
        combined[reviewer_id] = ReviewerReviews(
            reviewer_id=reviewer_id,
            counted=max(complete, key=_recency) if complete else None,
            latest=max(live, key=_recency) if live else None,
        )
    return combined
