"""Greenhouse's Assessment Partner API (``/greenhouse/...``), and its settings on our API.

Greenhouse authenticates with HTTP Basic: one of the organisation's API keys as the user name,
an empty password (keys are shorter than the 171 characters Greenhouse allows). Every answer is
401 (bad key), 404 (unknown id), 4xx with a message (malformed request) or 2xx — never 5xx for
anything a caller sends. On our own API (bearer keys): the organisation's default reviewers,
which Greenhouse-sent tests use, and the errors Greenhouse reported.
"""

from __future__ import annotations

import base64
import binascii
import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from worksample.api.deps import CatalogDep, OrganizationDep, SessionDep, SettingsDep
from worksample.api.errors import ApiError, ErrorResponse, not_found, validation_error
from worksample.api.keys import authenticate
from worksample.db.models import Assignment, GreenhouseResponseError, GreenhouseTest, Organization
from worksample.db.session import session_now
from worksample.db.timeline import record_event
from worksample.greenhouse import DefaultReviewers, NoDefaultReviewers, greenhouse_status, send_test
from worksample.greenhouse.reviewers import check_against_catalog
from worksample.greenhouse.schemas import (
    PartnerStatusOut,
    PartnerTestOut,
    ResponseErrorIn,
    SendTestIn,
    SendTestOut,
)
from worksample.invitations import email_invitation_after_commit

log = logging.getLogger(__name__)
router = APIRouter(prefix="/greenhouse", tags=["greenhouse"])
admin_router = APIRouter(prefix="/v1", tags=["greenhouse"])

# Greenhouse: "the API key must be shorter than 171 characters".
MAX_KEY_LENGTH = 170
ASSIGNMENT_ID_LENGTH = 36
_CHALLENGE = {"WWW-Authenticate": 'Basic realm="worksample"'}
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}


def _unauthorized(message: str) -> ApiError:
    return ApiError(401, "unauthorized", message, headers=_CHALLENGE)


def basic_key(authorization: str | None) -> str:
    """The user name of a Basic ``Authorization`` header (raises 401 for anything else)."""
    if not authorization:
        raise _unauthorized("send the API key as HTTP Basic user name with an empty password")
    scheme, _, encoded = authorization.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded:
        raise _unauthorized("use HTTP Basic authentication: the API key as user name, an empty password")
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise _unauthorized("the Basic credentials are not valid base64 of 'key:'") from None
    key, _, _password = decoded.partition(":")
    if not key or len(key) > MAX_KEY_LENGTH:
        raise _unauthorized(f"the API key must be 1 to {MAX_KEY_LENGTH} characters")
    return key


class GreenhouseCaller(BaseModel):
    organization_id: int
    organization_login: str
    # Kept for the completion PATCH, which Greenhouse wants authenticated with the same key.
    key: str


async def greenhouse_caller(
    session: SessionDep, authorization: Annotated[str | None, Header()] = None
) -> GreenhouseCaller:
    key = basic_key(authorization)
    organization = await authenticate(session, key)
    if organization is None:
        raise _unauthorized("the API key is unknown or revoked")
    caller = GreenhouseCaller(organization_id=organization.id, organization_login=organization.login, key=key)
    await session.commit()
    return caller


CallerDep = Annotated[GreenhouseCaller, Depends(greenhouse_caller)]


@router.get("/list_tests", summary="The work samples Greenhouse can send", responses=_ERRORS)
async def list_tests(caller: CallerDep, catalog: CatalogDep) -> list[PartnerTestOut]:
    return [PartnerTestOut(partner_test_id=a.id, partner_test_name=a.manifest.title) for a in catalog.all()]


@router.post("/send_test", summary="Send a work sample to a candidate", responses={**_ERRORS, 409: {}})
async def send_test_route(
    body: SendTestIn, caller: CallerDep, session: SessionDep, settings: SettingsDep, catalog: CatalogDep
) -> SendTestOut:
    if body.partner_test_id not in catalog:
        raise not_found(f"test {body.partner_test_id!r}")
    # Greenhouse's url names one interview: a repeated send_test (a retry after a lost answer) gets
    # the first answer instead of a second assignment and a second e-mail.
    earlier = await session.scalar(
        select(GreenhouseTest.assignment_id).where(
            GreenhouseTest.organization_id == caller.organization_id, GreenhouseTest.callback_url == body.url
        )
    )
    if earlier is not None:
        return SendTestOut(partner_interview_id=earlier)
    org = await session.get_one(Organization, caller.organization_id)
    try:
        sent = await send_test(
            session,
            org,
            body,
            api_key=caller.key,
            catalog=catalog,
            settings=settings,
            now=session_now(session),
        )
    except NoDefaultReviewers as exc:
        raise ApiError(409, "no_default_reviewers", str(exc)) from None
    except ValidationError as exc:
        # Greenhouse's values did not fit ours (say, a name our API would refuse): a 422 naming it.
        raise validation_error(
            {".".join(map(str, e["loc"])) or "body": e["msg"] for e in exc.errors()}
        ) from None
    assignment_id = sent.assignment.id
    await session.commit()
    log.info("greenhouse.test_sent assignment=%s org=%s", assignment_id, caller.organization_login)
    await email_invitation_after_commit(session, settings, catalog, sent.invitation, assignment_id)
    return SendTestOut(partner_interview_id=assignment_id)


async def _test_of(session: SessionDep, caller: GreenhouseCaller, interview_id: str) -> Assignment:
    test = await session.get(GreenhouseTest, interview_id)
    # Another organisation's id answers exactly like an unknown one.
    if test is None or test.organization_id != caller.organization_id:
        raise not_found("partner_interview_id")
    return await session.get_one(Assignment, interview_id)


@router.get("/test_status", summary="Status, score and metadata of a sent test", responses=_ERRORS)
async def test_status_route(
    caller: CallerDep,
    session: SessionDep,
    settings: SettingsDep,
    partner_interview_id: Annotated[str, Query(pattern=r"^[A-Za-z0-9-]{1,64}$")],
) -> PartnerStatusOut:
    assignment = await _test_of(session, caller, partner_interview_id)
    return await greenhouse_status(session, settings, assignment)


async def _raw(request: Request) -> dict[str, Any]:
    """The body as Greenhouse sent it (fields we do not model included), for the record."""
    try:
        data = await request.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


class Recorded(BaseModel):
    recorded: bool
    id: int


@router.post("/response_error", summary="Greenhouse could not use one of our answers", responses=_ERRORS)
async def response_error(
    body: ResponseErrorIn,
    caller: CallerDep,
    session: SessionDep,
    raw: Annotated[dict[str, Any], Depends(_raw)],
) -> Recorded:
    assignment: Assignment | None = None
    if body.partner_interview_id and len(body.partner_interview_id) <= ASSIGNMENT_ID_LENGTH:
        test = await session.get(GreenhouseTest, body.partner_interview_id)
        if test is not None and test.organization_id == caller.organization_id:
            assignment = await session.get_one(Assignment, test.assignment_id)
    row = GreenhouseResponseError(
        organization_id=caller.organization_id,
        assignment_id=assignment.id if assignment else None,
        api_call=body.api_call,
        errors=list(body.errors),
        payload=raw,
    )
    session.add(row)
    await session.flush()
    if assignment is not None:
        await record_event(
            session,
            assignment,
            "greenhouse.response_error",
            detail={"api_call": body.api_call, "errors": body.errors},
        )
    row_id = row.id
    await session.commit()
    log.warning(
        "greenhouse.response_error org=%s api_call=%s errors=%s",
        caller.organization_login,
        body.api_call,
        body.errors,
    )
    return Recorded(recorded=True, id=row_id)


# --- on our API (bearer keys) ------------------------------------------------------------------


class DefaultReviewersOut(DefaultReviewers):
    pass


@admin_router.get(
    "/organization/default-reviewers",
    summary="Reviewers of assignments sent without any (Greenhouse's Send Test)",
    responses=_ERRORS,
)
async def get_default_reviewers(org: OrganizationDep) -> DefaultReviewersOut:
    return DefaultReviewersOut.model_validate({"reviewers": org.default_reviewers or []})


@admin_router.put(
    "/organization/default-reviewers",
    summary="Set the reviewers of assignments sent without any",
    responses=_ERRORS,
)
async def put_default_reviewers(
    body: DefaultReviewers, org: OrganizationDep, session: SessionDep, catalog: CatalogDep
) -> DefaultReviewersOut:
    errors = check_against_catalog(body, catalog)
    if errors:
        raise validation_error(errors)
    stored = await session.get_one(Organization, org.id)
    stored.default_reviewers = [entry.model_dump(mode="json") for entry in body.reviewers]
    await session.commit()
    log.info("organization.default_reviewers_set org=%s count=%d", stored.login, len(body.reviewers))
    return DefaultReviewersOut.model_validate({"reviewers": stored.default_reviewers})


class ResponseErrorOut(BaseModel):
    id: int
    received_at: datetime
    api_call: str
    errors: list[str]
    partner_interview_id: str | None
    payload: dict[str, Any]


@admin_router.get(
    "/greenhouse/response-errors",
    summary="What Greenhouse reported it could not use, newest first",
    responses=_ERRORS,
)
async def list_response_errors(
    org: OrganizationDep,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
) -> list[ResponseErrorOut]:
    rows = await session.scalars(
        select(GreenhouseResponseError)
        .where(GreenhouseResponseError.organization_id == org.id)
        .order_by(GreenhouseResponseError.id.desc())
        .limit(limit)
    )
    return [
        ResponseErrorOut(
            id=row.id,
            received_at=row.received_at,
            api_call=row.api_call,
            errors=row.errors,
            partner_interview_id=row.assignment_id,
            payload=row.payload,
        )
        for row in rows
    ]
