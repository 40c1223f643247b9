"""``member`` ``added``: the candidate accepted the invitation to their repository."""

from __future__ import annotations

from worksample.assignments.state import AssignmentStatus
from worksample.github.handlers.context import NOT_OURS, HandlerContext
from worksample.github.payload import int_field, str_field
from worksample.github.routing import Router, WebhookEvent
from worksample.review.assignments import advance

router = Router()


@router.register("member", "added")
async def member_added(event: WebhookEvent, context: HandlerContext) -> str:
    assignment = await context.locked_assignment(event)
    if assignment is None:
        return NOT_OURS
    member_id = int_field(event.data, "member", "id")
    login = str_field(event.data, "member", "login")
    # By numeric id: a login can be renamed and taken by someone else.
    if member_id is None or member_id != assignment.candidate.github_id:
        return f"ignored: {login} is not the candidate"
    entered = await advance(
        context.session,
        assignment,
        AssignmentStatus.ACCEPTED,
        detail={"login": login, "github_id": member_id},
    )
    return "candidate accepted" if entered else f"candidate access confirmed (already {assignment.status})"
