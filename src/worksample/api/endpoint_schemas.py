"""Request and response bodies of the webhook endpoint, delivery and event routes.

A secret appears in exactly two answers: the one that created the endpoint and the one that
rotated its secret. Every other answer describes the endpoint without it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, AwareDatetime, BaseModel, Field, StringConstraints

# The recruiter API's input rules, so both refuse the same things the same way: unknown fields,
# and NUL characters anywhere (PostgreSQL text cannot hold them: a 500 instead of a 422).
from worksample.api.schemas import _Input
from worksample.db.models import URL_LENGTH
from worksample.outbox.destination import DestinationError, check_url
from worksample.outbox.events import event_types
from worksample.outbox.signing import SecretError, validate_secret

MAX_EVENT_TYPES = 20


def _check_url(url: str) -> str:
    try:
        check_url(url)
    except DestinationError as exc:
        raise ValueError(str(exc)) from exc
    return url


def _check_types(types: list[str]) -> list[str]:
    unknown = [t for t in types if t not in event_types()]
    if unknown:
        raise ValueError(f"unknown event types {', '.join(unknown)}; GET /v1/event-types lists them")
    if len(set(types)) != len(types):
        raise ValueError("each event type may be listed once")
    return types


def _check_secret(secret: str) -> str:
    try:
        return validate_secret(secret)
    except SecretError as exc:
        raise ValueError(str(exc)) from exc


EndpointUrl = Annotated[
    str, StringConstraints(min_length=1, max_length=URL_LENGTH), AfterValidator(_check_url)
]
EventTypes = Annotated[list[str], Field(max_length=MAX_EVENT_TYPES), AfterValidator(_check_types)]
Secret = Annotated[str, StringConstraints(max_length=100), AfterValidator(_check_secret)]
Description = Annotated[str, StringConstraints(max_length=500)]


class EndpointCreate(_Input):
    url: EndpointUrl
    description: Description | None = None
    event_types: EventTypes = Field(
        default_factory=list, description="Event types to receive; empty (the default) means all."
    )
    secret: Secret | None = Field(
        default=None, description="A whsec_ secret of your own (24–64 bytes); by default one is generated."
    )


class EndpointUpdate(_Input):
    url: EndpointUrl | None = None
    description: Description | None = None
    event_types: EventTypes | None = None
    enabled: bool | None = Field(default=None, description="true re-enables a disabled endpoint.")


class RotateRequest(_Input):
    secret: Secret | None = None
    window_hours: float | None = Field(
        default=None,
        ge=0,
        le=24 * 30,
        allow_inf_nan=False,
        description="How long the old secret keeps signing; the server default is 24 hours.",
    )


class RecoverRequest(_Input):
    since: AwareDatetime


class EndpointOut(BaseModel):
    id: str
    url: str
    description: str | None
    event_types: list[str]
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    # Until when the previous secret still signs (a rotation is in progress), else null.
    previous_secret_expires_at: datetime | None
    created_at: datetime
    updated_at: datetime


class EndpointWithSecret(EndpointOut):
    secret: str = Field(description="Shown once: store it now; it is never returned again.")


class EndpointList(BaseModel):
    items: list[EndpointOut]


class AttemptOut(BaseModel):
    number: int
    started_at: datetime
    duration_ms: int
    status_code: int | None
    error_kind: str | None
    error: str | None
    response_body: str
    retry_after_seconds: float | None


class DeliveryOut(BaseModel):
    id: int
    event_id: str
    event_type: str
    assignment_id: str | None
    state: str
    attempts: int
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    attempt_log: list[AttemptOut]


class DeliveryPage(BaseModel):
    items: list[DeliveryOut]
    # Pass as ?before= for the next (older) page; null on the last page.
    next_before: int | None


class TestSent(BaseModel):
    event_id: str


class Requeued(BaseModel):
    delivery_ids: list[int]


class EventTypeOut(BaseModel):
    type: str
    description: str
    schema_url: str


class EventTypeList(BaseModel):
    items: list[EventTypeOut]
