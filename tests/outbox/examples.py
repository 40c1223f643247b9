"""One realistic ``data`` per event type, shared by the outbox tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

AT = datetime(2026, 11, 26, 1, 30, tzinfo=UTC)
REPO = "https://github.com/acme-hiring/ws-api-octocat"
PR = f"{REPO}/pull/1"
SHA = "6dcb09b5b57875f334f61aebed695e2e4193db5e"


def _common(status: str, version: int = 1) -> dict[str, Any]:
    return {
        "assignment_id": "asg_01JDQ4",
        "version": version,
        "external_ids": {"greenhouse_application_id": "88312", "greenhouse_interview_id": "gh-4411"},
        "status": status,
    }


REVIEWER = {
    "login": "lead-eng",
    "role": "lead",
    "weight": 2,
    "score": 81.25,
    "recommendation": "hire",
    "review_state": "approved",
    "review_url": f"{PR}#pullrequestreview-80",
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "assignment.created": {
        **_common("requested"),
        "artifact_id": "rate-limiter-api",
        "candidate_login": "octocat",
        "deadline_at": None,
        "time_limit_seconds": 4 * 3600,
    },
    "assignment.provisioned": {**_common("invited", 2), "repository_url": REPO},
    "assignment.invitation_accepted": {**_common("accepted", 3), "accepted_at": AT, "deadline_at": AT},
    "assignment.invitation_reissued": {
        **_common("invited", 3),
        "reissued_at": AT,
        "reissue_count": 1,
        "invitation_expires_at": "2026-12-03T01:30:00Z",
    },
    "assignment.submitted": {
        **_common("submitted", 4),
        "pull_request_url": PR,
        "head_sha": SHA,
        "submitted_at": AT,
        "on_time": True,
        "deadline_at": "2026-11-26T05:30:00Z",
    },
    "assignment.review_submitted": {**_common("in_review", 5), "reviewer": REVIEWER, "complete": True},
    "assignment.scored": {
        **_common("scored", 6),
        "score": 78.5,
        "recommendation": "hire",
        "criteria": [
            {
                "id": "correctness",
                "title": "Correctness",
                "weight": 3,
                "score": 87.5,
                "scores": {"lead-eng": 4, "peer-2": 3},
            },
            {
                "id": "tests",
                "title": "Tests",
                "weight": 1,
                "score": 50,
                "scores": {"lead-eng": 3, "peer-2": None},
            },
        ],
        "reviewers": [
            REVIEWER,
            {
                **REVIEWER,
                "login": "peer-2",
                "role": "reviewer",
                "weight": 1,
                "recommendation": "no_decision",
                "review_state": "commented",
            },
        ],
        "pull_request_url": PR,
        "scored_at": AT,
    },
    "assignment.score_withdrawn": {
        **_common("in_review", 7),
        "previous_score": 78.5,
        "withdrawn_at": AT,
        "pull_request_url": PR,
    },
    "assignment.lock_failed": {
        **_common("submitted", 5),
        "repository_url": REPO,
        "deadline_at": AT,
        "detected_at": AT,
        "expected_permission": "read",
        "actual_permission": "write",
    },
    "assignment.expired": {**_common("expired", 4), "expired_at": AT, "deadline_at": AT},
    "assignment.cancelled": {**_common("cancelled", 3), "cancelled_at": AT, "reason": "position filled"},
    "assignment.failed": {**_common("failed", 2), "failed_at": AT, "reason": "GitHub refused the repository"},
    "webhook.test": {"endpoint_id": "ep_7", "message": "Test event from worksample"},
}
