"""``issue_comment`` on the submitted PR: never scored, but recorded as ignored.

Scorecards count only in reviews (a review carries the reviewer's verdict, and GitHub ties it to
the reviewed commit). A comment by anyone — a reviewer pasting the scorecard in the wrong place,
the candidate, a stranger — goes on the timeline as ignored; our own comments are skipped.
"""

from __future__ import annotations

from worksample.db.models import Submission
from worksample.db.timeline import record_event
from worksample.github.handlers.context import NOT_OURS, HandlerContext
from worksample.github.payload import field, int_field, str_field
from worksample.github.routing import Router, WebhookEvent
from worksample.scoring import is_feedback_comment, is_scorecard_comment

router = Router()


@router.register("issue_comment", "created", "edited")
async def comment_on_pull_request(event: WebhookEvent, context: HandlerContext) -> str:
    if field(event.data, "issue", "pull_request") is None:
        return "ignored: a comment on an issue, not a pull request"
    body = str_field(event.data, "comment", "body")
    if str_field(event.data, "comment", "user", "type") == "Bot" or is_scorecard_comment(body):
        return "ignored: a comment by an App"
    if is_feedback_comment(body):
        return "ignored: our own feedback"
    assignment = await context.locked_assignment(event)
    if assignment is None:
        return NOT_OURS
    submission = await context.session.get(Submission, assignment.id)
    number = int_field(event.data, "issue", "number")
    if submission is None or submission.pr_number != number:
        return f"ignored: a comment on PR #{number}, not the submission"
    login = str_field(event.data, "comment", "user", "login")
    await record_event(
        context.session,
        assignment,
        "review.comment_ignored",
        detail={
            "comment_id": int_field(event.data, "comment", "id"),
            "login": login,
            "action": event.action,
            "reason": "scorecards count only in reviews",
        },
    )
    return f"comment by {login} recorded as ignored"
