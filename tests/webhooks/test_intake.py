"""``POST /github/webhooks`` at the front door: what it refuses, records, queues and ignores."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from tests.conftest import queued_jobs, running_app
from worksample.config import Settings
from worksample.db.models import GitHubDelivery
from worksample.github.signatures import sign, verify
from worksample.jobs.webhooks import WEBHOOK_JOB

SECRET = "It's a Secret to Everybody"
OLD_SECRET = "the secret before the rotation"
PATH = "/github/webhooks"
PAYLOAD = {
    "action": "added",
    "member": {"id": 1, "login": "octocat"},
    "repository": {"id": 2},
    "installation": {"id": 3},
}


def test_signature_matches_githubs_test_vector() -> None:
    expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    assert sign(SECRET, b"Hello, World!") == expected
    assert verify(expected, b"Hello, World!", [SECRET])
    assert verify(expected, b"Hello, World!", ["other", SECRET])
    assert not verify(expected, b"Hello, World?", [SECRET])
    assert not verify(expected.upper(), b"Hello, World!", [SECRET])
    assert not verify("sha1=" + expected[7:], b"Hello, World!", [SECRET])
    assert not verify(expected, b"Hello, World!", [""])


@pytest.fixture
def intake_settings(settings: Settings) -> Settings:
    from pydantic import SecretStr

    return settings.model_copy(
        update={
            "github_webhook_secret": SecretStr(SECRET),
            "github_webhook_secret_previous": SecretStr(OLD_SECRET),
        }
    )


@pytest.fixture
async def client(intake_settings: Settings, arq_pool: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(intake_settings, arq_pool=arq_pool) as (_app, client):
        yield client


def headers(
    body: bytes, *, event: str = "member", delivery: str | None = None, secret: str = SECRET
) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(secret, body),
    }


async def stored(intake_settings: Settings) -> int:
    from worksample.db.session import create_engine, create_sessionmaker

    engine = create_engine(intake_settings)
    try:
        async with create_sessionmaker(engine)() as session:
            return int((await session.execute(select(func.count()).select_from(GitHubDelivery))).scalar_one())
    finally:
        await engine.dispose()


async def test_delivery_is_recorded_and_queued_once(
    client: httpx.AsyncClient, intake_settings: Settings, arq_pool: Any
) -> None:
    body = json.dumps(PAYLOAD).encode()
    sent = headers(body)
    first = await client.post(PATH, content=body, headers=sent)
    assert first.status_code == 202, first.text
    assert first.json() == {"status": "queued", "delivery": sent["X-GitHub-Delivery"]}
    jobs = await queued_jobs(arq_pool, intake_settings.queue_name)
    assert [(j.function, j.job_id, j.kwargs) for j in jobs] == [
        (WEBHOOK_JOB, sent["X-GitHub-Delivery"], {"delivery_id": sent["X-GitHub-Delivery"]})
    ]
    # GitHub's redelivery keeps the GUID: acknowledged, nothing more.
    again = await client.post(PATH, content=body, headers=sent)
    assert again.status_code == 200
    assert again.json()["status"] == "duplicate"
    assert len(await queued_jobs(arq_pool, intake_settings.queue_name)) == 1
    assert await stored(intake_settings) == 1


async def test_previous_secret_is_accepted_during_rotation(client: httpx.AsyncClient) -> None:
    body = json.dumps(PAYLOAD).encode()
    response = await client.post(PATH, content=body, headers=headers(body, secret=OLD_SECRET))
    assert response.status_code == 202, response.text


async def test_forged_signature_is_refused_and_nothing_stored(
    client: httpx.AsyncClient, intake_settings: Settings, arq_pool: Any
) -> None:
    body = json.dumps(PAYLOAD).encode()
    forged = headers(body, secret="not our secret")
    response = await client.post(PATH, content=body, headers=forged)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "bad_signature"
    # Signed body, different body sent.
    tampered = headers(body)
    response = await client.post(PATH, content=body.replace(b"octocat", b"mallory"), headers=tampered)
    assert response.status_code == 401
    assert await stored(intake_settings) == 0
    assert await queued_jobs(arq_pool, intake_settings.queue_name) == []


@pytest.mark.parametrize("missing", ["X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256"])
async def test_missing_header_is_400(client: httpx.AsyncClient, missing: str) -> None:
    body = json.dumps(PAYLOAD).encode()
    sent = headers(body)
    del sent[missing]
    response = await client.post(PATH, content=body, headers=sent)
    assert response.status_code == 400
    assert missing in response.json()["error"]["message"]


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"\xff\xfe"])
async def test_malformed_json_is_400(
    client: httpx.AsyncClient, intake_settings: Settings, body: bytes
) -> None:
    response = await client.post(PATH, content=body, headers=headers(body))
    assert response.status_code == 400
    assert await stored(intake_settings) == 0


async def test_form_encoded_body_is_415(client: httpx.AsyncClient) -> None:
    body = b"payload=%7B%7D"
    sent = headers(body) | {"Content-Type": "application/x-www-form-urlencoded"}
    response = await client.post(PATH, content=body, headers=sent)
    assert response.status_code == 415


async def test_oversized_body_is_413_from_content_length(client: httpx.AsyncClient) -> None:
    sent = headers(b"{}") | {"Content-Length": str(25 * 1024 * 1024 + 1)}
    response = await client.post(PATH, content=b"{}", headers=sent)
    assert response.status_code == 413


async def test_oversized_streamed_body_is_413_without_reading_it_all(
    client: httpx.AsyncClient, intake_settings: Settings
) -> None:
    chunk = b" " * (1024 * 1024)
    sent_chunks = 0

    async def stream() -> AsyncIterator[bytes]:
        nonlocal sent_chunks
        for _ in range(40):
            sent_chunks += 1
            yield chunk

    sent = headers(b"{}")
    response = await client.post(PATH, content=stream(), headers=sent)
    assert response.status_code == 413
    # No Content-Length was sent (a chunked upload): the route stopped at the limit.
    assert sent_chunks <= 27
    assert await stored(intake_settings) == 0


async def test_events_not_handled_are_acknowledged_as_ignored(
    client: httpx.AsyncClient, intake_settings: Settings
) -> None:
    for event, payload in [
        ("star", {"action": "created"}),
        ("member", {"action": "removed"}),
        ("ping", {"zen": "hi"}),
    ]:
        body = json.dumps(payload).encode()
        response = await client.post(PATH, content=body, headers=headers(body, event=event))
        assert response.status_code == 200
        assert response.json()["status"] == "ignored"
        assert response.json()["event"] == event
    assert await stored(intake_settings) == 0
