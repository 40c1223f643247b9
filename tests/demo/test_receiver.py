"""The demo's ATS receiver verifies like an ATS should: only our signature with its secret passes."""

from __future__ import annotations

import json
import time

import httpx

from worksample.demo.receiver import PATH, AtsReceiver
from worksample.outbox.signing import generate_secret, webhook_headers

BODY = json.dumps({"type": "assignment.scored", "timestamp": "2026-01-01T00:00:00Z", "data": {"score": 80}})


async def _post(receiver: AtsReceiver, body: str, headers: dict[str, str]) -> httpx.Response:
    transport = httpx.ASGITransport(app=receiver.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://ats") as client:
        return await client.post(PATH, content=body, headers=headers)


async def test_a_signed_delivery_verifies_and_a_tampered_one_does_not() -> None:
    receiver = AtsReceiver()
    receiver.secret = generate_secret()
    headers = webhook_headers([receiver.secret], "msg_1", int(time.time()), BODY.encode())
    good = await _post(receiver, BODY, headers)
    tampered = await _post(receiver, BODY.replace("80", "99"), headers)
    other_key = webhook_headers([generate_secret()], "msg_2", int(time.time()), BODY.encode())
    wrong_secret = await _post(receiver, BODY, other_key)
    stale = webhook_headers([receiver.secret], "msg_3", int(time.time()) - 3600, BODY.encode())
    too_old = await _post(receiver, BODY, stale)
    no_comma = await _post(receiver, BODY, {**headers, "webhook-signature": "garbage"})

    assert (good.status_code, tampered.status_code, wrong_secret.status_code) == (200, 400, 400)
    assert (too_old.status_code, no_comma.status_code) == (400, 400)
    verified = [d.verified for d in receiver.deliveries]
    assert verified == [True, False, False, False, False]
    assert receiver.deliveries[0].event_type == "assignment.scored"
    assert receiver.deliveries[0].data == {"score": 80}
    assert "malformed signature header" in (receiver.deliveries[4].problem or "")
    found = await receiver.wait_for("assignment.scored", seconds=0.1)
    assert found is receiver.deliveries[0]
    assert await receiver.wait_for("assignment.expired", seconds=0.1) is None


async def test_without_a_registered_secret_nothing_verifies() -> None:
    receiver = AtsReceiver()
    headers = webhook_headers([generate_secret()], "msg_1", int(time.time()), BODY.encode())
    answer = await _post(receiver, BODY, headers)
    assert answer.status_code == 400
    assert receiver.deliveries[0].problem == "no endpoint secret registered yet"
