"""The event catalog (types and their JSON Schemas, as sent) and manual redelivery of one event."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import select

from worksample.api.deps import OrganizationDep, SessionDep
from worksample.api.endpoint_schemas import EventTypeList, EventTypeOut, Requeued
from worksample.api.errors import ErrorResponse, not_found
from worksample.db.models import OutboxEvent
from worksample.db.types import utcnow
from worksample.outbox.events import event_types, load_schema
from worksample.outbox.manage import redeliver_event

router = APIRouter(prefix="/v1", tags=["events"])

_ERRORS: dict[int | str, dict[str, Any]] = {401: {"model": ErrorResponse}, 404: {"model": ErrorResponse}}


@router.get("/event-types", response_model=EventTypeList, responses=_ERRORS)
async def list_event_types(_org: OrganizationDep) -> EventTypeList:
    items = []
    for name in event_types():
        schema = load_schema(name)
        items.append(
            EventTypeOut(
                type=name,
                description=str(schema.get("description", "")),
                schema_url=f"/v1/event-types/{name}/schema",
            )
        )
    return EventTypeList(items=items)


@router.get("/event-types/{event_type}/schema", responses=_ERRORS)
async def event_type_schema(event_type: str, _org: OrganizationDep) -> JSONResponse:
    """The JSON Schema (draft 2020-12) every payload of this type is checked against before sending."""
    if event_type not in event_types():
        raise not_found("event type")
    return JSONResponse(load_schema(event_type), media_type="application/schema+json")


@router.post("/events/{event_id}/redeliver", status_code=202, response_model=Requeued, responses=_ERRORS)
async def redeliver(event_id: str, org: OrganizationDep, session: SessionDep) -> Requeued:
    """Send the event again, with the same ``webhook-id``, to each enabled endpoint it went to."""
    event = (
        await session.scalars(
            select(OutboxEvent).where(OutboxEvent.id == event_id, OutboxEvent.organization_id == org.id)
        )
    ).one_or_none()
    if event is None:
        raise not_found("event")
    ids = await redeliver_event(session, event, now=utcnow())
    await session.commit()
    return Requeued(delivery_ids=list(ids))
