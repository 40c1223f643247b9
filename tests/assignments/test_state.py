"""Every edge of the assignment state machine, legal and illegal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worksample.assignments import (
    TERMINAL_STATUSES,
    AssignmentStatus,
    IllegalTransition,
    allowed_transitions,
    transition,
)
from worksample.assignments.state import MAX_REASON_LENGTH, created_entry

S = AssignmentStatus
AT = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

OPEN = (S.REQUESTED, S.PROVISIONING, S.INVITED, S.ACCEPTED, S.SUBMITTED, S.IN_REVIEW)
# Written out by hand, not derived from the module, so that the test can disagree with it.
LEGAL: set[tuple[S, S]] = {
    (S.REQUESTED, S.PROVISIONING),
    (S.PROVISIONING, S.INVITED),
    (S.INVITED, S.ACCEPTED),
    (S.ACCEPTED, S.SUBMITTED),
    (S.SUBMITTED, S.IN_REVIEW),
    (S.IN_REVIEW, S.SCORED),
    # A withdrawn score: the one way back out of a final state.
    (S.SCORED, S.IN_REVIEW),
    (S.INVITED, S.EXPIRED),
    (S.ACCEPTED, S.EXPIRED),
    *(
        (s, S.CANCELLED)
        for s in (S.REQUESTED, S.PROVISIONING, S.INVITED, S.ACCEPTED, S.SUBMITTED, S.IN_REVIEW)
    ),
    *((s, S.FAILED) for s in (S.REQUESTED, S.PROVISIONING, S.INVITED, S.ACCEPTED, S.SUBMITTED, S.IN_REVIEW)),
}
ALL_EDGES = [(a, b) for a in S for b in S]


def _reason_for(target: S) -> str | None:
    return "GitHub refused the repository name" if target is S.FAILED else None


@pytest.mark.parametrize(("source", "target"), sorted(LEGAL))
def test_legal_transition_yields_entry_and_bumps_version(source: S, target: S) -> None:
    result = transition(source, 7, target, at=AT, reason=_reason_for(target), detail={"by": "test"})
    assert result.status is target
    assert result.version == 8
    entry = result.entry
    assert (entry.from_status, entry.to_status, entry.version, entry.at) == (source, target, 8, AT)
    assert entry.kind == f"assignment.{target.value}"
    assert entry.detail["by"] == "test"


@pytest.mark.parametrize(("source", "target"), [edge for edge in ALL_EDGES if edge not in LEGAL])
def test_illegal_transition_is_refused(source: S, target: S) -> None:
    with pytest.raises(IllegalTransition) as info:
        transition(source, 3, target, at=AT, reason=_reason_for(target))
    assert info.value.from_status is source
    assert info.value.to_status is target
    assert f"cannot go from {source.value} to {target.value}" in str(info.value)


def test_allowed_transitions_matches_the_table() -> None:
    for source in S:
        assert allowed_transitions(source) == {b for a, b in LEGAL if a is source}


@pytest.mark.parametrize("status", sorted(TERMINAL_STATUSES))
def test_final_states_say_so(status: S) -> None:
    with pytest.raises(IllegalTransition, match="it is final"):
        transition(status, 1, S.CANCELLED, at=AT)


def test_failing_needs_a_reason_and_keeps_it() -> None:
    with pytest.raises(IllegalTransition, match="needs a reason"):
        transition(S.PROVISIONING, 2, S.FAILED, at=AT)
    with pytest.raises(IllegalTransition, match="needs a reason"):
        transition(S.PROVISIONING, 2, S.FAILED, at=AT, reason="   ")
    result = transition(S.PROVISIONING, 2, S.FAILED, at=AT, reason="  repository name taken  ")
    assert result.failure_reason == "repository name taken"
    assert result.entry.detail == {"reason": "repository name taken"}


def test_reason_refused_on_success_and_optional_on_cancel() -> None:
    with pytest.raises(IllegalTransition, match="takes a reason"):
        transition(S.REQUESTED, 1, S.PROVISIONING, at=AT, reason="because")
    cancelled = transition(S.INVITED, 3, S.CANCELLED, at=AT, reason="position filled")
    assert cancelled.failure_reason is None
    assert cancelled.entry.detail == {"reason": "position filled"}
    assert transition(S.INVITED, 3, S.CANCELLED, at=AT).entry.detail == {}


def test_long_reason_is_cut() -> None:
    result = transition(S.PROVISIONING, 2, S.FAILED, at=AT, reason="x" * (MAX_REASON_LENGTH + 50))
    assert result.failure_reason is not None
    assert len(result.failure_reason) == MAX_REASON_LENGTH
    assert result.failure_reason.endswith("…")


def test_strings_are_accepted_and_unknown_ones_refused() -> None:
    assert transition("requested", 1, "provisioning", at=AT).status is S.PROVISIONING
    with pytest.raises(ValueError, match="'finished' is not a valid AssignmentStatus"):
        transition("in_review", 1, "finished", at=AT)


def test_naive_time_and_bad_version_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        transition(S.REQUESTED, 1, S.PROVISIONING, at=datetime(2026, 1, 1))
    with pytest.raises(ValueError, match="at least 1"):
        transition(S.REQUESTED, 0, S.PROVISIONING, at=AT)


def test_detail_is_copied_not_shared() -> None:
    detail = {"step": "repo"}
    result = transition(S.REQUESTED, 1, S.PROVISIONING, at=AT, detail=detail)
    detail["step"] = "changed"
    assert result.entry.detail == {"step": "repo"}


def test_created_entry_is_version_one_requested() -> None:
    entry = created_entry(at=AT, detail={"artifact_id": "x"})
    assert (entry.kind, entry.from_status, entry.to_status, entry.version) == (
        "assignment.requested",
        None,
        S.REQUESTED,
        1,
    )


@given(st.lists(st.sampled_from(list(S)), max_size=30))
def test_any_walk_keeps_the_invariants(targets: list[S]) -> None:
    """Whatever is attempted: versions count accepted changes, final states stay final (but for a
    scored assignment whose score is withdrawn), and the status only ever moves along the table."""
    status, version, accepted = S.REQUESTED, 1, 0
    for target in targets:
        try:
            result = transition(status, version, target, at=AT, reason=_reason_for(target))
        except IllegalTransition:
            assert (status, target) not in LEGAL
            continue
        assert (status, target) in LEGAL
        assert status not in TERMINAL_STATUSES or (status, target) == (S.SCORED, S.IN_REVIEW)
        status, version, accepted = result.status, result.version, accepted + 1
    assert version == 1 + accepted
