"""The recruiter/ATS assignment routes: create, read, list, cancel.

Every query is filtered by the caller's organisation, and an id of another organisation answers
404 exactly like an id that does not exist, so ids cannot be probed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Query
from fastapi.responses import JSONResponse
from sqlalchemy import and_, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from worksample.api.deps import (
    ArqPoolDep,
    CatalogDep,
    GitHubDep,
    OrganizationDep,
    ResourcesDep,
    SessionDep,
    SettingsDep,
)
from worksample.api.errors import ApiError, ErrorResponse, not_found
from worksample.api.github_users import GitHubUser
from worksample.api.idempotency import find_record, new_record, replay, request_fingerprint
from worksample.api.intake import check_people, check_request, insert_assignment, upsert_candidate
from worksample.api.lifecycle import enqueue_tick
from worksample.api.schemas import AssignmentCreate, AssignmentOut, AssignmentPage, CancelRequest
from worksample.api.views import assignment_out, decode_cursor, encode_cursor
from worksample.assignments import AssignmentStatus, IllegalTransition
from worksample.assignments.jobs import PROVISION_JOB, provision_job_id
from worksample.config import Settings
from worksample.db.models import Assignment
from worksample.db.session import session_now
from worksample.db.timeline import StaleAssignment, change_status
from worksample.invitations import email_invitation_after_commit, issue_invitation
from worksample.provisioning.login_memo import LoginMemo

log = logging.getLogger(__name__)
router = APIRouter(prefix="/v1/assignments", tags=["assignments"])

CREATE_ENDPOINT = "POST /v1/assignments"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        pattern=r"^[\x21-\x7e]+$",
        description="Any unique string (a UUID is fine): a retry with the same key and body returns "
        "the first answer instead of creating a second assignment.",
    ),
]


def _known_reviewers(resources: ResourcesDep) -> LoginMemo[GitHubUser]:
    return resources.known_reviewers


# None only for direct callers (the web form's route), which then ask GitHub about every reviewer.
KnownReviewers = Annotated[LoginMemo[GitHubUser] | None, Depends(_known_reviewers)]


async def _load(session: AsyncSession, org_id: int, assignment_id: str, *, timeline: bool) -> Assignment:
    # Takes the organisation's id, not the object: after a rollback the object's attributes are
    # expired and reading them would need I/O that an async session cannot do implicitly.
    options = [selectinload(Assignment.candidate), selectinload(Assignment.reviewers)]
    if timeline:
        options.append(selectinload(Assignment.events))
    query = (
        select(Assignment)
        .where(Assignment.id == assignment_id, Assignment.organization_id == org_id)
        .options(*options)
        .execution_options(populate_existing=True)
    )
    assignment = (await session.scalars(query)).one_or_none()
    if assignment is None:
        raise not_found("assignment")
    return assignment


async def enqueue_provisioning(arq_pool: Any, settings: Settings, assignment_id: str) -> bool:
    """Queue provisioning; False when Redis refused.

    The assignment is already committed as ``requested`` before this runs, so a failure here loses
    nothing: the provisioning sweeper re-enqueues ``requested`` assignments it finds (the job id
    makes a double enqueue harmless).
    """
    try:
        await arq_pool.enqueue_job(
            PROVISION_JOB,
            assignment_id=assignment_id,
            _job_id=provision_job_id(assignment_id),
            _queue_name=settings.queue_name,
        )
    except Exception as exc:
        log.warning("assignment.enqueue_failed assignment=%s error=%r", assignment_id, exc)
        return False
    log.info("assignment.enqueued assignment=%s job=%s", assignment_id, PROVISION_JOB)
    return True


@router.post(
    "",
    status_code=201,
    response_model=AssignmentOut,
    summary="Request an assignment for a candidate",
    responses={**_ERRORS, 409: {"model": ErrorResponse}, 503: {"model": ErrorResponse}},
)
async def create_assignment(
    body: AssignmentCreate,
    org: OrganizationDep,
    session: SessionDep,
    settings: SettingsDep,
    catalog: CatalogDep,
    github: GitHubDep,
    arq_pool: ArqPoolDep,
    idempotency_key: IdempotencyKey = None,
    known_reviewers: KnownReviewers = None,
) -> JSONResponse:
    org_id, org_login = org.id, org.login
    fingerprint = request_fingerprint(body)
    now = session_now(session)
    retention = timedelta(hours=settings.idempotency_retention_hours)
    if idempotency_key is not None:
        record = await find_record(session, org_id, idempotency_key, now=now, retention=retention)
        if record is not None:
            return replay(record, endpoint=CREATE_ENDPOINT, fingerprint=fingerprint)
        # End the read transaction: the GitHub call below must not hold a database snapshot open.
        await session.commit()

    checked = check_request(body, catalog, now=now)
    login = body.candidate.login
    people = await check_people(session, org, github, body, known_reviewers or LoginMemo())
    person = await upsert_candidate(session, org, body.candidate, people.candidate)
    assignment = await insert_assignment(session, org, body, checked, person, now=now)
    assignment_id = assignment.id
    # No login: the candidate gets an invitation link by e-mail instead of a provisioning job.
    invitation = (
        await issue_invitation(session, assignment, body.candidate.email, settings, now=now)
        if login is None and body.candidate.email is not None
        else None
    )
    payload = assignment_out(await _load(session, org_id, assignment_id, timeline=True), timeline=True)
    content = payload.model_dump(mode="json")
    if idempotency_key is not None:
        session.add(
            new_record(
                organization_id=org.id,
                key=idempotency_key,
                endpoint=CREATE_ENDPOINT,
                fingerprint=fingerprint,
                assignment_id=assignment_id,
                status=201,
                body=content,
                created_at=now,
            )
        )
    try:
        await session.commit()
    except IntegrityError:
        # Most likely a concurrent first attempt with the same key won the race: answer as it did.
        await session.rollback()
        if idempotency_key is not None:
            record = await find_record(session, org_id, idempotency_key, now=now, retention=retention)
            if record is not None:
                return replay(record, endpoint=CREATE_ENDPOINT, fingerprint=fingerprint)
        raise ApiError(409, "conflict", "a concurrent request changed the same data; retry") from None
    log.info(
        "assignment.created assignment=%s org=%s artifact=%s", assignment_id, org_login, body.artifact_id
    )
    if invitation is None:
        await enqueue_provisioning(arq_pool, settings, assignment_id)
    else:
        await email_invitation_after_commit(session, settings, catalog, invitation, assignment_id)
    return JSONResponse(content, status_code=201, headers={"Location": f"/v1/assignments/{assignment_id}"})


@router.get("/{assignment_id}", summary="One assignment with its timeline", responses=_ERRORS)
async def get_assignment(assignment_id: str, org: OrganizationDep, session: SessionDep) -> AssignmentOut:
    return assignment_out(await _load(session, org.id, assignment_id, timeline=True), timeline=True)


@router.get("", summary="Assignments of the organization, newest first", responses=_ERRORS)
async def list_assignments(
    org: OrganizationDep,
    session: SessionDep,
    status: Annotated[list[AssignmentStatus] | None, Query(description="Only these statuses")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
    cursor: Annotated[
        str | None, Query(max_length=200, description="next_cursor of the previous page")
    ] = None,
) -> AssignmentPage:
    query = (
        select(Assignment)
        .where(Assignment.organization_id == org.id)
        .options(selectinload(Assignment.candidate), selectinload(Assignment.reviewers))
        .order_by(Assignment.created_at.desc(), Assignment.id.desc())
        .limit(limit + 1)
    )
    if status:
        query = query.where(Assignment.status.in_([s.value for s in status]))
    if cursor is not None:
        created_at, after_id = decode_cursor(cursor)
        query = query.where(
            or_(
                Assignment.created_at < created_at,
                and_(Assignment.created_at == created_at, Assignment.id < after_id),
            )
        )
    rows = list((await session.scalars(query)).all())
    page, more = rows[:limit], len(rows) > limit
    next_cursor = encode_cursor(page[-1].created_at, page[-1].id) if more else None
    return AssignmentPage(items=[assignment_out(a, timeline=False) for a in page], next_cursor=next_cursor)


@router.post(
    "/{assignment_id}/cancel",
    summary="Cancel an assignment that is not final yet",
    responses={**_ERRORS, 409: {"model": ErrorResponse}},
)
async def cancel_assignment(
    assignment_id: str,
    org: OrganizationDep,
    session: SessionDep,
    settings: SettingsDep,
    arq_pool: ArqPoolDep,
    body: Annotated[CancelRequest | None, Body()] = None,
) -> AssignmentOut:
    org_id, org_login = org.id, org.login
    reason = body.reason if body else None
    # One retry: the worker may move the assignment (say, to invited) between our read and write.
    for attempt in (1, 2):
        assignment = await _load(session, org_id, assignment_id, timeline=False)
        try:
            await change_status(session, assignment, AssignmentStatus.CANCELLED, reason=reason)
        except IllegalTransition as exc:
            raise ApiError(409, "illegal_transition", f"assignment cannot be cancelled: {exc}") from None
        except StaleAssignment:
            await session.rollback()
            if attempt == 2:
                raise ApiError(409, "conflict", "the assignment is changing right now; retry") from None
            continue
        break
    await session.commit()
    log.info("assignment.cancelled assignment=%s org=%s", assignment_id, org_login)
    cancelled = await _load(session, org_id, assignment_id, timeline=True)
    if cancelled.repo_full_name:
        # The GitHub side (withdraw the invitation or access, archive the repository) is the
        # lifecycle's cancel timer; a tick now runs it without waiting for the minute.
        await enqueue_tick(arq_pool, settings, f"cancel:{assignment_id}")
    return assignment_out(cancelled, timeline=True)
