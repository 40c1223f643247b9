"""One assignment (recruiters): timeline, links, score, ATS deliveries, and the actions on it;
and the result page Greenhouse links to (``partner_profile_url``).

Reads and actions go through the API's own route functions with the viewer's organisation, so
the pages enforce exactly the API's rules and its organisation scoping (another organisation's
id answers 404 as the API does).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from worksample.api.assignments import cancel_assignment, get_assignment
from worksample.api.deps import ArqPoolDep, CatalogDep, SessionDep, SettingsDep
from worksample.api.errors import ApiError
from worksample.api.events import redeliver
from worksample.api.lifecycle import ExtendRequest, extend_deadline
from worksample.api.schemas import AssignmentOut, CancelRequest
from worksample.artifacts.catalog import Catalog
from worksample.artifacts.errors import UnknownArtifact
from worksample.assignments import TERMINAL_STATUSES
from worksample.db.models import (
    Organization,
    OutboxAttempt,
    OutboxDelivery,
    OutboxEvent,
    Submission,
    WebhookEndpoint,
)
from worksample.web.deps import Csrf, RecruiterDep
from worksample.web.render import page, problem

router = APIRouter(include_in_schema=False)

# What a redirect after an action says; fixed texts, so nothing from the URL reaches the page.
FLASH = {
    "created": "Assignment created.",
    "cancelled": "Assignment cancelled.",
    "extended": "Deadline extended; the candidate is told in the repository.",
    "resent": "The event is queued to be sent again.",
    "nothing": "Nothing to resend: that delivery is still pending and will be sent anyway.",
}


async def _assignment(db: SessionDep, org_id: int, assignment_id: str) -> AssignmentOut | None:
    org = await db.get_one(Organization, org_id)
    try:
        return await get_assignment(assignment_id, org, db)
    except ApiError:
        return None


async def _scoring(db: SessionDep, assignment_id: str) -> dict[str, Any] | None:
    submission = await db.get(Submission, assignment_id)
    return submission.scoring if submission is not None else None


async def _deliveries(db: SessionDep, org_id: int, assignment_id: str) -> list[dict[str, Any]]:
    rows = (
        await db.execute(
            select(OutboxDelivery, OutboxEvent, WebhookEndpoint.url)
            .join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
            .join(WebhookEndpoint, WebhookEndpoint.id == OutboxDelivery.endpoint_id)
            .where(OutboxEvent.assignment_id == assignment_id, OutboxEvent.organization_id == org_id)
            .order_by(OutboxEvent.created_at, OutboxDelivery.id)
        )
    ).all()
    attempts: dict[int, list[OutboxAttempt]] = {delivery.id: [] for delivery, _, _ in rows}
    if attempts:
        for attempt in await db.scalars(
            select(OutboxAttempt)
            .where(OutboxAttempt.delivery_id.in_(list(attempts)))
            .order_by(OutboxAttempt.delivery_id, OutboxAttempt.number)
        ):
            attempts[attempt.delivery_id].append(attempt)
    return [
        {"delivery": delivery, "event": event, "url": url, "attempts": attempts[delivery.id]}
        for delivery, event, url in rows
    ]


def _artifact_title(catalog: Catalog, artifact_id: str) -> str:
    try:
        return catalog.get(artifact_id).manifest.title
    except UnknownArtifact:
        # Removed from the catalog since: the id still says which sample it was.
        return artifact_id


def _not_found(viewer: Any) -> Response:
    return problem(404, "Not found", "There is no such assignment in your organisation.", viewer)


@router.get("/assignments/{assignment_id}")
async def assignment_page(
    assignment_id: str, viewer: RecruiterDep, db: SessionDep, catalog: CatalogDep, done: str | None = None
) -> Response:
    found = await _assignment(db, viewer.org_id, assignment_id)
    if found is None:
        return _not_found(viewer)
    return page(
        "assignment.html.j2",
        viewer=viewer,
        title=f"Assignment for {found.candidate.login or found.candidate.email or 'candidate'}",
        a=found,
        artifact_title=_artifact_title(catalog, found.artifact_id),
        scoring=await _scoring(db, assignment_id),
        deliveries=await _deliveries(db, viewer.org_id, assignment_id),
        final=found.status in TERMINAL_STATUSES,
        flash=FLASH.get(done or ""),
    )


@router.post("/assignments/{assignment_id}/cancel", dependencies=[Csrf])
async def cancel(
    assignment_id: str,
    viewer: RecruiterDep,
    db: SessionDep,
    settings: SettingsDep,
    arq_pool: ArqPoolDep,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    org = await db.get_one(Organization, viewer.org_id)
    try:
        body = CancelRequest(reason=reason.strip() or None)
        await cancel_assignment(assignment_id, org, db, settings, arq_pool, body)
    except ApiError as exc:
        if exc.status == 404:
            return _not_found(viewer)
        return problem(exc.status, "Cannot cancel", exc.message, viewer)
    return RedirectResponse(f"/assignments/{assignment_id}?done=cancelled", status_code=303)


@router.post("/assignments/{assignment_id}/extend", dependencies=[Csrf])
async def extend(
    assignment_id: str,
    request: Request,
    viewer: RecruiterDep,
    db: SessionDep,
    settings: SettingsDep,
    arq_pool: ArqPoolDep,
    extend_by_hours: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    org = await db.get_one(Organization, viewer.org_id)
    try:
        body = ExtendRequest(extend_by_hours=extend_by_hours.strip() or None, reason=reason.strip() or None)
    except ValidationError as exc:
        message = "; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())
        return problem(422, "Cannot extend", f"Hours to add: {message}", viewer)
    try:
        await extend_deadline(assignment_id, body, request, org, db, settings, arq_pool)
    except ApiError as exc:
        if exc.status == 404:
            return _not_found(viewer)
        return problem(exc.status, "Cannot extend", exc.message, viewer)
    return RedirectResponse(f"/assignments/{assignment_id}?done=extended", status_code=303)


@router.post("/assignments/{assignment_id}/events/{event_id}/resend", dependencies=[Csrf])
async def resend(assignment_id: str, event_id: str, viewer: RecruiterDep, db: SessionDep) -> Response:
    event = await db.get(OutboxEvent, event_id)
    if event is None or event.organization_id != viewer.org_id or event.assignment_id != assignment_id:
        return problem(404, "Not found", "There is no such event for this assignment.", viewer)
    org = await db.get_one(Organization, viewer.org_id)
    requeued = await redeliver(event_id, org, db)
    done = "resent" if requeued.delivery_ids else "nothing"
    return RedirectResponse(f"/assignments/{assignment_id}?done={done}", status_code=303)


@router.get("/results/{assignment_id}")
async def result_page(
    assignment_id: str, viewer: RecruiterDep, db: SessionDep, catalog: CatalogDep
) -> Response:
    """Greenhouse's partner_profile_url: the outcome at a glance, for someone reading the ATS."""
    found = await _assignment(db, viewer.org_id, assignment_id)
    if found is None:
        return _not_found(viewer)
    return page(
        "result.html.j2",
        viewer=viewer,
        title="Work sample result",
        a=found,
        artifact_title=_artifact_title(catalog, found.artifact_id),
        scoring=await _scoring(db, assignment_id),
    )
