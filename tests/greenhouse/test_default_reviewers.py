"""The organisation's default reviewers: set through the API, checked, and used by send_test."""

from __future__ import annotations

from typing import Any

import pytest

from tests.greenhouse.conftest import ENGINEER, LEAD, FakeGreenhouse, Service
from tests.greenhouse.test_end_to_end import send_body


def bearer(service: Service) -> dict[str, str]:
    return {"Authorization": f"Bearer {service.key}"}


async def test_round_trip_and_weights_reach_the_assignment(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse
) -> None:
    empty = await greenhouse.client.get("/v1/organization/default-reviewers", headers=bearer(greenhouse))
    assert empty.json() == {"reviewers": []}
    body = {
        "reviewers": [
            {"login": "hubot", "role": "observer"},
            {"login": ENGINEER, "role": "engineer", "weight": 2},
            # For test-sample only, this lead replaces no one: the catch-all list has no lead.
            {"login": LEAD, "role": "lead", "weight": 5, "artifact_ids": ["test-sample"]},
        ]
    }
    await greenhouse.set_default_reviewers(body)
    stored = (
        await greenhouse.client.get("/v1/organization/default-reviewers", headers=bearer(greenhouse))
    ).json()
    assert [r["login"] for r in stored["reviewers"]] == ["hubot", ENGINEER, LEAD]

    sent = await greenhouse.client.post(
        "/greenhouse/send_test", json=send_body(fake_greenhouse.url()), auth=greenhouse.basic
    )
    assert sent.status_code == 200, sent.text
    assignment = (
        await greenhouse.client.get(
            f"/v1/assignments/{sent.json()['partner_interview_id']}", headers=bearer(greenhouse)
        )
    ).json()
    assert [(r["login"], r["role"], r["weight"]) for r in assignment["reviewers"]] == [
        (LEAD, "lead", 5.0),
        (ENGINEER, "engineer", 2.0),
        ("hubot", "observer", 0.0),
    ]
    assert assignment["external_ids"]["greenhouse_partner_test_id"] == "test-sample"
    assert assignment["candidate"]["name"] == "Mona Lisa"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"reviewers": [{"login": LEAD, "role": "lead", "artifact_ids": ["nope"]}]}, "unknown artifact"),
        ({"reviewers": [{"login": LEAD, "role": "engineer"}]}, "exactly one lead"),
        (
            {"reviewers": [{"login": LEAD, "role": "lead"}, {"login": ENGINEER, "role": "lead"}]},
            "exactly one lead",
        ),
        ({"reviewers": [{"login": LEAD, "role": "lead"}, {"login": LEAD, "role": "engineer"}]}, "twice"),
        ({"reviewers": [{"login": "-bad-", "role": "lead"}]}, "GitHub login"),
        ({"reviewers": [{"login": LEAD, "role": "observer", "weight": 1}]}, "observer"),
        ({"reviewers": [{"login": LEAD, "role": "lead", "extra": 1}]}, "extra"),
        ({"reviewers": "all of them"}, "list"),
    ],
)
async def test_bad_defaults_are_422(greenhouse: Service, body: dict[str, Any], needle: str) -> None:
    response = await greenhouse.client.put(
        "/v1/organization/default-reviewers", json=body, headers=bearer(greenhouse)
    )
    assert response.status_code == 422, response.text
    assert needle.lower() in response.text.lower()


async def test_defaults_need_the_bearer_key(greenhouse: Service) -> None:
    assert (await greenhouse.client.get("/v1/organization/default-reviewers")).status_code == 401
    put = await greenhouse.client.put("/v1/organization/default-reviewers", json={"reviewers": []})
    assert put.status_code == 401
