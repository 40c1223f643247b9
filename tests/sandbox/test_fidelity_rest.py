"""Real recorded GitHub exchanges (octokit/fixtures) replayed against the simulator.

Each recording is replayed request for request; the simulator must answer with the same status,
the same key headers and a body with every key path of the real one (values aside).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.sandbox.conftest import BASE, Setup, build_setup, failure
from tests.sandbox.keypaths import missing_paths

FIXTURES = Path("/work/shared/fixtures/github/rest")
ORG, USER_A, USER_B = "octokit-fixture-org", "octokit-fixture-user-a", "octokit-fixture-user-b"
KEY_HEADERS = ("x-github-media-type", "x-ratelimit-limit", "x-ratelimit-resource")
SHA_1, SHA_2 = "0" * 39 + "1", "0" * 39 + "2"


def _normalise(url: str) -> str:
    """A Location's path with ids and shas blanked, so recorded and simulated ones compare."""
    path = re.sub(r"^https?://[^/]+", "", url)
    return re.sub(r"\b([0-9a-f]{40}|\d+)\b", "N", path)


async def _world(setup: Setup, scenario: str) -> dict[str, str]:
    """The state each recording started from; returns the substitutions for recorded ids and shas."""
    control = setup.control
    await setup.add_user(USER_A)
    await setup.add_user(USER_B)
    assert (await control.post("/_sandbox/orgs", json={"login": ORG, "admins": [USER_A]})).status_code == 201
    await control.post(f"/_sandbox/orgs/{ORG}/teams", json={"name": "A-Team", "members": [USER_A]})
    a = setup.user(USER_A)
    name = "hello-world" if scenario in ("get-content", "get-repository", "get-organization") else scenario
    repo = (await a.rest.repos.async_create_in_org(ORG, name=name, auto_init=True)).parsed_data
    subs = {"/repositories/1000": f"/repositories/{repo.id}"}
    if scenario == "git-refs":
        parent = (await a.rest.git.async_get_ref(ORG, name, "heads/main")).parsed_data.object_.sha
        tree = (await a.rest.git.async_get_commit(ORG, name, parent)).parsed_data.tree.sha
        child = (
            await a.rest.git.async_create_commit(ORG, name, message="second", tree=tree, parents=[parent])
        ).parsed_data.sha
        await a.rest.git.async_update_ref(ORG, name, "heads/main", sha=child)
        subs |= {SHA_1: child, SHA_2: parent}
    return subs


def _substitute(text: str, subs: dict[str, str]) -> str:
    for old, new in subs.items():
        text = text.replace(old, new)
    return text


def _scenarios() -> list[str]:
    return sorted(
        p.parent.name for p in FIXTURES.glob("*/normalized-fixture.json") if p.parent.name != "errors"
    )


@pytest.mark.parametrize("scenario", _scenarios())
async def test_recorded_exchange_replays(scenario: str) -> None:
    setup = await build_setup()
    try:
        subs = await _world(setup, scenario)
        for exchange in json.loads((FIXTURES / scenario / "normalized-fixture.json").read_text()):
            await _replay(setup, exchange, subs)
    finally:
        await setup.control.aclose()


async def _replay(setup: Setup, exchange: dict[str, Any], subs: dict[str, str]) -> None:
    method, path = exchange["method"].upper(), _substitute(exchange["path"], subs)
    # The invitee accepts their own invitation; everything else was recorded as user A.
    login = USER_B if path.startswith("/user/repository_invitations/") else USER_A
    headers = {"Authorization": f"token {setup.tokens[login]}", "Accept": exchange["reqheaders"]["accept"]}
    body = exchange.get("body")
    content = _substitute(json.dumps(body), subs).encode() if body not in ("", None) else None
    response = await setup.control.request(method, path, content=content, headers=headers)
    where = f"{method} {exchange['path']}"
    assert response.status_code == exchange["status"], (where, response.text)
    real_headers = exchange["headers"]
    for name in KEY_HEADERS:
        assert response.headers.get(name) == real_headers.get(name), (where, name)
    if "content-type" in real_headers:
        assert response.headers["content-type"].split(";")[0] == real_headers["content-type"].split(";")[0], (
            where
        )
    if "location" in real_headers:
        assert _normalise(response.headers["location"]) == _normalise(real_headers["location"]), where
        if response.headers["location"].startswith(BASE + "/user/repository_invitations/"):
            # The recording's invitation id becomes ours for the accepting PATCH that follows.
            subs["/user/repository_invitations/1000"] = (
                "/user/repository_invitations/" + response.headers["location"].rsplit("/", 1)[1]
            )
    real_body = exchange["response"]
    if isinstance(real_body, (dict, list)) and real_body:
        assert missing_paths(real_body, response.json()) == [], where
    elif real_body == "":
        assert response.content == b"", where
    else:
        assert response.text == real_body, where


async def test_validation_error_shape_matches_the_recorded_422() -> None:
    """The recorded 422 is for labels (not simulated); a simulated validation failure has its shape."""
    recorded = json.loads((FIXTURES / "errors" / "normalized-fixture.json").read_text())[0]
    setup = await build_setup()
    try:
        inst = setup.installation()
        await inst.rest.repos.async_create_in_org("acme", name="taken")
        answer: httpx.Response = await failure(inst.rest.repos.async_create_in_org("acme", name="taken"))
        assert answer.status_code == recorded["status"]
        assert (
            missing_paths({k: v for k, v in recorded["response"].items() if k != "message"}, answer.json())
            == []
        )
        assert answer.headers["content-type"].startswith("application/json")
    finally:
        await setup.control.aclose()
