"""``repository`` deleted / archived / unarchived outside the App: put on the timeline, never a crash."""

from __future__ import annotations

from worksample.db.timeline import record_event
from worksample.github.handlers.context import NOT_OURS, HandlerContext
from worksample.github.payload import str_field
from worksample.github.routing import Router, WebhookEvent

router = Router()


@router.register("repository", "deleted", "archived", "unarchived")
async def repository_changed(event: WebhookEvent, context: HandlerContext) -> str:
    assignment = await context.locked_assignment(event)
    if assignment is None:
        return NOT_OURS
    sender = str_field(event.data, "sender", "login")
    await record_event(
        context.session,
        assignment,
        f"repository.{event.action}",
        detail={"full_name": str_field(event.data, "repository", "full_name"), "by": sender},
    )
    # The status stays: whoever deleted or archived it did so on purpose, and the recruiter decides.
    return f"repository {event.action} by {sender} recorded"
