"""Every webhook the simulator sends has every key path of GitHub's real example for that event/action.

The examples are octokit/webhooks' recordings in /work/shared/fixtures/github/webhooks/. The
simulator's payloads must also parse with githubkit, which the real ones partly no longer do.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from githubkit.webhooks import parse

from tests.sandbox.conftest import Setup, build_setup, make_repo, push_file
from tests.sandbox.keypaths import missing_paths

FIXTURES = Path("/work/shared/fixtures/github/webhooks")
# App webhooks never carry a ping like these (repository and organization hooks); not simulated.
NOT_SENT_BY_APPS = {"ping"}


def _examples() -> list[tuple[str, str, Path]]:
    out = []
    for path in sorted(FIXTURES.glob("*/*.json")):
        event = path.parent.name
        if event in NOT_SENT_BY_APPS:
            continue
        out.append((event, path.name.split(".")[0], path))
    return out


async def _every_event() -> dict[tuple[str, str], dict[str, Any]]:
    """Drive one world through every event/action the examples cover; the first payload of each."""
    setup: Setup = await build_setup()
    try:
        await make_repo(setup)
        inst, candidate, lead = setup.installation(), setup.user("candidate"), setup.user("lead")
        inv = (await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate")).parsed_data
        await candidate.rest.repos.async_accept_invitation_for_authenticated_user(inv.id)
        head = (
            await candidate.rest.git.async_get_ref("acme", "sample", "heads/main")
        ).parsed_data.object_.sha
        await candidate.rest.git.async_create_ref("acme", "sample", ref="refs/heads/work", sha=head)
        await push_file(setup, "candidate", "a.py", b"a\n", branch="work")
        await candidate.rest.pulls.async_create("acme", "sample", title="Work", head="work", base="main")
        await push_file(setup, "candidate", "b.py", b"b\n", branch="work")
        await inst.rest.pulls.async_request_reviewers("acme", "sample", 1, reviewers=["lead"])
        await inst.rest.issues.async_create_comment("acme", "sample", 1, body="scorecard")
        review = (
            await lead.rest.pulls.async_create_review(
                "acme", "sample", 1, event="REQUEST_CHANGES", body="2/4"
            )
        ).parsed_data
        await lead.rest.pulls.async_update_review("acme", "sample", 1, review.id, body="3/4")
        await inst.rest.pulls.async_dismiss_review("acme", "sample", 1, review.id, message="stale")
        await candidate.rest.pulls.async_update("acme", "sample", 1, state="closed")
        await candidate.rest.pulls.async_update("acme", "sample", 1, state="open")
        await inst.rest.repos.async_update("acme", "sample", archived=True)
        sel = await setup.control.post("/_sandbox/orgs", json={"login": "beta", "admins": ["lead"]})
        assert sel.status_code == 201
        beta = await setup.control.post(
            "/_sandbox/installations",
            json={"app_id": setup.app_id, "account": "beta", "repository_selection": "selected"},
        )
        await lead.rest.repos.async_create_in_org("beta", name="picked", private=True)
        await setup.control.post(
            f"/_sandbox/installations/{beta.json()['id']}/repositories", json={"add": ["picked"]}
        )
        await setup.control.delete(f"/_sandbox/installations/{beta.json()['id']}")
        await setup.flush()
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for received in setup.receiver.received:
            parse(received.event, received.body)
            seen.setdefault((received.event, received.payload["action"]), received.payload)
        return seen
    finally:
        await setup.control.aclose()


@pytest.fixture(scope="module")
def sent() -> dict[tuple[str, str], dict[str, Any]]:
    import asyncio

    return asyncio.run(_every_event())


@pytest.mark.parametrize(("event", "action", "path"), _examples(), ids=lambda v: str(getattr(v, "name", v)))
def test_payload_has_every_key_path_of_the_real_example(
    sent: dict[tuple[str, str], dict[str, Any]], event: str, action: str, path: Path
) -> None:
    assert (event, action) in sent, f"the simulator never sent {event}.{action}"
    real = json.loads(path.read_text())
    ours = sent[(event, action)]
    # Which permissions an App holds is its own choice: the keys of that map are values.
    assert missing_paths(real, ours, value_maps=frozenset({"installation.permissions"})) == []


def test_edited_and_archived_follow_the_documented_recipes(
    sent: dict[tuple[str, str], dict[str, Any]],
) -> None:
    # No upstream examples exist for these; their siblings' shapes plus ``changes`` are the recipe.
    review_edit = sent[("pull_request_review", "edited")]
    assert review_edit["changes"] == {"body": {"from": "2/4"}}
    assert missing_paths(sent[("pull_request_review", "submitted")], review_edit) == []
    archived = sent[("repository", "archived")]
    assert archived["repository"]["archived"] is True
    assert missing_paths(sent[("repository", "created")], archived) == []
