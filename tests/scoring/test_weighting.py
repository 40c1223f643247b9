"""Weighted scores: the normalisation, exact arithmetic, rounding and policy validation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from tests.scoring.builders import RUBRIC, criterion, make_rubric
from worksample.scoring import (
    Recommendation,
    Reviewer,
    ReviewerRole,
    ScoringPolicy,
    recommendation_from_state,
    reviewer_score,
)
from worksample.scoring.weighting import overall_recommendation, report


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ({"rollback": 1, "comms": 1}, Fraction(0)),
        ({"rollback": 4, "comms": 4}, Fraction(100)),
        ({"rollback": 4, "comms": 4, "obs": 4}, Fraction(100)),
        ({"rollback": 1, "comms": 1, "obs": 1}, Fraction(0)),
        # 100 × (2·2 + 1·0) / (3·3) = 400/9
        ({"rollback": 3, "comms": 1}, Fraction(400, 9)),
        # obs (0.5) included: 100 × (2·2 + 1·0 + 0.5·3) / (3·3.5) = 550/10.5
        ({"rollback": 3, "comms": 1, "obs": 4}, Fraction(1100, 21)),
    ],
)
def test_normalised_weighted_score(scores: dict[str, int], expected: Fraction) -> None:
    assert reviewer_score(RUBRIC, scores) == expected


def test_omitted_optional_criterion_is_out_of_numerator_and_denominator() -> None:
    without = reviewer_score(RUBRIC, {"rollback": 3, "comms": 3})
    assert without == reviewer_score(make_rubric(*RUBRIC.criteria[:2]), {"rollback": 3, "comms": 3})
    assert report(without) == Decimal("66.7")


def test_float_weights_are_read_as_decimals() -> None:
    rubric = make_rubric(criterion("a", "A", 0.1), criterion("b", "B", 0.2))
    # With binary floats 0.1 + 0.2 != 0.3 and the weights would not be exactly 1:2.
    assert reviewer_score(rubric, {"a": 4, "b": 1}) == Fraction(100, 3)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(1225, 100), "12.2"),  # half to even
        (Fraction(1235, 100), "12.4"),
        (Fraction(400, 9), "44.4"),
        (Fraction(200, 3), "66.7"),
        (Fraction(100), "100.0"),
        (Fraction(0), "0.0"),
    ],
)
def test_reported_numbers_round_half_even_to_one_decimal(value: Fraction, expected: str) -> None:
    assert str(report(value)) == expected


@pytest.mark.parametrize(
    ("scores", "message"),
    [
        ({"rollback": 3}, "required criterion 'comms' has no score"),
        ({"rollback": 3, "comms": 5}, "must be an integer 1–4"),
        ({"rollback": 3, "comms": True}, "must be an integer 1–4"),
        ({"rollback": 3, "comms": 2, "speed": 4}, "not in the rubric: speed"),
    ],
)
def test_reviewer_score_refuses_bad_scores(scores: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        reviewer_score(RUBRIC, scores)


@given(st.lists(st.integers(1, 4), min_size=3, max_size=3), st.booleans())
def test_score_always_within_0_and_100(levels: list[int], with_optional: bool) -> None:
    scores = dict(zip(["rollback", "comms", "obs"], levels, strict=True))
    if not with_optional:
        del scores["obs"]
    assert 0 <= reviewer_score(RUBRIC, scores) <= 100


@pytest.mark.parametrize(
    ("state", "expected"),
    [
        ("APPROVED", Recommendation.HIRE),
        ("approved", Recommendation.HIRE),
        ("CHANGES_REQUESTED", Recommendation.NO_HIRE),
        ("changes_requested", Recommendation.NO_HIRE),
        ("COMMENTED", Recommendation.NO_DECISION),
        (" Commented ", Recommendation.NO_DECISION),
    ],
)
def test_recommendation_from_review_state(state: str, expected: Recommendation) -> None:
    assert recommendation_from_state(state) is expected


@pytest.mark.parametrize("state", ["dismissed", "PENDING", "", "lgtm"])
def test_states_without_a_recommendation_are_refused(state: str) -> None:
    with pytest.raises(ValueError, match="carries no recommendation"):
        recommendation_from_state(state)


def test_default_policy_gives_the_lead_the_largest_weight_and_a_veto() -> None:
    policy = ScoringPolicy()
    assert policy.lead_veto
    weights = {role: policy.weight_for(role) for role in ReviewerRole}
    assert weights == {ReviewerRole.LEAD: 3, ReviewerRole.ENGINEER: 1, ReviewerRole.OBSERVER: 0}


def test_policy_from_stored_json_keeps_defaults_for_roles_not_mentioned() -> None:
    policy = ScoringPolicy.model_validate_json('{"role_weights": {"engineer": 0.5}, "lead_veto": false}')
    assert policy.weight_for(ReviewerRole.ENGINEER) == Decimal("0.5")
    assert policy.weight_for(ReviewerRole.LEAD) == 3
    assert not policy.lead_veto


@pytest.mark.parametrize(
    "payload",
    [
        '{"role_weights": {"engineer": -1}}',
        '{"role_weights": {"engineer": 1e9}}',
        '{"role_weights": {"intern": 1}}',
        '{"lead_veto": "maybe"}',
        '{"reviewer_weights": {}}',
    ],
)
def test_bad_policies_are_refused(payload: str) -> None:
    with pytest.raises(ValidationError):
        ScoringPolicy.model_validate_json(payload)


def test_policy_round_trips_through_stored_json() -> None:
    policy = ScoringPolicy(role_weights={ReviewerRole.LEAD: Decimal("2.5")}, lead_veto=False)
    assert ScoringPolicy.model_validate_json(policy.model_dump_json()) == policy


def test_reviewer_weight_override_and_validation() -> None:
    policy = ScoringPolicy()
    assert Reviewer(id=1, login="a", role=ReviewerRole.LEAD).effective_weight(policy) == 3
    assert Reviewer(id=1, login="a", role=ReviewerRole.LEAD, weight=Decimal(2)).effective_weight(policy) == 2
    bad_reviewers: list[dict[str, object]] = [
        {"id": 0, "login": "a"},
        {"id": 1, "login": ""},
        {"id": 1, "login": "-dash"},
        {"id": 1, "login": "dependabot[bot]"},
        {"id": 1, "login": "a", "weight": -1},
        {"id": 1, "login": "a", "weight": "NaN"},
        {"id": 1, "login": "a", "role": "intern"},
    ]
    for bad in bad_reviewers:
        with pytest.raises(ValidationError):
            Reviewer.model_validate(bad)


_LEAD, _ENG = ReviewerRole.LEAD, ReviewerRole.ENGINEER
_HIRE, _NO, _NONE = Recommendation.HIRE, Recommendation.NO_HIRE, Recommendation.NO_DECISION


@pytest.mark.parametrize(
    ("votes", "lead_veto", "expected"),
    [
        ([], True, (_NONE, False)),
        ([(_LEAD, 3, _HIRE), (_ENG, 1, _NO)], True, (_HIRE, False)),
        ([(_LEAD, 3, _NO), (_ENG, 1, _HIRE)], True, (_NO, False)),
        ([(_LEAD, 1, _NO), (_ENG, 1, _HIRE), (_ENG, 1, _HIRE)], True, (_NO, True)),
        ([(_LEAD, 1, _NO), (_ENG, 1, _HIRE), (_ENG, 1, _HIRE)], False, (_HIRE, False)),
        ([(_LEAD, 1, _HIRE), (_ENG, 1, _NO)], True, (_NONE, False)),
        ([(_LEAD, 3, _NONE), (_ENG, 1, _HIRE)], True, (_HIRE, False)),
        ([(_ENG, 0, _HIRE)], True, (_NONE, False)),  # weight 0 moves nothing
    ],
)
def test_overall_recommendation(
    votes: list[tuple[ReviewerRole, int, Recommendation]],
    lead_veto: bool,
    expected: tuple[Recommendation, bool],
) -> None:
    policy = ScoringPolicy(lead_veto=lead_veto)
    exact_votes = [(role, Fraction(weight), rec) for role, weight, rec in votes]
    assert overall_recommendation(exact_votes, policy) == expected
