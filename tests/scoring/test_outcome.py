"""score_assignment: combining reviewers, recommendations, the breakdown and the event data."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.scoring.builders import RUBRIC, record
from worksample.outbox.events import ASSIGNMENT_SCORED, build_event
from worksample.scoring import (
    Recommendation,
    Reviewer,
    ReviewerRole,
    ReviewRecord,
    ReviewState,
    ScoringPolicy,
    score_assignment,
)

LEAD = Reviewer(id=1, login="lead-lu", role=ReviewerRole.LEAD)
ENG = Reviewer(id=2, login="eng-eve", role=ReviewerRole.ENGINEER)
OBS = Reviewer(id=3, login="obs-otto", role=ReviewerRole.OBSERVER)
TEAM = [OBS, ENG, LEAD]

ALL_FOURS = "rollback: 4\ncomms: 4\nobs: 4"
ALL_ONES = "rollback: 1\ncomms: 1"
MIXED = "rollback: 3\ncomms: 2\nobs: 4"  # 100 × (2·2 + 1·1 + 0.5·3)/(3·3.5) = 61.904… → 61.9


def _event(data: dict[str, Any]) -> dict[str, Any]:
    """Build the real outbox event around our fields: proves to_dict() fits the published schema."""
    full = {
        "assignment_id": "asg_1",
        "version": 1,
        "external_ids": {},
        "status": "scored",
        "pull_request_url": "https://github.com/acme/ws-1/pull/1",
        "scored_at": "2026-11-20T10:00:00Z",
        **data,
    }
    body = build_event(ASSIGNMENT_SCORED, full, timestamp=datetime(2026, 11, 20, 10, tzinfo=UTC))
    parsed: dict[str, Any] = json.loads(body)
    return parsed


def test_nothing_scored_yet() -> None:
    result = score_assignment(RUBRIC, TEAM, [record(1, 10, "LGTM", state=ReviewState.COMMENTED)])
    assert result.score is None
    assert not result.is_scored
    assert result.recommendation is Recommendation.NO_DECISION
    assert [r.status for r in result.reviewers] == ["pending", "pending", "pending"]
    with pytest.raises(ValueError, match="nothing is scored yet"):
        result.to_dict()


def test_single_lead_score_and_reviewer_order() -> None:
    result = score_assignment(RUBRIC, TEAM, [record(1, 10, MIXED)])
    assert result.score == Decimal("61.9")
    assert result.recommendation is Recommendation.HIRE
    assert [r.login for r in result.reviewers] == ["lead-lu", "eng-eve", "obs-otto"]  # lead first
    lead = result.reviewers[0]
    assert lead.status == "scored"
    assert (lead.score, lead.weight) == (Decimal("61.9"), Decimal(3))
    assert lead.recommendation is Recommendation.HIRE


def test_reviewers_combine_by_weight_renormalised_over_those_present() -> None:
    reviews = [
        record(1, 10, ALL_FOURS),  # lead 100, weight 3
        record(2, 20, ALL_ONES, state=ReviewState.CHANGES_REQUESTED),  # engineer 0, weight 1
        record(3, 30, ALL_ONES, state=ReviewState.CHANGES_REQUESTED),  # observer 0, weight 0
    ]
    result = score_assignment(RUBRIC, TEAM, reviews)
    assert result.score == Decimal("75.0")  # (3·100 + 1·0) / 4; the observer moves nothing
    assert result.recommendation is Recommendation.HIRE  # 3 for hire against 1 (+0) against
    assert not result.lead_veto_applied
    without_engineer = score_assignment(RUBRIC, TEAM, reviews[:1] + reviews[2:])
    assert without_engineer.score == Decimal("100.0")


def test_lead_changes_requested_vetoes_a_hire() -> None:
    team = [LEAD, ENG, Reviewer(id=4, login="eng-2", role=ReviewerRole.ENGINEER, weight=Decimal(5))]
    reviews = [
        record(1, 10, ALL_ONES, state=ReviewState.CHANGES_REQUESTED),
        record(2, 20, ALL_FOURS),
        record(4, 40, ALL_FOURS),
    ]
    vetoed = score_assignment(RUBRIC, team, reviews)
    assert vetoed.recommendation is Recommendation.NO_HIRE
    assert vetoed.lead_veto_applied
    allowed = score_assignment(RUBRIC, team, reviews, ScoringPolicy(lead_veto=False))
    assert allowed.recommendation is Recommendation.HIRE
    assert vetoed.score == allowed.score == Decimal("66.7")  # (3·0 + 1·100 + 5·100) / 9


def test_incomplete_dismissed_and_stranger_reviews_do_not_count() -> None:
    reviews = [
        record(1, 10, "rollback: 3", state=ReviewState.APPROVED),  # incomplete
        record(2, 20, ALL_FOURS),
        record(2, 20, ALL_FOURS, state=ReviewState.DISMISSED),  # dismissed copy of the same review
        record(99, 990, ALL_ONES, state=ReviewState.CHANGES_REQUESTED),  # not a reviewer
        record(3, 30, MIXED, state=ReviewState.COMMENTED),
    ]
    result = score_assignment(RUBRIC, TEAM, reviews)
    statuses = {r.login: r.status for r in result.reviewers}
    assert statuses == {"lead-lu": "incomplete", "eng-eve": "pending", "obs-otto": "scored"}
    # Only the observer (weight 0) counts: reported, but there is no weighted score to announce.
    assert result.score is None
    assert result.reviewers[2].score == Decimal("61.9")
    assert result.recommendation is Recommendation.NO_DECISION


def test_per_criterion_breakdown() -> None:
    reviews = [record(1, 10, "rollback: 4\ncomms: 2\nobs: 3"), record(2, 20, "rollback: 1\ncomms: 3")]
    result = score_assignment(RUBRIC, [LEAD, ENG], reviews)
    by_id = {c.criterion_id: c for c in result.criteria}
    rollback = by_id["rollback"]
    assert [(s.login, s.score) for s in rollback.scores] == [("lead-lu", 4), ("eng-eve", 1)]
    assert rollback.weighted_mean == Decimal("3.2")  # (3·4 + 1·1)/4 = 3.25 → half-even 3.2
    assert rollback.score == Decimal("75.0")  # (3.25 − 1)/3 × 100
    obs = by_id["obs"]
    assert [s.score for s in obs.scores] == [3, None]
    assert obs.weighted_mean == Decimal("3.0")  # only the lead scored it
    assert (obs.weight, obs.required) == (Decimal("0.5"), False)


def test_to_dict_is_the_event_data_and_passes_the_outbox_schema() -> None:
    reviews = [
        record(1, 10, MIXED, state=ReviewState.CHANGES_REQUESTED),
        record(2, 20, ALL_FOURS, login="eng-eve"),
        record(3, 30, "rollback: 3", state=ReviewState.COMMENTED),  # incomplete observer
    ]
    result = score_assignment(RUBRIC, TEAM, reviews)
    data = result.to_dict()
    assert data == {
        "score": 71.4,  # (3·61.904… + 1·100) / 4 = 71.428…
        "recommendation": "no_hire",
        "criteria": [
            # The observer's scorecard is incomplete, so only the two scored reviewers appear.
            {
                "id": "rollback",
                "title": "Rollback plan",
                "weight": 2.0,
                "score": 75.0,
                "scores": {"lead-lu": 3, "eng-eve": 4},
            },
            {
                "id": "comms",
                "title": "Stakeholder communication",
                "weight": 1.0,
                "score": 50.0,
                "scores": {"lead-lu": 2, "eng-eve": 4},
            },
            {
                "id": "obs",
                "title": "Observability",
                "weight": 0.5,
                "score": 100.0,
                "scores": {"lead-lu": 4, "eng-eve": 4},
            },
        ],
        "reviewers": [
            {
                "login": "lead-lu",
                "role": "lead",
                "weight": 3.0,
                "score": 61.9,
                "recommendation": "no_hire",
                "review_state": "changes_requested",
                "review_url": "https://github.com/acme/ws-1/pull/1#pullrequestreview-10",
            },
            {
                "login": "eng-eve",
                "role": "engineer",
                "weight": 1.0,
                "score": 100.0,
                "recommendation": "hire",
                "review_state": "approved",
                "review_url": "https://github.com/acme/ws-1/pull/1#pullrequestreview-20",
            },
            {
                "login": "obs-otto",
                "role": "observer",
                "weight": 0.0,
                "score": None,
                "recommendation": "no_decision",
                "review_state": "commented",
                "review_url": "https://github.com/acme/ws-1/pull/1#pullrequestreview-30",
            },
        ],
    }
    assert _event(data)["data"]["score"] == 71.4


def test_no_decision_recommendation_in_the_event() -> None:
    result = score_assignment(RUBRIC, [LEAD], [record(1, 10, ALL_FOURS, state=ReviewState.COMMENTED)])
    assert result.recommendation is Recommendation.NO_DECISION
    assert _event(result.to_dict())["data"]["recommendation"] == "no_decision"


def test_to_record_has_the_full_breakdown() -> None:
    result = score_assignment(RUBRIC, [LEAD, ENG], [record(1, 10, MIXED)])
    full = result.to_record()
    json.dumps(full)  # plain primitives only
    assert full["policy"] == {
        "lead_veto": True,
        "role_weights": {"engineer": 1.0, "lead": 3.0, "observer": 0.0},
    }
    lead, eng = full["reviewers"]
    assert lead["submitted_at"] == "2026-11-20T09:00:00Z"
    assert (lead["status"], lead["recommendation"], lead["review_id"]) == ("scored", "hire", 10)
    assert (eng["status"], eng["score"], eng["review_url"]) == ("pending", None, None)
    assert full["criteria"][0]["scores"] == [{"reviewer_id": 1, "login": "lead-lu", "score": 3}]
    assert full["criteria"][0]["weighted_mean"] == 3.0


def test_duplicate_reviewers_are_refused() -> None:
    with pytest.raises(ValueError, match="listed once"):
        score_assignment(RUBRIC, [LEAD, LEAD], [])


_BODIES = [ALL_FOURS, ALL_ONES, MIXED, "rollback: 2\ncomms: 3", "rollback: 3", "LGTM"]
_STATES = [ReviewState.APPROVED, ReviewState.CHANGES_REQUESTED, ReviewState.COMMENTED]


@st.composite
def histories(draw: st.DrawFn) -> list[ReviewRecord]:
    return [
        record(
            draw(st.sampled_from([1, 2, 3, 99])),
            review_id,
            draw(st.sampled_from(_BODIES)),
            state=draw(st.sampled_from(_STATES)),
            minutes=draw(st.integers(0, 3)),
            dismissed=draw(st.integers(0, 4)) == 0,
        )
        for review_id in range(1, draw(st.integers(0, 8)) + 1)
    ]


@settings(deadline=None)
@given(histories(), st.data())
def test_outcome_is_in_range_and_order_independent(records: list[ReviewRecord], data: st.DataObject) -> None:
    result = score_assignment(RUBRIC, TEAM, records)
    assert result.score is None or 0 <= result.score <= 100
    for reviewer in result.reviewers:
        assert reviewer.score is None or 0 <= reviewer.score <= 100
    shuffled = data.draw(st.permutations(records))
    again = score_assignment(RUBRIC, list(reversed(TEAM)), [*shuffled, *shuffled[:2]])
    assert again.to_record() == result.to_record()
    if result.is_scored:
        _event(result.to_dict())


def test_event_needs_every_reported_review_linked() -> None:
    unlinked = replace(record(1, 10, ALL_FOURS), html_url=None)
    result = score_assignment(RUBRIC, [LEAD], [unlinked])
    assert result.score == Decimal("100.0")
    with pytest.raises(ValueError, match="review 10 by lead-lu has no html_url"):
        result.to_dict()
