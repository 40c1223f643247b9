"""Webhook endpoints of the caller's organisation: create, list, read, update, delete, rotate the
secret, send a test event, list deliveries with their attempts, and recover failed deliveries.

As everywhere in the API, an endpoint of another organisation answers 404 like a missing one.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Response
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.api.deps import OrganizationDep, SessionDep, SettingsDep
from worksample.api.endpoint_schemas import (
    AttemptOut,
    DeliveryOut,
    DeliveryPage,
    EndpointCreate,
    EndpointList,
    EndpointOut,
    EndpointUpdate,
    EndpointWithSecret,
    RecoverRequest,
    Requeued,
    RotateRequest,
    TestSent,
)
from worksample.api.errors import ApiError, ErrorResponse, not_found
from worksample.db.encryption import Purpose, SecretBox
from worksample.db.models import OutboxAttempt, OutboxDelivery, OutboxEvent, WebhookEndpoint
from worksample.db.types import utcnow
from worksample.outbox.manage import recover_since, rotate_secret, send_test, set_enabled
from worksample.outbox.signing import generate_secret

router = APIRouter(prefix="/v1/endpoints", tags=["webhook endpoints"])

MAX_ENDPOINTS_PER_ORGANIZATION = 50
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
    409: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}


def endpoint_out(endpoint: WebhookEndpoint) -> EndpointOut:
    return EndpointOut(
        id=endpoint.id,
        url=endpoint.url,
        description=endpoint.description,
        event_types=list(endpoint.event_types),
        enabled=endpoint.disabled_at is None,
        disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
        previous_secret_expires_at=(
            endpoint.previous_secret_expires_at
            if endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > utcnow()
            else None
        ),
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )


async def load_endpoint(session: AsyncSession, org_id: int, endpoint_id: str) -> WebhookEndpoint:
    endpoint = (
        await session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.id == endpoint_id, WebhookEndpoint.organization_id == org_id)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if endpoint is None:
        raise not_found("endpoint")
    return endpoint


@router.post("", status_code=201, response_model=EndpointWithSecret, responses=_ERRORS)
async def create_endpoint(
    body: EndpointCreate, org: OrganizationDep, session: SessionDep, settings: SettingsDep
) -> EndpointWithSecret:
    org_id = org.id
    existing = (
        await session.scalars(select(WebhookEndpoint.id).where(WebhookEndpoint.organization_id == org_id))
    ).all()
    if len(existing) >= MAX_ENDPOINTS_PER_ORGANIZATION:
        raise ApiError(
            409,
            "too_many_endpoints",
            f"an organisation has at most {MAX_ENDPOINTS_PER_ORGANIZATION} endpoints",
        )
    now = utcnow()
    secret = body.secret or generate_secret()
    endpoint = WebhookEndpoint(
        organization_id=org_id,
        url=body.url,
        description=body.description,
        event_types=list(body.event_types),
        # Stored encrypted; the plain secret is shown in this answer only.
        secret=SecretBox.from_settings(settings, Purpose.ENDPOINT_SECRET).seal(secret),
        created_at=now,
        updated_at=now,
    )
    session.add(endpoint)
    await session.commit()
    return EndpointWithSecret(**endpoint_out(endpoint).model_dump(), secret=secret)


@router.get("", response_model=EndpointList, responses=_ERRORS)
async def list_endpoints(org: OrganizationDep, session: SessionDep) -> EndpointList:
    rows = await session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.organization_id == org.id)
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    )
    return EndpointList(items=[endpoint_out(endpoint) for endpoint in rows])


@router.get("/{endpoint_id}", response_model=EndpointOut, responses=_ERRORS)
async def get_endpoint(endpoint_id: str, org: OrganizationDep, session: SessionDep) -> EndpointOut:
    return endpoint_out(await load_endpoint(session, org.id, endpoint_id))


@router.patch("/{endpoint_id}", response_model=EndpointOut, responses=_ERRORS)
async def update_endpoint(
    endpoint_id: str, body: EndpointUpdate, org: OrganizationDep, session: SessionDep
) -> EndpointOut:
    endpoint = await load_endpoint(session, org.id, endpoint_id)
    now = utcnow()
    given = body.model_fields_set
    for name in ("url", "event_types"):
        if name in given and getattr(body, name) is None:
            raise ApiError(422, "validation_failed", f"{name} cannot be null")
    if body.url is not None:
        endpoint.url = body.url
    if "description" in given:
        endpoint.description = body.description
    if body.event_types is not None:
        endpoint.event_types = list(body.event_types)
    if body.enabled is not None:
        await set_enabled(session, endpoint, body.enabled, now=now)
    endpoint.updated_at = now
    await session.commit()
    return endpoint_out(await load_endpoint(session, org.id, endpoint_id))


@router.delete("/{endpoint_id}", status_code=204, responses=_ERRORS)
async def delete_endpoint(endpoint_id: str, org: OrganizationDep, session: SessionDep) -> Response:
    endpoint = await load_endpoint(session, org.id, endpoint_id)
    # Its deliveries and attempts go with it (ON DELETE CASCADE); the events stay for other endpoints.
    await session.delete(endpoint)
    await session.commit()
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate-secret", response_model=EndpointWithSecret, responses=_ERRORS)
async def rotate_endpoint_secret(
    endpoint_id: str,
    org: OrganizationDep,
    session: SessionDep,
    settings: SettingsDep,
    body: Annotated[RotateRequest | None, Body()] = None,
) -> EndpointWithSecret:
    endpoint = await load_endpoint(session, org.id, endpoint_id)
    request = body or RotateRequest()
    hours = (
        request.window_hours if request.window_hours is not None else settings.outbox_rotation_window_hours
    )
    rotation = rotate_secret(
        endpoint,
        now=utcnow(),
        window=timedelta(hours=hours),
        box=SecretBox.from_settings(settings, Purpose.ENDPOINT_SECRET),
        secret=request.secret,
    )
    await session.commit()
    return EndpointWithSecret(**endpoint_out(endpoint).model_dump(), secret=rotation.secret)


def _require_enabled(endpoint: WebhookEndpoint) -> None:
    if endpoint.disabled_at is not None:
        raise ApiError(
            409,
            "endpoint_disabled",
            f"the endpoint is disabled ({endpoint.disabled_reason}); re-enable it with PATCH "
            '{"enabled": true} first',
        )


@router.post("/{endpoint_id}/test", status_code=202, response_model=TestSent, responses=_ERRORS)
async def send_test_event(endpoint_id: str, org: OrganizationDep, session: SessionDep) -> TestSent:
    endpoint = await load_endpoint(session, org.id, endpoint_id)
    _require_enabled(endpoint)
    event = await send_test(session, endpoint, now=utcnow())
    await session.commit()
    return TestSent(event_id=event.id)


@router.post("/{endpoint_id}/recover", status_code=202, response_model=Requeued, responses=_ERRORS)
async def recover_failed(
    endpoint_id: str, body: RecoverRequest, org: OrganizationDep, session: SessionDep
) -> Requeued:
    endpoint = await load_endpoint(session, org.id, endpoint_id)
    _require_enabled(endpoint)
    ids = await recover_since(session, endpoint, body.since, now=utcnow())
    await session.commit()
    return Requeued(delivery_ids=list(ids))


def _attempt_out(attempt: OutboxAttempt) -> AttemptOut:
    return AttemptOut.model_validate(attempt, from_attributes=True)


@router.get("/{endpoint_id}/deliveries", response_model=DeliveryPage, responses=_ERRORS)
async def list_deliveries(
    endpoint_id: str,
    org: OrganizationDep,
    session: SessionDep,
    state: Annotated[str | None, Query(pattern=r"^(pending|in_flight|succeeded|failed|gave_up)$")] = None,
    before: Annotated[int | None, Query(ge=1, description="next_before of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> DeliveryPage:
    endpoint = await load_endpoint(session, org.id, endpoint_id)
    query = (
        select(OutboxDelivery, OutboxEvent)
        .join(OutboxEvent, OutboxEvent.id == OutboxDelivery.event_id)
        .where(OutboxDelivery.endpoint_id == endpoint.id)
        .order_by(OutboxDelivery.id.desc())
        .limit(limit + 1)
    )
    if state is not None:
        query = query.where(OutboxDelivery.state == state)
    if before is not None:
        query = query.where(OutboxDelivery.id < before)
    rows = [(delivery, event) for delivery, event in (await session.execute(query)).all()]
    page, more = rows[:limit], len(rows) > limit
    attempts: dict[int, list[AttemptOut]] = {delivery.id: [] for delivery, _ in page}
    if page:
        for attempt in await session.scalars(
            select(OutboxAttempt)
            .where(OutboxAttempt.delivery_id.in_(list(attempts)))
            .order_by(OutboxAttempt.delivery_id, OutboxAttempt.number)
        ):
            attempts[attempt.delivery_id].append(_attempt_out(attempt))
    items = [
        DeliveryOut(
            id=delivery.id,
            event_id=event.id,
            event_type=event.type,
            assignment_id=event.assignment_id,
            state=delivery.state,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            last_attempt_at=delivery.last_attempt_at,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            created_at=delivery.created_at,
            attempt_log=attempts[delivery.id],
        )
        for delivery, event in page
    ]
    return DeliveryPage(items=items, next_before=page[-1][0].id if more else None)
