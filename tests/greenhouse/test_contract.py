"""Every Greenhouse endpoint refuses bad credentials with 401, unknown ids with 404, malformed
requests with a 4xx that says why — and never answers 5xx, whatever it is sent."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from tests.conftest import make_api_key
from tests.greenhouse.conftest import FakeGreenhouse, Service, SmtpServer
from tests.greenhouse.test_end_to_end import send_body

ENDPOINTS: list[tuple[str, str]] = [
    ("GET", "/greenhouse/list_tests"),
    ("POST", "/greenhouse/send_test"),
    ("GET", "/greenhouse/test_status?partner_interview_id=x"),
    ("POST", "/greenhouse/response_error"),
]


def basic(user: str, password: str = "") -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


BAD_CREDENTIALS: list[dict[str, str]] = [
    {},
    {"Authorization": "Bearer wsk_000000000000_" + "a" * 43},
    {"Authorization": "Basic"},
    {"Authorization": "Basic !!!not-base64!!!"},
    {"Authorization": "Basic " + base64.b64encode(b"\xff\xfe:").decode()},
    basic(""),
    basic("wsk_000000000000_" + "a" * 43),
    basic("k" * 171),
    basic("not-a-key"),
]


@pytest.mark.parametrize(("method", "path"), ENDPOINTS)
@pytest.mark.parametrize("headers", BAD_CREDENTIALS)
async def test_bad_credentials_are_401(
    greenhouse: Service, method: str, path: str, headers: dict[str, str]
) -> None:
    response = await greenhouse.client.request(method, path, headers=headers, json={})
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Basic")
    assert response.json()["error"]["message"]


async def test_revoked_key_is_401(greenhouse: Service) -> None:
    from worksample.api.keys import revoke_api_key
    from worksample.db.session import create_engine, create_sessionmaker, session_scope

    engine = create_engine(greenhouse.settings)
    try:
        prefix = greenhouse.key.split("_")[1]
        async with session_scope(create_sessionmaker(engine)) as session:
            assert await revoke_api_key(session, prefix)
    finally:
        await engine.dispose()
    response = await greenhouse.client.get("/greenhouse/list_tests", auth=greenhouse.basic)
    assert response.status_code == 401


GARBAGE: list[dict[str, Any]] = [
    {"content": b"{not json"},
    {"content": b"\xff\xfe\x00garbage"},
    {"content": b"[]"},
    {"content": b"null"},
    {"content": b'"a string"'},
    {"content": b"12"},
    {"json": {}},
    {"json": {"partner_test_id": 7, "candidate": "x", "url": None}},
    {"json": {"api_call": ["x"], "errors": "not a list"}},
    {"content": b"x" * 200_000},
    {"json": {"api_call": "a\u0000b", "errors": ["\u0000"], "partner_interview_id": "\u0000"}},
    {
        "json": {
            "partner_test_id": "test-sample",
            "url": "https://gh.test/\u0000",
            "candidate": {"email": "a@b.co"},
        }
    },
    {"json": {"partner_test_id": "test\u0000", "url": "https://gh.test/x", "candidate": {"email": "a@b.co"}}},
    {
        "json": {
            "partner_test_id": "test-sample",
            "url": "https://g.test/x",
            "candidate": {"email": "a\u0000@b.co"},
        }
    },
    {
        "json": {
            "partner_test_id": "x",
            "url": "https://g.test/x",
            "candidate": {"email": "a@b.co", "last_name": "\u0000"},
        }
    },
    {"content": b"{}", "headers": {"content-type": "text/plain"}},
]


@pytest.mark.parametrize(("method", "path"), [e for e in ENDPOINTS if e[0] == "POST"])
@pytest.mark.parametrize("garbage", GARBAGE)
async def test_garbage_bodies_get_a_4xx_with_a_message(
    greenhouse: Service, method: str, path: str, garbage: dict[str, Any]
) -> None:
    extra = dict(garbage)
    headers = {"content-type": "application/json", **extra.pop("headers", {})}
    response = await greenhouse.client.request(method, path, auth=greenhouse.basic, headers=headers, **extra)
    assert 400 <= response.status_code < 500, response.text
    assert response.json()["error"]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?partner_interview_id=",
        "?partner_interview_id=" + "x" * 65,
        "?other=1",
        "?partner_interview_id=%00",
        "?partner_interview_id=%FF%FE",
        "?partner_interview_id=a%20b",
    ],
)
async def test_malformed_status_queries_are_4xx(greenhouse: Service, query: str) -> None:
    response = await greenhouse.client.get(f"/greenhouse/test_status{query}", auth=greenhouse.basic)
    assert 400 <= response.status_code < 500, response.text


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"url": "ftp://greenhouse.test/x"}, "url"),
        ({"url": ""}, "url"),
        ({"candidate": {"email": "not-an-email"}}, "email"),
        ({"candidate": {"first_name": "x" * 201, "email": "a@b.co"}}, "first_name"),
        ({"partner_test_id": ""}, "partner_test_id"),
    ],
)
async def test_malformed_send_test_names_the_field(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse, change: dict[str, Any], field: str
) -> None:
    body = {**send_body(fake_greenhouse.url()), **change}
    response = await greenhouse.client.post("/greenhouse/send_test", json=body, auth=greenhouse.basic)
    assert response.status_code == 422, response.text
    assert any(field in f["field"] for f in response.json()["error"]["fields"])


async def test_unknown_test_and_interview_ids_are_404(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse
) -> None:
    await greenhouse.set_default_reviewers()
    body = {**send_body(fake_greenhouse.url()), "partner_test_id": "no-such-sample"}
    response = await greenhouse.client.post("/greenhouse/send_test", json=body, auth=greenhouse.basic)
    assert response.status_code == 404, response.text
    status = await greenhouse.client.get(
        "/greenhouse/test_status", params={"partner_interview_id": "nope"}, auth=greenhouse.basic
    )
    assert status.status_code == 404


async def test_another_organizations_interview_is_404(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse
) -> None:
    await greenhouse.set_default_reviewers()
    sent = await greenhouse.client.post(
        "/greenhouse/send_test", json=send_body(fake_greenhouse.url()), auth=greenhouse.basic
    )
    assert sent.status_code == 200, sent.text
    interview_id = sent.json()["partner_interview_id"]
    other_key = await _key_for(greenhouse, "globex")
    other = await greenhouse.client.get(
        "/greenhouse/test_status", params={"partner_interview_id": interview_id}, auth=(other_key, "")
    )
    assert other.status_code == 404


async def _key_for(greenhouse: Service, org: str) -> str:
    from worksample.db.session import create_engine, create_sessionmaker

    engine = create_engine(greenhouse.settings)
    try:
        return await make_api_key(create_sessionmaker(engine), org)
    finally:
        await engine.dispose()


async def test_send_test_without_default_reviewers_is_409(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse
) -> None:
    response = await greenhouse.client.post(
        "/greenhouse/send_test", json=send_body(fake_greenhouse.url()), auth=greenhouse.basic
    )
    assert response.status_code == 409, response.text
    assert "default-reviewers" in response.json()["error"]["message"]


async def test_response_error_is_recorded_and_visible(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse
) -> None:
    await greenhouse.set_default_reviewers()
    sent = await greenhouse.client.post(
        "/greenhouse/send_test", json=send_body(fake_greenhouse.url()), auth=greenhouse.basic
    )
    interview_id = sent.json()["partner_interview_id"]
    report = {
        "api_call": "test_status",
        "errors": ["partner_score must be a number"],
        "partner_interview_id": interview_id,
        "extra_field_greenhouse_may_add": {"nested": True},
    }
    recorded = await greenhouse.client.post("/greenhouse/response_error", json=report, auth=greenhouse.basic)
    assert recorded.status_code == 200, recorded.text
    bearer = {"Authorization": f"Bearer {greenhouse.key}"}
    listed = (await greenhouse.client.get("/v1/greenhouse/response-errors", headers=bearer)).json()
    assert listed[0]["api_call"] == "test_status"
    assert listed[0]["errors"] == ["partner_score must be a number"]
    assert listed[0]["partner_interview_id"] == interview_id
    assert listed[0]["payload"]["extra_field_greenhouse_may_add"] == {"nested": True}
    timeline = (await greenhouse.client.get(f"/v1/assignments/{interview_id}", headers=bearer)).json()[
        "timeline"
    ]
    assert [e["detail"] for e in timeline if e["kind"] == "greenhouse.response_error"] == [
        {"api_call": "test_status", "errors": ["partner_score must be a number"]}
    ]
    # Another organisation sees none of it.
    other = {"Authorization": f"Bearer {await _key_for(greenhouse, 'globex')}"}
    assert (await greenhouse.client.get("/v1/greenhouse/response-errors", headers=other)).json() == []


async def test_list_tests_answers_every_artifact(greenhouse: Service) -> None:
    response = await greenhouse.client.get("/greenhouse/list_tests", auth=greenhouse.basic)
    assert response.status_code == 200
    assert response.json() == [{"partner_test_id": "test-sample", "partner_test_name": "Test sample"}]


async def test_password_is_ignored_only_the_key_counts(greenhouse: Service) -> None:
    response = await greenhouse.client.get("/greenhouse/list_tests", headers=basic(greenhouse.key, ""))
    assert response.status_code == 200


async def test_repeated_send_test_answers_the_first_interview(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse, smtp: SmtpServer
) -> None:
    await greenhouse.set_default_reviewers()
    body = send_body(fake_greenhouse.url("/interviews/77"))
    first = await greenhouse.client.post("/greenhouse/send_test", json=body, auth=greenhouse.basic)
    again = await greenhouse.client.post("/greenhouse/send_test", json=body, auth=greenhouse.basic)
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert len(smtp.messages) == 1
    other = send_body(fake_greenhouse.url("/interviews/78"))
    third = await greenhouse.client.post("/greenhouse/send_test", json=other, auth=greenhouse.basic)
    assert third.json() != first.json()
