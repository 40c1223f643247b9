"""Request bodies the API tests start from."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any


def assignment_body(login: str = "octocat", **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "candidate": {"login": login, "name": "Mona Lisa", "email": "mona@example.com"},
        "artifact_id": "test-sample",
        "variables": {"company": "Globex", "seats": 25},
        "reviewers": [
            {"login": "lead-eng", "role": "lead", "weight": 2},
            {"login": "second-eng", "role": "engineer"},
            {"login": "hiring-manager", "role": "observer"},
        ],
        "deadline": (datetime.now(UTC) + timedelta(days=3)).isoformat(),
        "external_ids": {"greenhouse_application_id": "12345"},
    }
    body.update(overrides)
    return body
