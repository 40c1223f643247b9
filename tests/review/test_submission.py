"""What counts as the submission: the candidate's first ready PR in their repository, on time or late."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from tests.review.flow import ENGINEER, LEAD, Flow
from worksample.db.models import Assignment, Submission
from worksample.db.types import utcnow


async def test_draft_waits_for_ready_for_review(flow: Flow) -> None:
    await flow.create()
    await flow.accept()
    number = await flow.open_pr(draft=True)
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["status"] == "accepted"
    assert assignment["pr_url"] is None
    assert "submission.draft" in [e["kind"] for e in assignment["timeline"]]
    assert await flow.comments() == []

    await flow.ready_for_review(number)
    await flow.drain()
    assignment = await flow.assignment()
    assert assignment["status"] == "submitted"
    assert assignment["pr_url"].endswith(f"/pull/{number}")
    assert [u["login"] for u in (await flow.pull())["requested_reviewers"]] == [LEAD, ENGINEER]


async def test_late_submission_is_marked_late(flow: Flow) -> None:
    await flow.create()
    await flow.accept()
    await flow.drain()
    # Set-up: the deadline passed a minute ago (the API refuses a past deadline, rightly). The PR is
    # opened before the worker runs again, which would lock the repository at the deadline.
    await flow.sql(
        update(Assignment)
        .where(Assignment.id == flow.assignment_id)
        .values(deadline_at=utcnow() - timedelta(minutes=1))
    )
    number = await flow.open_pr()
    await flow.drain()
    rows = await flow.sql(
        select(Submission.pr_number, Submission.late, Submission.files_changed, Submission.head_sha)
    )
    assert rows is not None
    [(pr_number, late, files_changed, head_sha)] = rows
    assert (pr_number, late, files_changed) == (number, True, 1)
    assert len(head_sha) == 40
    assignment = await flow.assignment()
    submitted = next(e for e in assignment["timeline"] if e["to_status"] == "submitted")
    assert submitted["detail"]["on_time"] is False


async def test_only_the_first_pull_request_is_the_submission(flow: Flow) -> None:
    await flow.create()
    await flow.accept()
    first = await flow.open_pr()
    await flow.drain()
    second = await flow.open_pr(branch="another-try")
    await flow.drain()
    rows = await flow.sql(select(Submission.pr_number, Submission.late))
    assert rows == [(first, False)]
    assignment = await flow.assignment()
    assert assignment["pr_url"].endswith(f"/pull/{first}")
    other = [e for e in assignment["timeline"] if e["kind"] == "submission.other_pull_request"]
    assert [e["detail"]["pr_number"] for e in other] == [second]
    # A review on the other PR does not count.
    await flow.review(LEAD, "clarity: 4\nrisk: 4\n", "APPROVE", number=second)
    await flow.drain()
    assert (await flow.assignment())["score"] is None
    assert [(state, ignored) for _, state, ignored, _, _ in await flow.reviews_in_db()] == [
        ("approved", "not on the submitted pull request")
    ]


async def test_repository_archived_or_deleted_outside_the_app_is_recorded(flow: Flow) -> None:
    await flow.create()
    await flow.accept()
    await flow.drain()
    owner, name = flow.full_name.split("/")
    app = flow.app_client()
    await app.rest.repos.async_update(owner, name, archived=True)
    await flow.drain()
    await app.rest.repos.async_delete(owner, name)
    await flow.drain()
    assignment = await flow.assignment()
    kinds = [e["kind"] for e in assignment["timeline"]]
    assert "repository.archived" in kinds
    assert "repository.deleted" in kinds
    assert assignment["status"] == "accepted"
