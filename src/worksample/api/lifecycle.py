"""Lifecycle routes: extend a deadline, see an assignment's timers and lock, erase a candidate.

Erasure is for data-subject requests: the caller names the candidate (GitHub login, e-mail or
our candidate id) within its own organisation; the answer is 202 with an erasure id, because the
repositories are deleted on GitHub by the worker, which then removes the personal data from every
table. ``GET /v1/erasures/{id}`` says when it is complete.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func, or_, select, update

from worksample.api.deps import ArqPoolDep, OrganizationDep, SessionDep, SettingsDep
from worksample.api.errors import ApiError, ErrorResponse, FieldError, not_found
from worksample.api.schemas import Login
from worksample.assignments.state import AssignmentStatus
from worksample.clock import SYSTEM_CLOCK, Clock
from worksample.config import Settings
from worksample.db.models import Assignment, ErasureRequest, LifecycleFiring, Person
from worksample.db.timeline import record_event
from worksample.lifecycle.extension import ExtensionRefused, decide_extension
from worksample.lifecycle.jobs_api import ANNOUNCE_EXTENSION_JOB, TICK_JOB, tick_job_id
from worksample.lifecycle.schedule import effective_deadline
from worksample.lifecycle.selection import ACCEPTED_AT

log = logging.getLogger(__name__)
router = APIRouter(tags=["lifecycle"])
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse},
    404: {"model": ErrorResponse},
    409: {"model": ErrorResponse},
    422: {"model": ErrorResponse},
}


def _clock(request: Request) -> Clock:
    clock: Clock = getattr(request.app.state, "clock", None) or SYSTEM_CLOCK
    return clock


class ExtendRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    deadline: datetime | None = Field(
        default=None, description="The new deadline (later than the current one)"
    )
    extend_by_hours: int | None = Field(default=None, ge=1, le=24 * 90)
    reason: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _one_of(self) -> ExtendRequest:
        if (self.deadline is None) == (self.extend_by_hours is None):
            raise ValueError("give exactly one of deadline or extend_by_hours")
        return self


class TimerOut(BaseModel):
    kind: str
    due_at: datetime
    claimed_at: datetime
    done_at: datetime | None
    outcome: str | None
    # GitHub said "not now" (a rate limit, a 5xx) this many times; the next try is from retry_at.
    attempts: int = 0
    retry_at: datetime | None = None


class LifecycleOut(BaseModel):
    assignment_id: str
    status: str
    deadline_at: datetime | None
    time_limit_hours: int | None
    locked_at: datetime | None
    deadline_sha: str | None
    lock_failed: bool
    lock_failure: str | None
    reinvite_count: int
    archived_at: datetime | None
    purged_at: datetime | None
    erase_requested_at: datetime | None
    firings: list[TimerOut]


async def _load(session: SessionDep, org_id: int, assignment_id: str) -> tuple[Assignment, datetime | None]:
    row = (
        await session.execute(
            select(Assignment, ACCEPTED_AT)
            .where(Assignment.id == assignment_id, Assignment.organization_id == org_id)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if row is None:
        raise not_found("assignment")
    return row[0], row[1]


async def _lifecycle_out(session: SessionDep, a: Assignment, accepted_at: datetime | None) -> LifecycleOut:
    firings = (
        await session.scalars(
            select(LifecycleFiring).where(LifecycleFiring.assignment_id == a.id).order_by(LifecycleFiring.id)
        )
    ).all()
    return LifecycleOut(
        assignment_id=a.id,
        status=a.status,
        deadline_at=effective_deadline(a.deadline_at, a.time_limit_hours, accepted_at),
        time_limit_hours=a.time_limit_hours,
        locked_at=a.locked_at,
        deadline_sha=a.deadline_sha,
        lock_failed=a.lock_failed_at is not None,
        lock_failure=a.lock_failure,
        reinvite_count=a.reinvite_count or 0,
        archived_at=a.archived_at,
        purged_at=a.purged_at,
        erase_requested_at=a.erase_requested_at,
        firings=[
            TimerOut(
                kind=f.kind,
                due_at=f.due_at,
                claimed_at=f.claimed_at,
                done_at=f.done_at,
                outcome=f.outcome,
                attempts=f.attempts or 0,
                retry_at=f.retry_at,
            )
            for f in firings
        ],
    )


@router.get(
    "/v1/assignments/{assignment_id}/lifecycle",
    summary="Deadline, lock (and whether it failed), and every timer fired",
    responses=_ERRORS,
)
async def get_lifecycle(assignment_id: str, org: OrganizationDep, session: SessionDep) -> LifecycleOut:
    a, accepted_at = await _load(session, org.id, assignment_id)
    return await _lifecycle_out(session, a, accepted_at)


async def _enqueue(arq_pool: Any, settings: Settings, job: str, job_id: str, **kwargs: Any) -> None:
    """Best effort: the minute tick does the same work if Redis refused."""
    try:
        await arq_pool.enqueue_job(job, _job_id=job_id, _queue_name=settings.queue_name, **kwargs)
    except Exception as exc:
        log.warning("lifecycle.enqueue_failed job=%s error=%r", job_id, exc)


async def enqueue_tick(arq_pool: Any, settings: Settings, reason: str) -> None:
    """A lifecycle tick now (after a cancel or an erase request); the minute cron is the fallback."""
    await _enqueue(arq_pool, settings, TICK_JOB, tick_job_id(reason))


@router.post(
    "/v1/assignments/{assignment_id}/extend",
    summary="Extend the deadline; the candidate is told in the repository",
    responses=_ERRORS,
)
async def extend_deadline(
    assignment_id: str,
    body: ExtendRequest,
    request: Request,
    org: OrganizationDep,
    session: SessionDep,
    settings: SettingsDep,
    arq_pool: ArqPoolDep,
) -> LifecycleOut:
    org_id = org.id
    now = _clock(request).now()
    a, accepted_at = await _load(session, org_id, assignment_id)
    try:
        decision = decide_extension(
            status=AssignmentStatus(a.status),
            locked=a.locked_at is not None,
            current=effective_deadline(a.deadline_at, a.time_limit_hours, accepted_at),
            time_limit_hours=a.time_limit_hours,
            now=now,
            new_deadline=body.deadline,
            extend_by_hours=body.extend_by_hours,
        )
    except ExtensionRefused as exc:
        fields = [FieldError(field=exc.field, message=str(exc))] if exc.field else None
        raise ApiError(exc.status, exc.code, str(exc), fields=fields) from None
    # A conditional update: a deadline firing between our read and this write wins, and we refuse.
    changes: dict[str, Any] = {"updated_at": now}
    if decision.deadline_at is not None:
        changes["deadline_at"] = decision.deadline_at
    if decision.time_limit_hours is not None:
        changes["time_limit_hours"] = decision.time_limit_hours
    result = await session.execute(
        update(Assignment)
        .where(Assignment.id == a.id, Assignment.locked_at.is_(None))
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise ApiError(409, "locked", "the deadline passed while extending; the repository is locked")
    detail = {
        "from": decision.previous.isoformat() if decision.previous else None,
        "to": decision.deadline_at.isoformat() if decision.deadline_at else None,
        "time_limit_hours": decision.time_limit_hours,
        "reason": body.reason,
    }
    await record_event(session, a, "lifecycle.deadline_extended", detail=detail, at=now)
    await session.commit()
    log.info("lifecycle.extended assignment=%s to=%s", assignment_id, detail["to"])
    a, accepted_at = await _load(session, org_id, assignment_id)
    if decision.deadline_at is not None and a.repo_full_name:
        stamp = decision.deadline_at.isoformat()
        await _enqueue(
            arq_pool,
            settings,
            ANNOUNCE_EXTENSION_JOB,
            f"{ANNOUNCE_EXTENSION_JOB}:{assignment_id}:{stamp}",
            assignment_id=assignment_id,
            deadline_at=stamp,
        )
    return await _lifecycle_out(session, a, accepted_at)


class EraseRequest(BaseModel):
    """Who to erase: any of these identifying one candidate of the organisation (all that match
    are erased: a data-subject request covers every record of the person)."""

    model_config = ConfigDict(extra="forbid")
    login: Login | None = None
    email: Annotated[str, Field(max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")] | None = None
    # Our id for the person, or GitHub's numeric user id (stable across login renames).
    candidate_id: int | None = Field(default=None, ge=1)
    github_id: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _some(self) -> EraseRequest:
        if all(v is None for v in (self.login, self.email, self.candidate_id, self.github_id)):
            raise ValueError("name the candidate: login, email, candidate_id or github_id")
        return self


class ErasureOut(BaseModel):
    erasure_ids: list[str]
    candidates: int
    assignments: int
    status: str


@router.post(
    "/v1/candidates/erase",
    status_code=202,
    summary="Erase a candidate's personal data and delete their repositories (data-subject request)",
    responses=_ERRORS,
)
async def erase_candidate(
    body: EraseRequest,
    request: Request,
    org: OrganizationDep,
    session: SessionDep,
    settings: SettingsDep,
    arq_pool: ArqPoolDep,
) -> ErasureOut:
    org_id = org.id
    now = _clock(request).now()
    matches = []
    if body.login is not None:
        matches.append(func.lower(Person.login) == body.login.lower())
    if body.email is not None:
        matches.append(func.lower(Person.email) == body.email.lower())
    if body.candidate_id is not None:
        matches.append(Person.id == body.candidate_id)
    if body.github_id is not None:
        matches.append(Person.github_id == body.github_id)
    people = (
        await session.scalars(
            select(Person).where(Person.organization_id == org_id, Person.erased_at.is_(None), or_(*matches))
        )
    ).all()
    if not people:
        raise not_found("candidate")
    ids, total = [], 0
    for person in people:
        result = await session.execute(
            update(Assignment)
            .where(Assignment.candidate_id == person.id, Assignment.purged_at.is_(None))
            .values(erase_requested_at=now)
            .execution_options(synchronize_session=False)
        )
        count = int(getattr(result, "rowcount", 0))
        total += count
        erasure = ErasureRequest(
            organization_id=org_id, person_id=person.id, requested_at=now, assignments=count
        )
        if count == 0:
            # Nothing on GitHub to delete: the person's details go at once.
            person.login = person.name = person.email = None
            person.github_id = None
            person.erased_at = now
            erasure.completed_at = now
        session.add(erasure)
        await session.flush()
        ids.append(erasure.id)
    await session.commit()
    log.info("lifecycle.erase_requested org=%s candidates=%d assignments=%d", org_id, len(people), total)
    if total:
        await enqueue_tick(arq_pool, settings, f"erase:{ids[0]}")
    return ErasureOut(
        erasure_ids=ids, candidates=len(people), assignments=total, status="pending" if total else "completed"
    )


class ErasureStatusOut(BaseModel):
    id: str
    requested_at: datetime
    assignments: int
    completed_at: datetime | None


@router.get("/v1/erasures/{erasure_id}", summary="Whether an erasure request is complete", responses=_ERRORS)
async def get_erasure(erasure_id: str, org: OrganizationDep, session: SessionDep) -> ErasureStatusOut:
    erasure = (
        await session.scalars(
            select(ErasureRequest).where(
                ErasureRequest.id == erasure_id, ErasureRequest.organization_id == org.id
            )
        )
    ).one_or_none()
    if erasure is None:
        raise not_found("erasure")
    return ErasureStatusOut(
        id=erasure.id,
        requested_at=erasure.requested_at,
        assignments=erasure.assignments,
        completed_at=erasure.completed_at,
    )
