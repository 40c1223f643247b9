"""The lifecycle tick: find every timer that is due, claim each firing, act on it.

Run by an arq cron job every minute on every worker. Timers are derived from the assignments'
columns (``schedule``), so the tick needs no queue of its own and survives restarts; the claim
(``claims``) makes a firing happen once however many workers tick at the same moment. A firing's
database changes and its ``done`` mark commit together; GitHub calls before that are idempotent,
so a firing retried after a crash repeats them harmlessly. Notes to the candidate are the
exception, and carry a hidden marker naming the firing: a firing taken over from a dead worker
looks for its note before posting one (``notices.post_once``), so a reminder is never sent twice.

GitHub answering "not now" (a rate limit, a 5xx, a timeout) leaves the firing open to be taken
again after ``retry-after`` or a backoff; only a definite refusal closes it undone, and a deadline
closed that way is reported as a failed lock (``failures``, ``deadline.lock_refused``).
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from githubkit import GitHub
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worksample.assignments.state import AssignmentStatus
from worksample.clock import Clock
from worksample.config import Settings
from worksample.db.models import Assignment, AssignmentEvent, Organization, Person
from worksample.db.timeline import StaleAssignment, record_event
from worksample.github.client import GitHubApp
from worksample.lifecycle import closing, deadline, erase, failures, notices
from worksample.lifecycle.claims import Claim, claim_firing, defer_firing, finish_firing
from worksample.lifecycle.context import Target, policy_from_settings
from worksample.lifecycle.schedule import (
    AssignmentClock,
    DueTimer,
    LifecyclePolicy,
    TimerKind,
    due_timers,
    effective_deadline,
)

log = logging.getLogger(__name__)

S = AssignmentStatus
WORKING = [S.INVITED.value, S.ACCEPTED.value, S.SUBMITTED.value, S.IN_REVIEW.value]
CLOSABLE = [S.SCORED.value, S.EXPIRED.value, S.CANCELLED.value, S.FAILED.value]
FINAL = [S.SCORED.value, S.EXPIRED.value, S.CANCELLED.value, S.FAILED.value]
BATCH = 500

ACCEPTED_AT = (
    select(func.min(AssignmentEvent.at))
    .where(AssignmentEvent.assignment_id == Assignment.id, AssignmentEvent.kind == "assignment.accepted")
    .correlate(Assignment)
    .scalar_subquery()
)


def clock_view(a: Assignment, accepted_at: datetime | None, person_erased: bool) -> AssignmentClock:
    return AssignmentClock(
        status=S(a.status),
        status_changed_at=a.status_changed_at,
        deadline_at=a.deadline_at,
        time_limit_hours=a.time_limit_hours,
        accepted_at=accepted_at,
        invited_at=a.candidate_invited_at,
        has_invitation=a.invitation_id is not None,
        reinvite_count=a.reinvite_count or 0,
        has_repo=bool(a.repo_full_name),
        locked_at=a.locked_at,
        archived_at=a.archived_at,
        purged_at=a.purged_at,
        erase_requested_at=a.erase_requested_at,
        scored_at=a.scored_at,
        person_erased=person_erased,
    )


async def _candidates(
    session: AsyncSession, now: datetime, policy: LifecyclePolicy
) -> list[tuple[str, AssignmentClock]]:
    """Assignments that may have a timer due; ``due_timers`` decides exactly."""
    ended = func.coalesce(Assignment.scored_at, Assignment.status_changed_at)
    query = (
        select(Assignment, ACCEPTED_AT, Person.erased_at)
        .join(Person, Person.id == Assignment.candidate_id)
        .where(
            or_(
                and_(Assignment.purged_at.is_not(None), Person.erased_at.is_(None)),
                and_(Assignment.erase_requested_at.is_not(None), Assignment.purged_at.is_(None)),
                and_(Assignment.status.in_(WORKING), Assignment.locked_at.is_(None)),
                and_(
                    Assignment.status.in_(CLOSABLE),
                    Assignment.archived_at.is_(None),
                    Assignment.repo_full_name.is_not(None),
                ),
                and_(
                    Assignment.status.in_(FINAL),
                    Assignment.purged_at.is_(None),
                    ended <= now - policy.retention,
                ),
            )
        )
        .order_by(Assignment.id)
        .limit(BATCH)
    )
    rows = (await session.execute(query)).all()
    return [(a.id, clock_view(a, accepted, erased is not None)) for a, accepted, erased in rows]


async def materialize_deadlines(
    sessionmaker: async_sessionmaker[AsyncSession], candidates: list[tuple[str, AssignmentClock]]
) -> int:
    """Write acceptance + time limit into ``deadline_at`` once the candidate has accepted.

    The timers do not need it (they derive the deadline), but everyone else reads the column: the
    submission handler's ``late`` flag, the ATS events, the recruiter API. The UPDATE is
    conditional, so concurrent ticks write it once and an extension already made is kept.
    """
    written = 0
    async with sessionmaker() as session:
        for assignment_id, view in candidates:
            if view.deadline_at is not None or view.time_limit_hours is None or view.accepted_at is None:
                continue
            deadline = effective_deadline(None, view.time_limit_hours, view.accepted_at)
            result = await session.execute(
                update(Assignment)
                .where(Assignment.id == assignment_id, Assignment.deadline_at.is_(None))
                .values(deadline_at=deadline)
                .execution_options(synchronize_session=False)
            )
            written += int(getattr(result, "rowcount", 0))
        await session.commit()
    return written


Action = Callable[[Target, DueTimer], Awaitable[str]]


async def _reminder(t: Target, timer: DueTimer) -> str:
    return await notices.send_reminder(t, timer.label)


async def _deadline(t: Target, timer: DueTimer) -> str:
    return await deadline.lock_at_deadline(t)


async def _reinvite(t: Target, timer: DueTimer) -> str:
    return await notices.reissue_invitation(t)


async def _expire(t: Target, timer: DueTimer) -> str:
    return await deadline.expire_unaccepted(
        t, f"the last invitation lapsed unaccepted after {t.assignment.reinvite_count} re-issue(s)"
    )


async def _cancel(t: Target, timer: DueTimer) -> str:
    return await closing.revoke_and_archive(t)


async def _archive(t: Target, timer: DueTimer) -> str:
    return await closing.archive(t)


async def _purge(t: Target, timer: DueTimer) -> str:
    return await erase.purge(t, why="retention period ended")


async def _erase(t: Target, timer: DueTimer) -> str:
    return await erase.purge(t, why="candidate data erased on request")


async def _scrub(t: Target, timer: DueTimer) -> str:
    return await erase.scrub_person(t)


ACTIONS: dict[TimerKind, Action] = {
    TimerKind.REMINDER: _reminder,
    TimerKind.DEADLINE: _deadline,
    TimerKind.REINVITE: _reinvite,
    TimerKind.EXPIRE: _expire,
    TimerKind.CANCEL: _cancel,
    TimerKind.ARCHIVE: _archive,
    TimerKind.PURGE: _purge,
    TimerKind.ERASE: _erase,
    TimerKind.SCRUB: _scrub,
}


async def load_target(
    session: AsyncSession,
    github: GitHubApp | None,
    settings: Settings,
    assignment_id: str,
    now: datetime,
    *,
    timer: DueTimer | None = None,
    taken_over: bool = False,
) -> Target | None:
    row = (
        await session.execute(
            select(Assignment, ACCEPTED_AT)
            .where(Assignment.id == assignment_id)
            .execution_options(populate_existing=True)
        )
    ).one_or_none()
    if row is None:
        return None
    assignment, accepted_at = row
    person = await session.get(Person, assignment.candidate_id)
    org = await session.get(Organization, assignment.organization_id)
    assert person is not None
    assert org is not None
    gh: GitHub[Any] | None = None
    if github is not None and org.installation_id is not None:
        gh = github.installation(org.installation_id)
    return Target(
        session=session,
        assignment=assignment,
        person=person,
        gh=gh,
        now=now,
        settings=settings,
        deadline=effective_deadline(assignment.deadline_at, assignment.time_limit_hours, accepted_at),
        firing=f"{timer.name}@{timer.due_at.isoformat()}" if timer is not None else "",
        taken_over=taken_over,
    )


@dataclass(frozen=True)
class Fired:
    outcome: str
    # False: GitHub said "not now" and the firing stays open for a later tick.
    done: bool = True


async def fire(
    sessionmaker: async_sessionmaker[AsyncSession],
    github: GitHubApp | None,
    settings: Settings,
    assignment_id: str,
    timer: DueTimer,
    claim: Claim,
    now: datetime,
) -> Fired:
    """Act on one claimed firing; its changes and its done mark commit together. GitHub saying
    "not now" leaves it open (``defer_firing``); only a definite refusal closes it undone."""
    async with sessionmaker() as session:
        target = await load_target(
            session, github, settings, assignment_id, now, timer=timer, taken_over=claim.taken_over
        )
        if target is None:
            return Fired("assignment gone")
        try:
            outcome = await ACTIONS[timer.kind](target, timer)
        except Exception as exc:
            verdict = failures.judge(exc, claim.attempts + 1)
            if verdict is None:
                raise
            await session.rollback()
            target = await load_target(session, github, settings, assignment_id, now, timer=timer)
            assert target is not None
            if isinstance(verdict, failures.Retry):
                return await _retry_later(target, timer, claim, verdict)
            outcome = await _refused(target, timer, verdict)
        if not await finish_firing(session, assignment_id, timer, claim.token, now=now, outcome=outcome):
            await session.rollback()
            return Fired("claim lost", done=False)
        await session.commit()
    log.info("lifecycle.fired assignment=%s timer=%s outcome=%s", assignment_id, timer.name, outcome)
    return Fired(outcome)


async def _retry_later(t: Target, timer: DueTimer, claim: Claim, verdict: failures.Retry) -> Fired:
    attempt = claim.attempts + 1
    retry_at = t.now + verdict.after
    outcome = f"not yet, retrying from {retry_at.isoformat()} (attempt {attempt}): {verdict.reason}"
    a = t.assignment
    if not await defer_firing(t.session, a.id, timer, claim.token, retry_at=retry_at, outcome=outcome):
        await t.session.rollback()
        return Fired("claim lost", done=False)
    if attempt == 1:
        # Once, so that a long outage does not fill the timeline; the firing shows the latest.
        detail = {"error": verdict.reason, "retry_at": retry_at.isoformat()}
        await record_event(t.session, a, f"lifecycle.{timer.kind.value}_delayed", detail=detail, at=t.now)
    await t.session.commit()
    log.warning("lifecycle.deferred assignment=%s timer=%s outcome=%s", a.id, timer.name, outcome)
    return Fired(outcome, done=False)


async def _refused(t: Target, timer: DueTimer, verdict: failures.Refused) -> str:
    """The firing closes undone and the timeline says why; a deadline not enforced is a failed
    lock, which the recruiter and the ATS hear about."""
    if timer.kind is TimerKind.DEADLINE:
        return await deadline.lock_refused(t, verdict.reason)
    detail = {"error": verdict.reason}
    await record_event(
        t.session, t.assignment, f"lifecycle.{timer.kind.value}_failed", detail=detail, at=t.now
    )
    return f"not done: {verdict.reason}"


async def run_due(
    sessionmaker: async_sessionmaker[AsyncSession],
    github: GitHubApp | None,
    settings: Settings,
    clock: Clock,
    *,
    max_rounds: int = 5,
) -> Counter[str]:
    """Fire every due timer; returns how many firings of each kind this worker won.

    Rounds repeat while something fired, because one firing can make the next due (an expired
    assignment is then archived) and each round reads the assignments afresh.
    """
    policy = policy_from_settings(settings)
    fired: Counter[str] = Counter()
    lease = timedelta(seconds=settings.lifecycle_lease_seconds)
    for _ in range(max_rounds):
        now = clock.now()
        async with sessionmaker() as session:
            candidates = await _candidates(session, now, policy)
        await materialize_deadlines(sessionmaker, candidates)
        won = 0
        for assignment_id, view in candidates:
            for timer in due_timers(view, policy, now):
                claim = await claim_firing(sessionmaker, assignment_id, timer, now=now, lease=lease)
                if claim is None:
                    continue
                try:
                    result = await fire(sessionmaker, github, settings, assignment_id, timer, claim, now)
                except StaleAssignment:
                    # The webhook or the API moved it meanwhile; the lease lets a later tick retry.
                    log.info("lifecycle.stale assignment=%s timer=%s", assignment_id, timer.name)
                    continue
                except Exception:
                    log.exception("lifecycle.fire_failed assignment=%s timer=%s", assignment_id, timer.name)
                    continue
                if not result.done:
                    continue
                fired[timer.kind.value] += 1
                won += 1
                # The rest of this assignment's timers are judged again next round, from fresh columns.
                break
        if not won:
            break
    return fired
