"""combine() picks the review that counts per reviewer, independent of delivery order and repeats."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.scoring.builders import RUBRIC, T0, record
from worksample.scoring import ReviewRecord, ReviewState, combine, parse_review_state, parse_scorecard

FULL = "rollback: 3\ncomms: 3"
OTHER = "rollback: 4\ncomms: 4"
PARTIAL = "rollback: 3"


def _counted(records: list[ReviewRecord]) -> dict[int, int | None]:
    return {rid: (r.counted.review_id if r.counted else None) for rid, r in combine(records).items()}


def test_latest_complete_review_counts_per_reviewer() -> None:
    records = [record(1, 10, FULL), record(1, 11, OTHER, minutes=5), record(2, 20, FULL, minutes=1)]
    assert _counted(records) == {1: 11, 2: 20}


def test_incomplete_later_review_leaves_the_earlier_complete_one_counting() -> None:
    combined = combine([record(1, 10, FULL, minutes=0), record(1, 11, PARTIAL, minutes=5)])
    assert combined[1].counted is not None
    assert combined[1].counted.review_id == 10
    assert combined[1].latest is not None
    assert combined[1].latest.review_id == 11


def test_plain_comment_never_counts() -> None:
    combined = combine([record(1, 10, "LGTM", state=ReviewState.COMMENTED)])
    assert combined[1].counted is None
    assert combined[1].latest is not None


def test_dismissal_withdraws_and_falls_back_to_the_previous_complete_review() -> None:
    submitted = [record(1, 10, FULL, minutes=0), record(1, 11, OTHER, minutes=5)]
    dismissed = record(1, 11, OTHER, minutes=5, state=ReviewState.DISMISSED)
    assert _counted([*submitted, dismissed]) == {1: 10}
    flag_only = record(1, 11, OTHER, minutes=5, dismissed=True)
    assert _counted([*submitted, flag_only]) == {1: 10}
    only = combine([record(1, 10, FULL), record(1, 10, FULL, dismissed=True)])
    assert only[1].counted is None
    assert only[1].latest is None


def test_same_timestamp_breaks_ties_by_review_id() -> None:
    assert _counted([record(1, 12, FULL), record(1, 11, OTHER)]) == {1: 12}


def test_edit_before_submit_converges_with_revision() -> None:
    submit = record(1, 10, PARTIAL, revision=1)
    edit = record(1, 10, FULL, revision=2)
    for order in ([submit, edit], [edit, submit], [edit, submit, edit, submit]):
        merged = combine(order)[1]
        assert merged.counted is not None
        assert merged.counted.scorecard.scores == {"rollback": 3, "comms": 3}


def test_without_revision_a_complete_copy_beats_an_incomplete_one() -> None:
    assert _counted([record(1, 10, FULL), record(1, 10, PARTIAL)]) == {1: 10}
    assert _counted([record(1, 10, PARTIAL), record(1, 10, FULL)]) == {1: 10}


def test_review_id_claimed_by_two_reviewers_is_refused() -> None:
    with pytest.raises(ValueError, match="attributed to several reviewers"):
        combine([record(1, 10, FULL), record(2, 10, FULL)])


def test_records_need_aware_timestamps_and_a_parsed_state() -> None:
    scorecard = parse_scorecard(FULL, RUBRIC)
    with pytest.raises(ValueError, match="timezone-aware"):
        ReviewRecord(1, 10, ReviewState.APPROVED, scorecard, datetime(2026, 1, 1))
    with pytest.raises(TypeError, match="parse_review_state"):
        ReviewRecord(1, 10, "APPROVED", scorecard, T0)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("raw", "state"),
    [
        ("APPROVED", ReviewState.APPROVED),
        ("changes_requested", ReviewState.CHANGES_REQUESTED),
        ("Commented", ReviewState.COMMENTED),
        ("dismissed", ReviewState.DISMISSED),
    ],
)
def test_parse_review_state(raw: str, state: ReviewState) -> None:
    assert parse_review_state(raw) is state


def test_parse_review_state_refuses_unknown() -> None:
    with pytest.raises(ValueError, match="unknown review state 'PENDING'"):
        parse_review_state("PENDING")


_DECISIONS = [ReviewState.APPROVED, ReviewState.CHANGES_REQUESTED, ReviewState.COMMENTED]
_BODIES = [FULL, OTHER, PARTIAL, "LGTM", "rollback: 9\ncomms: 1"]


@st.composite
def review_histories(draw: st.DrawFn) -> list[ReviewRecord]:
    """Several reviewers' reviews, with edits (same id, other body/revision) and dismissals."""
    records = []
    for review_id in range(1, draw(st.integers(1, 8)) + 1):
        reviewer = draw(st.integers(1, 3))
        minutes = draw(st.integers(0, 5))  # collisions exercise the review-id tie-break
        state = draw(st.sampled_from(_DECISIONS))
        for _ in range(draw(st.integers(1, 3))):
            records.append(
                record(
                    reviewer,
                    review_id,
                    draw(st.sampled_from(_BODIES)),
                    state=state,
                    minutes=minutes,
                    revision=draw(st.integers(0, 2)),
                    dismissed=draw(st.booleans()) and draw(st.booleans()),
                )
            )
    return records


@settings(deadline=None)
@given(review_histories(), st.data())
def test_combine_is_order_and_duplicate_independent(records: list[ReviewRecord], data: st.DataObject) -> None:
    expected = combine(records)
    shuffled = data.draw(st.permutations(records))
    repeated = data.draw(st.lists(st.sampled_from(records), max_size=10)) if records else []
    assert combine([*shuffled, *repeated]) == expected
    assert combine(reversed(records)) == expected
    for reviews in expected.values():
        if reviews.counted is not None:
            assert reviews.counted.counts
