"""``issue_comment`` on the submitted PR: never scored, but recorded as ignored.

Scorecards count only in reviews (a review carries the reviewer's verdict, and GitHub ties it to
the reviewed commit). A comment by anyone — a reviewer pasting the scorecard in the wrong place,
the candidate, a stranger — goes on the timeline as ignored; our own comments (by our App, not
merely carrying our markers) are skipped.
"""

from __future__ import annotations

from worksample.db.models import Submission
from worksample.db.timeline import record_event
from worksample.github.handlers.context import NOT_OURS, HandlerContext
from worksample.github.payload import field, int_field, str_field
from worksample.github.routing import Router, WebhookEvent

router = Router()


@router.register("issue_comment", "created", "edited")
async def comment_on_pull_request(event: WebhookEvent, context: HandlerContext) -> str:
    if field(event.data, "issue", "pull_request") is None:
        return "ignored: a comment on an issue, not a pull request"
    comment = field(event.data, "comment")
    if isinstance(comment, dict) and context.app.wrote(comment):
        return "ignored: our own comment"
    # Another App's comment (a CI bot, say) is nobody's scorecard attempt. A person's comment
    # carrying our markers is still a person's: the candidate can paste them.
    if str_field(event.data, "comment", "user", "type") == "Bot":
        return "ignored: a comment by another App"
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
