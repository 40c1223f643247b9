"""``pull_request``: the candidate's submission, and routing it to the reviewers."""

from __future__ import annotations

from worksample.github.handlers.context import HandlerContext, field, int_field, str_field
from worksample.github.routing import Router, WebhookEvent
from worksample.review.assignments import lock_assignment_for_repo
from worksample.review.routing import route_review
from worksample.review.submission import fetch_and_record, is_candidates_pull, record_submission

router = Router()


@router.register("pull_request", "opened", "reopened", "ready_for_review", "synchronize", "closed")
async def pull_request_changed(event: WebhookEvent, context: HandlerContext) -> str:
    session = context.session
    assignment = await lock_assignment_for_repo(session, int_field(event.data, "repository", "id"))
    if assignment is None:
        return "ignored: not an assignment repository"
    pr = field(event.data, "pull_request")
    full_name = str_field(event.data, "repository", "full_name")
    number = int_field(event.data, "pull_request", "number")
    if not isinstance(pr, dict) or full_name is None or number is None:
        raise ValueError(f"pull_request delivery {event.delivery_id} without pull_request or repository")
    if not is_candidates_pull(assignment, pr):
        _, note = await record_submission(session, assignment, pr, action=event.action)
        return note
    owner, repo = full_name.split("/", 1)
    gh = context.installation_client(event)
    submission, note = await fetch_and_record(
        session, gh, assignment, owner, repo, number, action=event.action
    )
    notes = [note]
    if submission is not None and submission.state == "open":
        notes += await route_review(
            session,
            gh,
            assignment,
            submission,
            owner=owner,
            repo=repo,
            catalog=context.catalog,
            public_url=context.public_url,
        )
    return "; ".join(notes)
