"""The clock moves (service and simulator together) and each deadline transition happens once."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.lifecycle.conftest import Life

HOUR = timedelta(hours=1)


async def test_time_limit_reminders_then_lock_at_the_pull_request_head(life: Life) -> None:
    await life.create()
    await life.accept()
    await life.drain()
    state = await life.lifecycle()
    assert state["status"] == "accepted"
    assert state["time_limit_hours"] == 48
    deadline = datetime.fromisoformat(state["deadline_at"])
    assert deadline - life.clock.now() > 47 * HOUR
    await life.open_pr()
    await life.drain()
    assert (await life.assignment())["status"] == "submitted"

    await life.advance(24 * HOUR + timedelta(minutes=1))
    await life.tick()
    await life.tick()  # a second tick sends nothing more
    # The tick wrote acceptance + time limit into the column the submission handler reads for `late`.
    assert (await life.row()).deadline_at == deadline
    reminders = [c for c in await life.comments() if c["body"].startswith("Reminder")]
    assert len(reminders) == 1
    assert "24h" in reminders[0]["body"]

    await life.advance(22 * HOUR)
    await life.tick()
    reminders = [c for c in await life.comments() if c["body"].startswith("Reminder")]
    assert [("2h" in c["body"]) for c in reminders] == [False, True]
    assert (await life.lifecycle())["locked_at"] is None
    assert await life.permission() == "write"

    await life.advance(2 * HOUR)
    await life.tick()
    state = await life.lifecycle()
    head = (await life.pull())["head"]["sha"]
    assert state["locked_at"] is not None
    assert state["deadline_sha"] == head
    assert state["lock_failed"] is False
    assert state["status"] == "submitted"
    async with life.world.user_client("octocat") as candidate:
        tag = (await candidate.get(f"/repos/{life.full_name}/git/ref/tags/submission-deadline")).json()
        assert tag["object"]["sha"] == head
        # The lock holds: the candidate can no longer push.
        response = await candidate.post(
            f"/repos/{life.full_name}/git/refs", json={"ref": "refs/heads/late", "sha": head}
        )
        assert response.status_code == 403, response.text
    assert await life.permission() == "read"
    kinds = await life.kinds()
    assert kinds.count("lifecycle.reminder_sent") == 2
    assert kinds.count("lifecycle.locked") == 1
    fired = sorted(f["kind"] for f in state["firings"])
    assert fired == ["deadline", "reminder:24h", "reminder:2h"]


async def test_no_pull_request_at_a_fixed_deadline_expires_then_archives(life: Life) -> None:
    await life.create()
    await life.accept()
    await life.drain()
    # A fixed date instead of the artifact's 48 h: extend the time-limited assignment to one.
    target = (life.clock.now() + 72 * HOUR).isoformat()
    response = await life.api.post(f"/v1/assignments/{life.assignment_id}/extend", json={"deadline": target})
    assert response.status_code == 200, response.text
    await life.drain()
    assert [i["title"] for i in await life.issues()] == ["Deadline extended"]

    await life.advance(71 * HOUR)
    await life.tick()
    assert [i["title"] for i in await life.issues()] == ["Reminder: 2h left", "Deadline extended"]

    await life.advance(HOUR + timedelta(minutes=1))
    await life.tick()
    state = await life.lifecycle()
    assert state["status"] == "expired"
    assert state["archived_at"] is not None
    repo = await life.repo_state()
    assert repo["archived"] is True
    assert state["deadline_sha"] == repo["branches"]["main"]["sha"] if "branches" in repo else True
    assert await life.permission() == "read"
    kinds = await life.kinds()
    assert (
        kinds.index("lifecycle.locked")
        < kinds.index("assignment.expired")
        < kinds.index("lifecycle.archived")
    )
