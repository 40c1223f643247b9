"""Webhook deliveries: GitHub's headers and signature, flushing, and the fault modes."""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Any

import httpx
from githubkit.webhooks import parse

from tests.sandbox.conftest import BASE, SECRET, Setup, make_repo
from worksample.sandbox import create_app
from worksample.sandbox.webhooks import signature


def test_signature_matches_githubs_test_vector() -> None:
    assert signature("It's a Secret to Everybody", b"Hello, World!") == (
        "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    )


async def test_delivery_headers_and_signature(setup: Setup) -> None:
    await make_repo(setup)
    await setup.flush()
    received = setup.receiver.events("repository", "created")[0]
    headers = received.headers
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", headers["x-github-delivery"]
    )
    expected = hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert headers["x-hub-signature-256"] == f"sha256={expected}"
    assert headers["x-github-hook-installation-target-type"] == "integration"
    assert headers["x-github-hook-installation-target-id"] == str(setup.app_id)
    assert headers["x-github-hook-id"].isdigit()
    assert headers["user-agent"].startswith("GitHub-Hookshot/")
    assert headers["content-type"] == "application/json"
    payload = received.payload
    assert payload["installation"]["id"] == setup.installation_id
    assert set(payload["installation"]) == {"id", "node_id"}
    parse("repository", received.body)


async def test_installation_events_carry_the_full_installation(setup: Setup) -> None:
    created = setup.receiver.events("installation", "created")[0]
    assert created.payload["installation"]["app_slug"] == "work-sample"
    parse("installation", created.body)
    org = await setup.control.post("/_sandbox/orgs", json={"login": "beta", "admins": ["lead"]})
    assert org.status_code == 201
    inst = await setup.control.post(
        "/_sandbox/installations",
        json={"app_id": setup.app_id, "account": "beta", "repository_selection": "selected"},
    )
    inst_id = inst.json()["id"]
    lead = setup.user("lead")
    await lead.rest.repos.async_create_in_org("beta", name="picked", private=True)
    added = await setup.control.post(
        f"/_sandbox/installations/{inst_id}/repositories", json={"add": ["picked"]}
    )
    assert added.json()["repositories"] == ["picked"]
    removed = await setup.control.post(
        f"/_sandbox/installations/{inst_id}/repositories", json={"remove": ["picked"]}
    )
    assert removed.json()["repositories"] == []
    assert (await setup.control.delete(f"/_sandbox/installations/{inst_id}")).status_code == 204
    await setup.flush()
    actions = [(r.event, r.payload["action"]) for r in setup.receiver.received[-4:]]
    assert actions == [
        ("installation", "created"),
        ("installation_repositories", "added"),
        ("installation_repositories", "removed"),
        ("installation", "deleted"),
    ]
    for received in setup.receiver.received:
        parse(received.event, received.body)


async def test_deliveries_log_and_redelivery_keeps_the_guid(setup: Setup) -> None:
    await make_repo(setup)
    await setup.flush()
    log = (await setup.control.get("/_sandbox/deliveries")).json()
    assert [(d["event"], d["action"], d["status_code"]) for d in log] == [
        ("installation", "created", 202),
        ("repository", "created", 202),
    ]
    again = await setup.control.post(f"/_sandbox/deliveries/{log[1]['id']}/redeliver")
    assert again.json()["guid"] == log[1]["guid"]
    assert again.json()["redelivery"] is True
    guids = [r.headers["x-github-delivery"] for r in setup.receiver.received]
    assert guids[-1] == guids[-2]
    assert (await setup.control.post("/_sandbox/deliveries/999999/redeliver")).status_code == 404


async def test_failed_receiver_is_recorded_not_retried(setup: Setup) -> None:
    setup.receiver.status = 500
    await make_repo(setup)
    await setup.flush()
    log = (await setup.control.get("/_sandbox/deliveries")).json()
    assert log[-1]["status_code"] == 500
    assert len(setup.receiver.events("repository")) == 1


async def test_flush_route_waits_for_pending_deliveries(setup: Setup) -> None:
    await make_repo(setup, "one")
    await make_repo(setup, "two")
    flushed = await setup.control.post("/_sandbox/webhooks/flush")
    assert flushed.status_code == 200
    assert [r.payload["repository"]["name"] for r in setup.receiver.events("repository")] == ["one", "two"]


async def test_duplicate_mode(setup: Setup) -> None:
    await setup.control.post("/_sandbox/faults/webhooks", json={"mode": "duplicate", "count": 1})
    await make_repo(setup, "one")
    await make_repo(setup, "two")
    await setup.flush()
    names = [r.payload["repository"]["name"] for r in setup.receiver.events("repository")]
    assert names == ["one", "one", "two"]
    first, second = setup.receiver.events("repository")[:2]
    assert first.headers["x-github-delivery"] == second.headers["x-github-delivery"]


async def test_reorder_mode(setup: Setup) -> None:
    await setup.control.post("/_sandbox/faults/webhooks", json={"mode": "reorder", "count": 3})
    for name in ("one", "two", "three"):
        await make_repo(setup, name)
    assert setup.receiver.events("repository") == []  # held until the flush
    await setup.flush()
    names = [r.payload["repository"]["name"] for r in setup.receiver.events("repository")]
    assert names == ["three", "two", "one"]


async def test_drop_mode(setup: Setup) -> None:
    await setup.control.post("/_sandbox/faults/webhooks", json={"mode": "drop", "count": 1})
    await make_repo(setup, "one")
    await make_repo(setup, "two")
    await setup.flush()
    assert [r.payload["repository"]["name"] for r in setup.receiver.events("repository")] == ["two"]
    log = (await setup.control.get("/_sandbox/deliveries")).json()
    dropped = [d for d in log if d["dropped"]]
    assert [d["payload"]["repository"]["name"] for d in dropped] == ["one"]


async def test_before_response_mode(setup: Setup) -> None:
    await setup.control.post("/_sandbox/faults/webhooks", json={"mode": "before_response"})
    await make_repo(setup)
    # No flush: the delivery was made inside the API call.
    assert len(setup.receiver.events("repository", "created")) == 1
    assert (await setup.control.delete("/_sandbox/faults")).status_code == 204


async def test_bad_fault_mode_is_refused(setup: Setup) -> None:
    refused = await setup.control.post("/_sandbox/faults/webhooks", json={"mode": "scramble"})
    assert refused.status_code == 422


async def test_unsubscribed_events_are_not_sent(setup: Setup) -> None:
    app = await setup.control.post(
        "/_sandbox/apps",
        json={"name": "Quiet", "webhook_url": "http://service/github/webhooks", "events": ["member"]},
    )
    await setup.control.post("/_sandbox/orgs", json={"login": "quiet-org"})
    await setup.control.post(
        "/_sandbox/installations", json={"app_id": app.json()["id"], "account": "quiet-org"}
    )
    await setup.flush()
    assert [r.event for r in setup.receiver.received] == ["installation"]  # only the first App's
    unknown = await setup.control.post("/_sandbox/apps", json={"name": "Loud", "events": ["push"]})
    assert unknown.status_code == 422


async def test_payloads_over_25_mb_are_not_delivered(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    head = (await inst.rest.git.async_get_ref("acme", "sample", "heads/main")).parsed_data.object_.sha
    await inst.rest.git.async_create_ref("acme", "sample", ref="refs/heads/big", sha=head)
    await inst.rest.repos.async_create_or_update_file_contents(
        "acme", "sample", "x.txt", message="m", content="eA==", branch="big"
    )
    huge = "x" * (25 * 1024 * 1024)
    await inst.rest.pulls.async_create("acme", "sample", title="big", head="big", base="main", body=huge)
    await setup.flush()
    assert setup.receiver.events("pull_request") == []
    log = (await setup.control.get("/_sandbox/deliveries")).json()
    assert "over GitHub's 25 MB cap" in log[-1]["error"]


async def test_flush_from_inside_a_delivery_does_not_deadlock() -> None:
    """A receiver that flushes (an in-process service waiting for its own follow-ups) gets an answer."""
    answers: list[int] = []
    sim_box: list[Any] = []

    async def receiver(scope: Any, receive: Any, send: Any) -> None:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim_box[0]), base_url=BASE) as client:
            answers.append((await client.post("/_sandbox/webhooks/flush")).status_code)
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sim = create_app(webhook_transport=httpx.ASGITransport(app=receiver))
    sim_box.append(sim)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim), base_url=BASE) as control:
        await control.post("/_sandbox/orgs", json={"login": "solo"})
        app = (
            await control.post("/_sandbox/apps", json={"name": "Self", "webhook_url": "http://svc/hook"})
        ).json()
        await control.post("/_sandbox/installations", json={"app_id": app["id"], "account": "solo"})
        assert (await control.post("/_sandbox/webhooks/flush")).status_code == 200
    assert answers == [200]
