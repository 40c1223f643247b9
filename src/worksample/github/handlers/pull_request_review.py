"""``pull_request_review`` submitted / edited / dismissed: record the review and re-score.

A review can arrive before the ``pull_request`` webhook of its PR (or that one may be lost): the
submission is then recorded from the PR as the REST API shows it, and routed, before the review.
"""

from __future__ import annotations

from worksample.db.models import Submission
from worksample.github.handlers.context import HandlerContext, field, int_field, str_field
from worksample.github.routing import Router, WebhookEvent
from worksample.review.assignments import lock_assignment_for_repo
from worksample.review.reviews import record_review
from worksample.review.routing import route_review
from worksample.review.score import announce_review, rescore
from worksample.review.submission import fetch_and_record

router = Router()


@router.register("pull_request_review", "submitted", "edited", "dismissed")
async def review_changed(event: WebhookEvent, context: HandlerContext) -> str:
    session = context.session
    assignment = await lock_assignment_for_repo(session, int_field(event.data, "repository", "id"))
    if assignment is None:
        return "ignored: not an assignment repository"
    review = field(event.data, "review")
    full_name = str_field(event.data, "repository", "full_name")
    number = int_field(event.data, "pull_request", "number")
    if not isinstance(review, dict) or full_name is None or number is None:
        raise ValueError(f"pull_request_review delivery {event.delivery_id} without review or pull_request")
    owner, repo = full_name.split("/", 1)
    gh = context.installation_client(event)
    notes: list[str] = []
    submission = await session.get(Submission, assignment.id)
    if submission is None:
        submission, note = await fetch_and_record(session, gh, assignment, owner, repo, number)
        notes.append(note)
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
    rubric = context.catalog.get(assignment.artifact_id).manifest.rubric
    recorded = await record_review(
        session, gh, assignment, submission, review, owner=owner, repo=repo, pr_number=number, rubric=rubric
    )
    if recorded is None:
        return "; ".join([*notes, "ignored: review not submitted"])
    notes.append(recorded.note)
    if submission is not None and recorded.row.ignored is None:
        result = await rescore(session, assignment, submission, rubric)
        if recorded.changed:
            await announce_review(session, assignment, recorded.row, result)
        notes.append(f"score {result.score}")
    return "; ".join(notes)
