"""``POST /v1/assignments/{id}/extend``: what it accepts, what it refuses, and the candidate told."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.conftest import make_api_key
from tests.lifecycle.conftest import Life

HOUR = timedelta(hours=1)


async def test_extension_before_acceptance_grows_the_time_limit(life: Life) -> None:
    await life.create()
    response = await life.api.post(
        f"/v1/assignments/{life.assignment_id}/extend", json={"extend_by_hours": 24}
    )
    assert response.status_code == 200, response.text
    assert response.json()["time_limit_hours"] == 72
    assert response.json()["deadline_at"] is None
    await life.accept()
    await life.drain()
    deadline = datetime.fromisoformat((await life.lifecycle())["deadline_at"])
    assert 71 * HOUR < deadline - life.clock.now() <= 72 * HOUR


async def test_extension_after_acceptance_is_recorded_and_announced(life: Life) -> None:
    await life.create()
    await life.accept()
    await life.open_pr()
    await life.drain()
    before = datetime.fromisoformat((await life.lifecycle())["deadline_at"])
    response = await life.api.post(
        f"/v1/assignments/{life.assignment_id}/extend", json={"extend_by_hours": 12, "reason": "sick day"}
    )
    assert response.status_code == 200, response.text
    after = datetime.fromisoformat(response.json()["deadline_at"])
    assert after - before == 12 * HOUR
    await life.drain()
    await life.drain()
    announced = [c for c in await life.comments() if "extended" in c["body"]]
    assert len(announced) == 1
    timeline = (await life.assignment())["timeline"]
    extended = [e for e in timeline if e["kind"] == "lifecycle.deadline_extended"]
    assert extended[0]["detail"]["reason"] == "sick day"
    # The lock now comes at the new deadline, not the old one.
    await life.advance(before - life.clock.now() + timedelta(minutes=1))
    await life.tick()
    assert (await life.lifecycle())["locked_at"] is None
    await life.advance(12 * HOUR)
    await life.tick()
    assert (await life.lifecycle())["locked_at"] is not None
    locked = await life.api.post(f"/v1/assignments/{life.assignment_id}/extend", json={"extend_by_hours": 1})
    assert locked.status_code == 409
    assert locked.json()["error"]["code"] == "locked"


async def test_bad_extensions_are_refused_with_the_field(life: Life) -> None:
    await life.create()
    await life.accept()
    await life.drain()
    url = f"/v1/assignments/{life.assignment_id}/extend"
    current = datetime.fromisoformat((await life.lifecycle())["deadline_at"])
    cases = [
        ({}, 422, None),
        ({"extend_by_hours": 1, "deadline": current.isoformat()}, 422, None),
        ({"extend_by_hours": 0}, 422, None),
        ({"extend_by_hours": "soon"}, 422, None),
        ({"deadline": (life.clock.now() - HOUR).isoformat()}, 422, "body.deadline"),
        ({"deadline": (current - HOUR).isoformat()}, 422, "body.deadline"),
        ({"deadline": "2030-01-01T00:00:00"}, 422, "body.deadline"),
        ({"extend_by_hours": 1, "color": "red"}, 422, None),
    ]
    for body, status, field in cases:
        response = await life.api.post(url, json=body)
        assert response.status_code == status, (body, response.text)
        if field is not None:
            assert [f["field"] for f in response.json()["error"]["fields"]] == [field], response.text
    assert (
        await life.api.post("/v1/assignments/nope/extend", json={"extend_by_hours": 1})
    ).status_code == 404
    # Another organisation's key sees a 404, not the assignment.
    other = await make_api_key(life.sessionmaker, "other-org")
    response = await life.api.post(
        url, json={"extend_by_hours": 1}, headers={"Authorization": f"Bearer {other}"}
    )
    assert response.status_code == 404
    assert (
        await life.api.get(
            f"/v1/assignments/{life.assignment_id}/lifecycle", headers={"Authorization": f"Bearer {other}"}
        )
    ).status_code == 404
