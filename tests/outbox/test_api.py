"""The endpoint, delivery and event-type API: validation, secrecy, isolation between organisations,
redelivery and recovery (state checked through the API; sending is covered by test_delivery)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.conftest import make_api_key
from tests.outbox.ats import create_endpoint, deliveries, finish_deliveries
from worksample.db.models import OutboxDelivery, OutboxEvent, WebhookEndpoint
from worksample.db.session import session_scope
from worksample.outbox.events import event_types, load_schema
from worksample.outbox.signing import generate_secret

Sessions = async_sessionmaker[AsyncSession]
URL = "https://ats.example.com/hooks/worksample"


async def test_create_shows_the_secret_once_and_lists_without_it(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    api_client.headers.update(auth_headers)
    mine = generate_secret()
    created = await create_endpoint(api_client, URL, event_types=["assignment.scored"], secret=mine)
    assert created["secret"] == mine
    assert created["enabled"] is True
    assert created["event_types"] == ["assignment.scored"]
    generated = await create_endpoint(api_client, URL)
    assert generated["secret"].startswith("whsec_")
    assert generated["secret"] != mine

    listed = (await api_client.get("/v1/endpoints")).json()["items"]
    assert [e["id"] for e in listed] == [created["id"], generated["id"]]
    assert all("secret" not in e for e in listed)
    one = (await api_client.get(f"/v1/endpoints/{created['id']}")).json()
    assert "secret" not in one
    assert mine not in (await api_client.get(f"/v1/endpoints/{created['id']}")).text


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"url": "ftp://ats.example.com/x"}, "body.url", "http or https"),
        ({"url": "https://user:pw@ats.example.com/x"}, "body.url", "credentials"),
        ({"url": "https://ats.example.com/" + "x" * 600}, "body.url", "at most 500"),
        ({"url": URL, "event_types": ["assignment.hired"]}, "body.event_types", "unknown event types"),
        ({"url": URL, "event_types": ["assignment.scored"] * 2}, "body.event_types", "once"),
        ({"url": URL, "secret": "whsec_c2hvcnQ="}, "body.secret", "24–64"),
        ({"url": URL, "secret": "not-a-secret"}, "body.secret", "whsec_"),
        ({"url": URL, "colour": "blue"}, "body.colour", "Extra inputs"),
    ],
)
async def test_bad_endpoints_are_refused_with_the_field(
    api_client: httpx.AsyncClient,
    auth_headers: dict[str, str],
    body: dict[str, Any],
    field: str,
    message: str,
) -> None:
    response = await api_client.post("/v1/endpoints", json=body, headers=auth_headers)
    assert response.status_code == 422, response.text
    fields = response.json()["error"]["fields"]
    assert any(f["field"] == field and message in f["message"] for f in fields), fields


async def test_another_organisation_gets_404_everywhere(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    api_client.headers.update(auth_headers)
    endpoint = await create_endpoint(api_client, URL)
    sent = await api_client.post(f"/v1/endpoints/{endpoint['id']}/test")
    event_id = sent.json()["event_id"]
    other = {"Authorization": f"Bearer {await make_api_key(sessionmaker, 'globex')}"}
    base = f"/v1/endpoints/{endpoint['id']}"
    calls = [
        ("GET", base, None),
        ("PATCH", base, {"description": "mine now"}),
        ("DELETE", base, None),
        ("POST", f"{base}/rotate-secret", None),
        ("POST", f"{base}/test", None),
        ("GET", f"{base}/deliveries", None),
        ("POST", f"{base}/recover", {"since": "2026-01-01T00:00:00Z"}),
        ("POST", f"/v1/events/{event_id}/redeliver", None),
    ]
    for method, path, body in calls:
        response = await api_client.request(method, path, json=body, headers=other)
        assert response.status_code == 404, (method, path, response.text)
    assert (await api_client.get("/v1/endpoints", headers=other)).json()["items"] == []
    # Untouched for its owner.
    assert (await api_client.get(base)).json()["description"] is None


async def test_update_delete_and_null_fields(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    api_client.headers.update(auth_headers)
    endpoint = await create_endpoint(api_client, URL, description="first")
    base = f"/v1/endpoints/{endpoint['id']}"
    patched = await api_client.patch(base, json={"event_types": ["assignment.created"], "description": None})
    assert patched.status_code == 200, patched.text
    assert (patched.json()["event_types"], patched.json()["description"]) == (["assignment.created"], None)
    refused = await api_client.patch(base, json={"url": None})
    assert refused.status_code == 422
    disabled = await api_client.patch(base, json={"enabled": False})
    assert (disabled.json()["enabled"], disabled.json()["disabled_reason"]) == (
        False,
        "disabled through the API",
    )
    assert (await api_client.delete(base)).status_code == 204
    assert (await api_client.get(base)).status_code == 404


async def test_event_types_and_their_schemas_are_served(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    api_client.headers.update(auth_headers)
    items = (await api_client.get("/v1/event-types")).json()["items"]
    assert [i["type"] for i in items] == list(event_types())
    for item in items:
        response = await api_client.get(item["schema_url"])
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/schema+json")
        assert response.json() == load_schema(item["type"])
    assert (await api_client.get("/v1/event-types/assignment.hired/schema")).status_code == 404
    assert (
        await api_client.get("/v1/event-types", headers={"Authorization": "Bearer nope"})
    ).status_code == 401


async def test_redeliver_and_recover_requeue_only_what_they_should(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    api_client.headers.update(auth_headers)
    endpoint = await create_endpoint(api_client, URL)
    base = f"/v1/endpoints/{endpoint['id']}"
    first = (await api_client.post(f"{base}/test")).json()["event_id"]
    # Still pending: nothing to redeliver yet.
    assert (await api_client.post(f"/v1/events/{first}/redeliver")).json() == {"delivery_ids": []}

    await finish_deliveries(sessionmaker, "gave_up")
    (delivery,) = await deliveries(api_client, endpoint["id"])
    assert delivery["state"] == "gave_up"
    since = datetime.now(UTC) - timedelta(minutes=1)
    later = (since + timedelta(hours=1)).isoformat()
    assert (await api_client.post(f"{base}/recover", json={"since": later})).json() == {"delivery_ids": []}
    recovered = await api_client.post(f"{base}/recover", json={"since": since.isoformat()})
    assert recovered.json() == {"delivery_ids": [delivery["id"]]}
    (delivery,) = await deliveries(api_client, endpoint["id"])
    assert delivery["state"] == "pending"

    await finish_deliveries(sessionmaker, "succeeded")
    again = await api_client.post(f"/v1/events/{first}/redeliver")
    assert again.json() == {"delivery_ids": [delivery["id"]]}
    assert (await api_client.post("/v1/events/msg_nope/redeliver")).status_code == 404
    naive = await api_client.post(f"{base}/recover", json={"since": "2026-01-01T00:00:00"})
    assert naive.status_code == 422

    # A disabled endpoint is neither tested nor recovered until it is enabled again.
    await api_client.patch(base, json={"enabled": False})
    for path, body in ((f"{base}/test", None), (f"{base}/recover", {"since": since.isoformat()})):
        response = await api_client.post(path, json=body)
        assert response.status_code == 409, response.text
        assert "re-enable" in response.json()["error"]["message"]


async def test_nul_characters_are_refused_before_the_database(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    # PostgreSQL text cannot hold NUL: the description passed validation and the insert failed with
    # a 500. Refused like everywhere else in the API, naming the field.
    api_client.headers.update(auth_headers)
    created = await api_client.post("/v1/endpoints", json={"url": URL, "description": "Green\x00house"})
    assert created.status_code == 422, created.text
    assert "body.description must not contain NUL characters" in created.text
    assert (await api_client.get("/v1/endpoints")).json()["items"] == []

    endpoint = await create_endpoint(api_client, URL, description="Greenhouse")
    patched = await api_client.patch(f"/v1/endpoints/{endpoint['id']}", json={"description": "\x00"})
    assert patched.status_code == 422, patched.text
    assert "body.description must not contain NUL characters" in patched.text
    assert (await api_client.get(f"/v1/endpoints/{endpoint['id']}")).json()["description"] == "Greenhouse"


# Over the 32,767 bind parameters asyncpg allows in one statement (SQLite allows 32,766).
LONG_OUTAGE = 33_000


async def test_recover_requeues_a_long_outage_of_a_busy_endpoint(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    api_client.headers.update(auth_headers)
    endpoint = await create_endpoint(api_client, URL)
    start = datetime.now(UTC) - timedelta(days=2)
    # What days of failing leave behind, written directly: 33,000 test events through the API
    # would take minutes to raise.
    async with session_scope(sessionmaker) as session:
        row = await session.get_one(WebhookEndpoint, endpoint["id"])
        events = [
            {
                "id": f"msg_outage{n:06d}",
                "organization_id": row.organization_id,
                "type": "webhook.test",
                "body": b"{}",
                "created_at": start + timedelta(seconds=n),
            }
            for n in range(LONG_OUTAGE)
        ]
        await session.execute(insert(OutboxEvent), events)
        await session.execute(
            insert(OutboxDelivery),
            [{"event_id": e["id"], "endpoint_id": row.id, "state": "gave_up", "attempts": 8} for e in events],
        )

    recovered = await api_client.post(
        f"/v1/endpoints/{endpoint['id']}/recover", json={"since": start.isoformat()}
    )
    assert recovered.status_code == 202, recovered.text
    assert len(recovered.json()["delivery_ids"]) == LONG_OUTAGE
    async with sessionmaker() as session:
        states = await session.execute(
            select(OutboxDelivery.state, func.count()).group_by(OutboxDelivery.state)
        )
        assert dict(states.all()) == {"pending": LONG_OUTAGE}
