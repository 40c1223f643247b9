"""Pull requests, reviews, issue comments and their webhooks."""

from __future__ import annotations

from typing import Any

from githubkit.webhooks import parse
from githubkit_schemas.latest.models import DiffEntry, IssueComment, PullRequestReview, PullRequestSimple

from tests.sandbox.conftest import Setup, failure, make_repo, push_file


async def _candidate_pr(setup: Setup, *, draft: bool = False) -> Any:
    """The candidate accepted the invitation, pushed a branch and opened pull request #1."""
    await make_repo(setup)
    inst, candidate = setup.installation(), setup.user("candidate")
    inv = (await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate")).parsed_data
    await candidate.rest.repos.async_accept_invitation_for_authenticated_user(inv.id)
    head = (await candidate.rest.git.async_get_ref("acme", "sample", "heads/main")).parsed_data.object_.sha
    await candidate.rest.git.async_create_ref("acme", "sample", ref="refs/heads/solution", sha=head)
    await push_file(setup, "candidate", "answer.py", b"print(1)\n", branch="solution")
    return (
        await candidate.rest.pulls.async_create(
            "acme", "sample", title="My solution", head="solution", base="main", body="done", draft=draft
        )
    ).parsed_data


async def test_open_pull_request_and_files(setup: Setup) -> None:
    pr = await _candidate_pr(setup)
    assert (pr.number, pr.state, pr.user.login) == (1, "open", "candidate")
    inst = setup.installation()
    files: list[DiffEntry] = (await inst.rest.pulls.async_list_files("acme", "sample", 1)).parsed_data
    assert [(f.filename, f.status, f.additions) for f in files] == [("answer.py", "added", 1)]
    listed: list[PullRequestSimple] = (await inst.rest.pulls.async_list("acme", "sample")).parsed_data
    assert [p.number for p in listed] == [1]
    await setup.flush()
    opened = setup.receiver.events("pull_request", "opened")
    assert len(opened) == 1
    assert opened[0].payload["pull_request"]["head"]["sha"] == pr.head.sha
    parse("pull_request", opened[0].body)


async def test_pull_request_validation(setup: Setup) -> None:
    await _candidate_pr(setup)
    candidate = setup.user("candidate")
    duplicate = await failure(
        candidate.rest.pulls.async_create("acme", "sample", title="t", head="solution", base="main")
    )
    assert "already exists" in duplicate.json()["errors"][0]["message"]
    same = await failure(
        candidate.rest.pulls.async_create("acme", "sample", title="t", head="main", base="main")
    )
    assert same.status_code == 422
    missing = await failure(
        candidate.rest.pulls.async_create("acme", "sample", title="t", head="nope", base="main")
    )
    assert missing.json()["errors"][0]["field"] == "head"
    stranger = setup.user("stranger")
    assert (await failure(stranger.rest.pulls.async_get("acme", "sample", 1))).status_code == 404


async def test_new_commits_on_the_head_branch_synchronize(setup: Setup) -> None:
    pr = await _candidate_pr(setup)
    commit = await push_file(setup, "candidate", "more.py", b"x = 2\n", branch="solution")
    inst = setup.installation()
    again = (await inst.rest.pulls.async_get("acme", "sample", 1)).parsed_data
    assert again.head.sha == commit.sha
    assert again.changed_files == 2
    await setup.flush()
    sync = setup.receiver.events("pull_request", "synchronize")
    assert [(s.payload["before"], s.payload["after"]) for s in sync] == [(pr.head.sha, commit.sha)]


async def test_draft_then_ready_for_review(setup: Setup) -> None:
    pr = await _candidate_pr(setup, draft=True)
    assert pr.draft is True
    ready = await setup.control.post(
        "/_sandbox/repos/acme/sample/pulls/1/ready_for_review", json={"login": "candidate"}
    )
    assert ready.status_code == 200
    assert ready.json()["draft"] is False
    twice = await setup.control.post(
        "/_sandbox/repos/acme/sample/pulls/1/ready_for_review", json={"login": "candidate"}
    )
    assert twice.status_code == 422
    await setup.flush()
    events = setup.receiver.events("pull_request", "ready_for_review")
    assert len(events) == 1
    parse("pull_request", events[0].body)


async def test_close_reopen_and_merge(setup: Setup) -> None:
    await _candidate_pr(setup)
    candidate, inst = setup.user("candidate"), setup.installation()
    closed = (await candidate.rest.pulls.async_update("acme", "sample", 1, state="closed")).parsed_data
    assert closed.state == "closed"
    reopened = (
        await candidate.rest.pulls.async_update("acme", "sample", 1, state="open", title="v2")
    ).parsed_data
    assert (reopened.state, reopened.title) == ("open", "v2")
    stale = await failure(inst.rest.pulls.async_merge("acme", "sample", 1, sha="0" * 40))
    assert stale.status_code == 409
    merged = (await inst.rest.pulls.async_merge("acme", "sample", 1)).parsed_data
    assert merged.merged is True
    final = await inst.rest.pulls.async_get("acme", "sample", 1)
    assert (final.parsed_data.merged, final.parsed_data.state) == (True, "closed")
    assert final.raw_response.json()["merge_commit_sha"] == merged.sha
    assert (await failure(inst.rest.pulls.async_merge("acme", "sample", 1))).status_code == 405
    main = (await setup.control.get("/_sandbox/repos/acme/sample")).json()["branches"]["main"]
    assert "answer.py" in main["files"]
    await setup.flush()
    actions = [r.payload["action"] for r in setup.receiver.events("pull_request")]
    assert actions == ["opened", "closed", "edited", "reopened", "closed"]
    edited = setup.receiver.events("pull_request", "edited")[0].payload
    assert edited["changes"] == {"title": {"from": "My solution"}}
    last = setup.receiver.events("pull_request", "closed")[-1].payload
    assert last["pull_request"]["merged"] is True
    for received in setup.receiver.events("pull_request"):
        parse("pull_request", received.body)


async def test_requested_reviewers_need_access(setup: Setup) -> None:
    await _candidate_pr(setup)
    inst = setup.installation()
    refused = await failure(
        inst.rest.pulls.async_request_reviewers("acme", "sample", 1, reviewers=["stranger"])
    )
    assert refused.status_code == 422
    assert refused.json()["message"].startswith("Reviews may only be requested from collaborators")
    author = await failure(
        inst.rest.pulls.async_request_reviewers("acme", "sample", 1, reviewers=["candidate"])
    )
    assert author.status_code == 422
    ok = (await inst.rest.pulls.async_request_reviewers("acme", "sample", 1, reviewers=["lead"])).parsed_data
    assert [u.login for u in ok.requested_reviewers or []] == ["lead"]
    listed = (await inst.rest.pulls.async_list_requested_reviewers("acme", "sample", 1)).parsed_data
    assert [u.login for u in listed.users] == ["lead"]
    removed = await inst.rest.pulls.async_remove_requested_reviewers("acme", "sample", 1, reviewers=["lead"])
    assert removed.parsed_data.requested_reviewers == []
    await setup.flush()
    requested = setup.receiver.events("pull_request", "review_requested")
    assert requested[0].payload["requested_reviewer"]["login"] == "lead"
    parse("pull_request", setup.receiver.events("pull_request", "review_request_removed")[0].body)


async def test_reviews_submit_edit_dismiss(setup: Setup) -> None:
    await _candidate_pr(setup)
    lead, candidate, inst = setup.user("lead"), setup.user("candidate"), setup.installation()
    self_approve = await failure(
        candidate.rest.pulls.async_create_review("acme", "sample", 1, event="APPROVE")
    )
    assert self_approve.status_code == 422
    self_comment = (
        await candidate.rest.pulls.async_create_review("acme", "sample", 1, event="COMMENT", body="my notes")
    ).parsed_data
    assert self_comment.state == "COMMENTED"
    no_body = await failure(lead.rest.pulls.async_create_review("acme", "sample", 1, event="REQUEST_CHANGES"))
    assert no_body.status_code == 422
    changes = (
        await lead.rest.pulls.async_create_review(
            "acme", "sample", 1, event="REQUEST_CHANGES", body="correctness: 2"
        )
    ).parsed_data
    edited = (
        await lead.rest.pulls.async_update_review("acme", "sample", 1, changes.id, body="correctness: 3")
    ).parsed_data
    assert edited.body == "correctness: 3"
    not_yours = await failure(
        candidate.rest.pulls.async_update_review("acme", "sample", 1, changes.id, body="x")
    )
    assert not_yours.status_code == 403
    commented = await failure(
        inst.rest.pulls.async_dismiss_review("acme", "sample", 1, self_comment.id, message="no")
    )
    assert commented.status_code == 422
    dismissed = (
        await inst.rest.pulls.async_dismiss_review("acme", "sample", 1, changes.id, message="stale")
    ).parsed_data
    assert dismissed.state == "DISMISSED"
    reviews: list[PullRequestReview] = (
        await inst.rest.pulls.async_list_reviews("acme", "sample", 1)
    ).parsed_data
    states = [r.state for r in reviews]
    assert states == ["COMMENTED", "DISMISSED"]
    got = (await inst.rest.pulls.async_get_review("acme", "sample", 1, changes.id)).parsed_data
    assert got.body == "correctness: 3"
    await setup.flush()
    hooks = setup.receiver.events("pull_request_review")
    assert [(h.payload["action"], h.payload["review"]["state"]) for h in hooks] == [
        ("submitted", "commented"),
        ("submitted", "changes_requested"),
        ("edited", "changes_requested"),
        ("dismissed", "dismissed"),
    ]
    assert hooks[2].payload["changes"] == {"body": {"from": "correctness: 2"}}
    for hook in hooks:
        parse("pull_request_review", hook.body)


async def test_pending_review_then_submit(setup: Setup) -> None:
    await _candidate_pr(setup)
    lead, inst = setup.user("lead"), setup.installation()
    pending = (await lead.rest.pulls.async_create_review("acme", "sample", 1, body="draft")).parsed_data
    assert pending.state == "PENDING"
    # Only its author sees a pending review.
    assert (await inst.rest.pulls.async_list_reviews("acme", "sample", 1)).parsed_data == []
    submitted = (
        await lead.rest.pulls.async_submit_review("acme", "sample", 1, pending.id, event="APPROVE")
    ).parsed_data
    assert submitted.state == "APPROVED"
    await setup.flush()
    assert len(setup.receiver.events("pull_request_review", "submitted")) == 1


async def test_issue_comments_on_the_pull_request(setup: Setup) -> None:
    await _candidate_pr(setup)
    inst, candidate = setup.installation(), setup.user("candidate")
    created = await inst.rest.issues.async_create_comment("acme", "sample", 1, body="## Scorecard")
    assert created.status_code == 201
    comment = created.parsed_data
    assert comment.user is not None
    assert comment.user.login == "work-sample[bot]"
    comments: list[IssueComment] = (
        await candidate.rest.issues.async_list_comments("acme", "sample", 1)
    ).parsed_data
    assert [c.id for c in comments] == [comment.id]
    # A read-only collaborator may not edit someone else's comment (write access may, as on GitHub).
    inv = (
        await inst.rest.repos.async_add_collaborator("acme", "sample", "stranger", permission="pull")
    ).parsed_data
    reader = setup.user("stranger")
    await reader.rest.repos.async_accept_invitation_for_authenticated_user(inv.id)
    not_author = await failure(
        reader.rest.issues.async_update_comment("acme", "sample", comment.id, body="x")
    )
    assert not_author.status_code == 403
    edited = (
        await inst.rest.issues.async_update_comment("acme", "sample", comment.id, body="## Scorecard v2")
    ).parsed_data
    assert edited.body == "## Scorecard v2"
    assert (
        await inst.rest.issues.async_get_comment("acme", "sample", comment.id)
    ).parsed_data.id == comment.id
    empty = await failure(inst.rest.issues.async_create_comment("acme", "sample", 1, body="  "))
    assert empty.status_code == 422
    assert (
        await failure(inst.rest.issues.async_create_comment("acme", "sample", 99, body="x"))
    ).status_code == 404
    assert (await inst.rest.issues.async_delete_comment("acme", "sample", comment.id)).status_code == 204
    await setup.flush()
    actions = [r.payload["action"] for r in setup.receiver.events("issue_comment")]
    assert actions == ["created", "edited", "deleted"]
    for received in setup.receiver.events("issue_comment"):
        parse("issue_comment", received.body)
