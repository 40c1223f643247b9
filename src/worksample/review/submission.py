"""The candidate's pull request as their submission: recorded once, kept current, then routed.

Only a pull request opened by the candidate (matched by GitHub's numeric id, never the login) in the
assignment's own repository counts, and only the first one: a second PR is put on the timeline and
otherwise ignored. A draft waits until it is ready for review. Every pull request event and every
review event calls :func:`record_submission`, so a lost or late ``opened`` webhook changes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from githubkit import GitHub
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.assignments.state import AssignmentStatus
from worksample.db.models import Assignment, Submission
from worksample.db.session import session_now
from worksample.db.timeline import record_event
from worksample.github.payload import int_field, str_field
from worksample.review.assignments import advance
from worksample.review.github_calls import get_pull, list_pulls
from worksample.review.timestamps import parse_github_time


def pull_state(pr: dict[str, Any]) -> str:
    if pr.get("merged") is True or pr.get("merged_at"):
        return "merged"
    return "closed" if pr.get("state") == "closed" else "open"


def is_candidates_pull(assignment: Assignment, pr: dict[str, Any]) -> bool:
    candidate_id = assignment.candidate.github_id
    return candidate_id is not None and int_field(pr, "user", "id") == candidate_id


async def record_submission(
    session: AsyncSession, assignment: Assignment, pr: dict[str, Any], *, action: str | None
) -> tuple[Submission | None, str]:
    """Record or update the submission from a pull request object (webhook or REST, same shape).

    Returns the submission (None when this PR is not, or not yet, the submission) and a note.
    """
    number = int_field(pr, "number")
    if not is_candidates_pull(assignment, pr):
        await record_event(
            session,
            assignment,
            "submission.ignored",
            detail={
                "pr_number": number,
                "author": str_field(pr, "user", "login"),
                "reason": "not the candidate",
            },
        )
        return None, f"ignored: PR #{number} is not the candidate's"
    submission = await session.get(Submission, assignment.id)
    if submission is not None and submission.pr_id != int_field(pr, "id"):
        await record_event(
            session,
            assignment,
            "submission.other_pull_request",
            detail={"pr_number": number, "submission_pr_number": submission.pr_number},
        )
        return None, f"ignored: PR #{number} is not the submitted PR #{submission.pr_number}"
    draft = pr.get("draft") is True
    if submission is None:
        if draft:
            await record_event(session, assignment, "submission.draft", detail={"pr_number": number})
            return None, f"draft PR #{number}: waits for ready_for_review"
        submission = _new_submission(assignment, pr, action=action, now=session_now(session))
        session.add(submission)
        await session.flush()
        await _enter_submitted(session, assignment, submission)
        return submission, f"submission recorded: PR #{number}{' (late)' if submission.late else ''}"
    return submission, await _update(session, assignment, submission, pr)


def _new_submission(
    assignment: Assignment, pr: dict[str, Any], *, action: str | None, now: datetime
) -> Submission:
    # A draft made ready is submitted when it became ready, not when the draft was opened.
    stamp = pr.get("updated_at") if action == "ready_for_review" else pr.get("created_at")
    submitted_at = parse_github_time(stamp) or now
    deadline = assignment.deadline_at
    return Submission(
        assignment_id=assignment.id,
        pr_id=int(pr["id"]),
        pr_number=int(pr["number"]),
        pr_url=str(pr["html_url"]),
        head_sha=str(pr["head"]["sha"]),
        files_changed=int_field(pr, "changed_files"),
        submitted_at=submitted_at,
        late=deadline is not None and submitted_at > deadline,
        draft=False,
        state=pull_state(pr),
    )


async def _enter_submitted(session: AsyncSession, assignment: Assignment, submission: Submission) -> None:
    assignment.pr_number = submission.pr_number
    assignment.pr_url = submission.pr_url
    assignment.pr_head_sha = submission.head_sha
    await session.flush()
    detail = {
        "pr_number": submission.pr_number,
        "pr_url": submission.pr_url,
        "head_sha": submission.head_sha,
        "files_changed": submission.files_changed,
        "submitted_at": submission.submitted_at.isoformat(),
        "on_time": not submission.late,
    }
    entered = await advance(
        session, assignment, AssignmentStatus.SUBMITTED, detail=detail, at=submission.submitted_at
    )
    if not entered:
        # Expired (or cancelled) before the PR came: the work is kept and the timeline says so.
        await record_event(session, assignment, "submission.recorded", detail=detail)


async def _update(
    session: AsyncSession,
    assignment: Assignment,
    submission: Submission,
    pr: dict[str, Any],
) -> str:
    # ``pr`` was read from the REST API just now (see fetch_and_record): GitHub's current truth,
    # so a stale or reordered event cannot move the head back.
    changes: dict[str, Any] = {}
    head = str_field(pr, "head", "sha")
    files = int_field(pr, "changed_files")
    if head and head != submission.head_sha:
        changes["head_sha"] = head
        submission.head_sha = head
        assignment.pr_head_sha = head
    if files is not None and files != submission.files_changed:
        changes["files_changed"] = files
        submission.files_changed = files
    state = pull_state(pr)
    if state != submission.state:
        changes["state"] = state
        submission.state = state
    if not changes:
        return f"submission PR #{submission.pr_number} unchanged"
    kind = (
        "submission.updated" if "head_sha" in changes or "files_changed" in changes else "submission." + state
    )
    await record_event(session, assignment, kind, detail={"pr_number": submission.pr_number, **changes})
    return f"submission PR #{submission.pr_number} updated: {', '.join(sorted(changes))}"


async def fetch_and_record(
    session: AsyncSession,
    gh: GitHub[Any],
    assignment: Assignment,
    owner: str,
    repo: str,
    number: int,
    *,
    action: str | None = None,
) -> tuple[Submission | None, str]:
    """Read the PR from the REST API, then record it: payloads can arrive late and out of order
    (and a review's payload carries only part of the PR), the API answers with the PR as it is.

    Before any submission is on record, the candidate's first ready pull request is recorded
    first: when the events of PR #1 come late (or never) and those of a second PR first, the
    submission is still #1, as in the in-order stream.
    """
    pr = await get_pull(gh, owner, repo, number)
    if is_candidates_pull(assignment, pr) and await session.get(Submission, assignment.id) is None:
        first = _first_ready(assignment, await list_pulls(gh, owner, repo))
        if first is not None and first != number:
            submission, note = await record_submission(
                session, assignment, await get_pull(gh, owner, repo, first), action=None
            )
            _, other = await record_submission(session, assignment, pr, action=action)
            return submission, f"{note}; {other}"
    return await record_submission(session, assignment, pr, action=action)


def _first_ready(assignment: Assignment, pulls: list[dict[str, Any]]) -> int | None:
    """The number of the candidate's first pull request that is not a draft, if any."""
    numbers = [
        number
        for pull in pulls
        if is_candidates_pull(assignment, pull)
        and pull.get("draft") is not True
        and (number := int_field(pull, "number")) is not None
    ]
    return min(numbers, default=None)
