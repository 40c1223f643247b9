"""ATS webhooks end to end: the API and the real service raise events, the real worker sends them
to a real HTTP receiver on 127.0.0.1, and the receiver checks them as an ATS would."""

from __future__ import annotations

import random
from typing import Any

import httpx

from tests.outbox.ats import (
    create_assignment,
    create_endpoint,
    deliveries,
    received_events,
    settled,
    verified,
    wait_for,
)
from tests.outbox.receiver import Receiver
from worksample.outbox import events


def _latest_by_assignment(payloads: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A receiver's rule: keep an update only if its version beats the one already applied."""
    applied: dict[str, dict[str, Any]] = {}
    for payload in payloads:
        data = payload["data"]
        current = applied.get(data["assignment_id"])
        if current is None or data["version"] > current["version"]:
            applied[data["assignment_id"]] = data
    return applied


async def test_every_event_arrives_signed_valid_and_ordered_by_version(
    service_on_world: httpx.AsyncClient, ats: Receiver, outbox_worker: None
) -> None:
    client = service_on_world
    endpoint = await create_endpoint(client, f"{ats.base_url}/ok", description="Greenhouse")
    secret = endpoint["secret"]
    assert secret.startswith("whsec_")
    assignment_id = await create_assignment(client)

    await wait_for(lambda: len(received_events(ats, "/ok")) >= 2, what="created and provisioned")
    response = await client.post(f"/v1/assignments/{assignment_id}/cancel", json={"reason": "role filled"})
    assert response.status_code == 200, response.text
    await wait_for(lambda: len(received_events(ats, "/ok")) >= 3, what="cancelled")

    # Standard Webhooks promises no order of arrival (retries overtake); the version orders them.
    arrived = [verified(received, secret) for received in received_events(ats, "/ok")]
    payloads = sorted(arrived, key=lambda p: p["data"]["version"])
    assert [p["type"] for p in payloads] == [
        events.ASSIGNMENT_CREATED,
        events.ASSIGNMENT_PROVISIONED,
        events.ASSIGNMENT_CANCELLED,
    ]
    versions = [p["data"]["version"] for p in payloads]
    assert len(set(versions)) == 3
    assert all(p["data"]["external_ids"] == {"greenhouse_application_id": "12345"} for p in payloads)
    assert payloads[1]["data"]["repository_url"].startswith("http")
    assert payloads[2]["data"]["reason"] == "role filled"
    ids = [received.headers["webhook-id"] for received in received_events(ats, "/ok")]
    assert len(set(ids)) == 3
    assert all(i.startswith("msg_") for i in ids)

    # Delivered out of order (a retry overtaking a newer event), the receiver keeps the newest.
    shuffled = payloads[:]
    random.Random(7).shuffle(shuffled)
    for order in (shuffled, list(reversed(payloads))):
        assert _latest_by_assignment(order)[assignment_id]["status"] == "cancelled"

    # The receiver has answered, but the worker records the answer a moment later: wait for it.
    listed = await wait_for(lambda: settled(client, endpoint["id"]), what="all three recorded")
    assert {d["state"] for d in listed} == {"succeeded"}
    assert all(d["attempt_log"][0]["status_code"] == 200 for d in listed)


async def test_a_failing_receiver_gets_the_event_in_the_end_with_the_same_id(
    service_on_world: httpx.AsyncClient, ats: Receiver, outbox_worker: None
) -> None:
    ats.flaky_failures = 2
    endpoint = await create_endpoint(service_on_world, f"{ats.base_url}/flaky", event_types=["webhook.test"])
    response = await service_on_world.post(f"/v1/endpoints/{endpoint['id']}/test")
    assert response.status_code == 202, response.text

    listed = await wait_for(
        lambda: settled(service_on_world, endpoint["id"]), what="the test event to be delivered"
    )
    calls = received_events(ats, "/flaky")
    assert len(calls) == 3
    assert {c.headers["webhook-id"] for c in calls} == {response.json()["event_id"]}
    # Each attempt carries its own timestamp and signature, and each verifies.
    for call in calls:
        assert verified(call, endpoint["secret"])["type"] == "webhook.test"
    (delivery,) = listed
    assert delivery["state"] == "succeeded"
    assert delivery["attempts"] == 3
    assert [a["status_code"] for a in delivery["attempt_log"]] == [503, 503, 204]


async def test_410_disables_the_endpoint_and_patch_enables_it_again(
    service_on_world: httpx.AsyncClient, ats: Receiver, outbox_worker: None
) -> None:
    client = service_on_world
    endpoint = await create_endpoint(client, f"{ats.base_url}/gone")
    await client.post(f"/v1/endpoints/{endpoint['id']}/test")

    async def disabled() -> dict[str, Any] | None:
        body: dict[str, Any] = (await client.get(f"/v1/endpoints/{endpoint['id']}")).json()
        return body if not body["enabled"] else None

    shown = await wait_for(disabled, what="the endpoint to be disabled")
    assert "410" in shown["disabled_reason"]
    assert shown["disabled_at"]
    assert len(received_events(ats, "/gone")) == 1
    (delivery,) = await deliveries(client, endpoint["id"])
    assert (delivery["state"], delivery["attempts"]) == ("failed", 1)

    # Disabled: new events are not sent to it, and a test is refused with the reason.
    refused = await client.post(f"/v1/endpoints/{endpoint['id']}/test")
    assert refused.status_code == 409
    assert "410" in refused.json()["error"]["message"]

    patched = await client.patch(f"/v1/endpoints/{endpoint['id']}", json={"enabled": True})
    assert patched.status_code == 200
    assert patched.json()["enabled"] is True
    assert patched.json()["disabled_reason"] is None


async def test_a_redirect_is_not_followed(
    service_on_world: httpx.AsyncClient, ats: Receiver, outbox_worker: None
) -> None:
    endpoint = await create_endpoint(service_on_world, f"{ats.base_url}/redirect")
    await service_on_world.post(f"/v1/endpoints/{endpoint['id']}/test")
    (delivery,) = await wait_for(lambda: settled(service_on_world, endpoint["id"]), what="giving up")
    assert delivery["state"] == "gave_up"
    assert [a["status_code"] for a in delivery["attempt_log"]] == [301] * 4
    assert received_events(ats, "/ok") == []


async def test_both_signatures_verify_during_a_rotation(
    service_on_world: httpx.AsyncClient, ats: Receiver, outbox_worker: None
) -> None:
    client = service_on_world
    endpoint = await create_endpoint(client, f"{ats.base_url}/ok")
    old = endpoint["secret"]
    rotated = await client.post(f"/v1/endpoints/{endpoint['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != old
    assert rotated.json()["previous_secret_expires_at"]
    # The secret is never shown again.
    assert "secret" not in (await client.get(f"/v1/endpoints/{endpoint['id']}")).json()

    await client.post(f"/v1/endpoints/{endpoint['id']}/test")
    (during,) = await wait_for(lambda: received_events(ats, "/ok"), what="the test event")
    assert len(during.headers["webhook-signature"].split(" ")) == 2
    assert verified(during, old) == verified(during, new)

    # A rotation with no window: only the newest secret signs.
    again = await client.post(f"/v1/endpoints/{endpoint['id']}/rotate-secret", json={"window_hours": 0})
    newest = again.json()["secret"]
    await client.post(f"/v1/endpoints/{endpoint['id']}/test")
    await wait_for(lambda: len(received_events(ats, "/ok")) == 2, what="the second test event")
    after = received_events(ats, "/ok")[1]
    assert len(after.headers["webhook-signature"].split(" ")) == 1
    verified(after, newest)
