"""One scoring policy: the organisation column's default is exactly scoring.ScoringPolicy's default."""

from __future__ import annotations

from decimal import Decimal

import pytest

from worksample.db.models import DEFAULT_SCORING_POLICY, Organization
from worksample.review.policy import PolicyError, organization_policy
from worksample.scoring import ReviewerRole, ScoringPolicy


def test_stored_default_is_the_scoring_default() -> None:
    policy = organization_policy(DEFAULT_SCORING_POLICY)
    assert policy.scoring() == ScoringPolicy()
    assert policy.require_all_reviewers is False
    assert policy.to_json() == DEFAULT_SCORING_POLICY
    # The lead engineer weighs the most unless an organisation says otherwise.
    weights = policy.scoring().role_weights
    assert weights[ReviewerRole.LEAD] > weights[ReviewerRole.ENGINEER] > weights[ReviewerRole.OBSERVER]


def test_new_organisations_get_an_independent_copy() -> None:
    default = Organization.__table__.c.scoring_policy.default
    assert default is not None
    first, second = default.arg(None), default.arg(None)
    first["role_weights"]["lead"] = 10
    assert second == DEFAULT_SCORING_POLICY


def test_partial_and_legacy_policies() -> None:
    policy = organization_policy({"pass_threshold": 3.0, "role_weights": {"engineer": 2}, "lead_veto": False})
    assert policy.scoring().role_weights[ReviewerRole.ENGINEER] == Decimal(2)
    assert policy.scoring().role_weights[ReviewerRole.LEAD] == Decimal(3)
    assert policy.scoring().lead_veto is False
    assert organization_policy(None) == organization_policy({})


@pytest.mark.parametrize(
    ("stored", "named"),
    [
        ({"role_weights": {"lead": -1}}, "role_weights"),
        ({"role_weights": {"intern": 1}}, "role_weights.intern"),
        ({"lead_veto": "sometimes"}, "lead_veto"),
        ({"require_all_reviewers": [1]}, "require_all_reviewers"),
    ],
)
def test_invalid_policy_names_the_field(stored: dict[str, object], named: str) -> None:
    with pytest.raises(PolicyError, match=named):
        organization_policy(stored)
