"""The whole candidate flow through a real githubkit client: invite → accept → PR → review."""

from __future__ import annotations

import base64

from githubkit.webhooks import parse
from githubkit_schemas.latest.models import PullRequestReview

from tests.sandbox.conftest import Setup, make_repo


async def test_invite_accept_pull_request_review(setup: Setup) -> None:
    repo = await make_repo(setup)
    app = setup.installation()

    invited = await app.rest.repos.async_add_collaborator("acme", "sample", "candidate", permission="push")
    assert invited.status_code == 201
    assert invited.headers["location"].endswith(f"/user/repository_invitations/{invited.parsed_data.id}")
    assert invited.parsed_data.permissions == "write"

    candidate = setup.user("candidate")
    mine = (await candidate.rest.repos.async_list_invitations_for_authenticated_user()).parsed_data
    assert [i.id for i in mine] == [invited.parsed_data.id]
    accepted = await candidate.rest.repos.async_accept_invitation_for_authenticated_user(mine[0].id)
    assert accepted.status_code == 204

    main = (await candidate.rest.git.async_get_ref("acme", "sample", "heads/main")).parsed_data
    await candidate.rest.git.async_create_ref(
        "acme", "sample", ref="refs/heads/solution", sha=main.object_.sha
    )
    put = await candidate.rest.repos.async_create_or_update_file_contents(
        "acme",
        "sample",
        "solution.py",
        message="solve",
        content=base64.b64encode(b"print(42)\n").decode(),
        branch="solution",
    )
    assert put.status_code == 201
    pr = (
        await candidate.rest.pulls.async_create(
            "acme", "sample", title="Solution", head="solution", base="main"
        )
    ).parsed_data
    assert pr.number == 1
    assert pr.changed_files == 1

    requested = await app.rest.pulls.async_request_reviewers("acme", "sample", 1, reviewers=["lead"])
    assert [u.login for u in requested.parsed_data.requested_reviewers or []] == ["lead"]

    lead = setup.user("lead")
    review = (
        await lead.rest.pulls.async_create_review("acme", "sample", 1, body="score: 3/4", event="APPROVE")
    ).parsed_data
    assert review.state == "APPROVED"
    listed: list[PullRequestReview] = (
        await lead.rest.pulls.async_list_reviews("acme", "sample", 1)
    ).parsed_data
    assert [(r.id, r.state) for r in listed] == [(review.id, "APPROVED")]
    # Reviewing answers the request.
    pending = (await app.rest.pulls.async_list_requested_reviewers("acme", "sample", 1)).parsed_data
    assert pending.users == []

    await setup.flush()
    seen = [(r.event, r.payload.get("action")) for r in setup.receiver.received]
    assert seen == [
        ("installation", "created"),
        ("repository", "created"),
        ("member", "added"),
        ("pull_request", "opened"),
        ("pull_request", "review_requested"),
        ("pull_request_review", "submitted"),
    ]
    for received in setup.receiver.received:
        parse(received.event, received.body)
    submitted = setup.receiver.events("pull_request_review", "submitted")[0].payload
    assert submitted["review"]["state"] == "approved"
    assert submitted["repository"]["id"] == repo.id
