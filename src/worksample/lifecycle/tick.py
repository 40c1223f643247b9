"""The lifecycle tick: find every timer that is due, claim each firing, act on it.

Run by an arq cron job every minute on every worker. Timers are derived from the assignments'
columns (``schedule``), so the tick needs no queue of its own and survives restarts; the claim
(``claims``) makes a firing happen once however many workers tick at the same moment. It reads
only the assignments whose ``next_timer_at`` has come, page by page (``selection``), and stores
for the others when to look again (``agenda``), so its cost follows what is due. A firing's
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
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from githubkit import GitHub
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worksample.clock import Clock
from worksample.config import Settings
from worksample.db.models import Assignment, Organization, Person
from worksample.db.timeline import StaleAssignment, record_event
from worksample.github.client import GitHubApp
from worksample.lifecycle import agenda, closing, deadline, erase, failures, notices, selection
from worksample.lifecycle.claims import Claim, claim_firing, defer_firing, finish_firing
from worksample.lifecycle.context import Target, policy_from_settings
from worksample.lifecycle.schedule import DueTimer, LifecyclePolicy, TimerKind, due_timers, effective_deadline
from worksample.lifecycle.selection import ACCEPTED_AT

log = logging.getLogger(__name__)

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
    page_size: int = selection.PAGE,
) -> Counter[str]:
    """Fire every due timer; returns how many firings of each kind this worker won.

    Each round pages through every assignment whose ``next_timer_at`` has come (or is unknown),
    and stores the next moment for each one it found nothing to do for. Rounds repeat while
    something fired, because one firing can make the next due (an expired assignment is then
    archived) and each round reads the assignments afresh.
    """
    policy = policy_from_settings(settings)
    fired: Counter[str] = Counter()
    lease = timedelta(seconds=settings.lifecycle_lease_seconds)
    for _ in range(max_rounds):
        now = clock.now()
        won = 0
        after: str | None = None
        while True:
            async with sessionmaker() as session:
                page = await selection.due_page(session, now, after, page_size)
                states = await selection.firing_states(session, [c.id for c in page])
            if not page:
                break
            after = page[-1].id
            await selection.materialize_deadlines(sessionmaker, page)
            idle = []
            for candidate in page:
                kind = await _fire_first(
                    sessionmaker, github, settings, policy, candidate, states[candidate.id], now, lease
                )
                if kind is None:
                    idle.append(candidate)
                else:
                    fired[kind] += 1
                    won += 1
            await _remember_next_looks(sessionmaker, idle, policy, now, lease)
            if len(page) < page_size:
                break
        if not won:
            break
    return fired


async def _fire_first(
    sessionmaker: async_sessionmaker[AsyncSession],
    github: GitHubApp | None,
    settings: Settings,
    policy: LifecyclePolicy,
    candidate: selection.Candidate,
    states: Mapping[agenda.FiringKey, agenda.FiringState],
    now: datetime,
    lease: timedelta,
) -> str | None:
    """Fire the first due timer this worker can claim; its kind, or None when none fired. The
    rest of the assignment's timers are judged again next round, from fresh columns."""
    for timer in due_timers(candidate.view, policy, now):
        if not agenda.claimable(states.get((timer.name, timer.due_at)), now, lease):
            continue
        claim = await claim_firing(sessionmaker, candidate.id, timer, now=now, lease=lease)
        if claim is None:
            continue
        try:
            result = await fire(sessionmaker, github, settings, candidate.id, timer, claim, now)
        except StaleAssignment:
            # The webhook or the API moved it meanwhile; the lease lets a later tick retry.
            log.info("lifecycle.stale assignment=%s timer=%s", candidate.id, timer.name)
            continue
        except Exception:
            log.exception("lifecycle.fire_failed assignment=%s timer=%s", candidate.id, timer.name)
            continue
        if result.done:
            return timer.kind.value
    return None


async def _remember_next_looks(
    sessionmaker: async_sessionmaker[AsyncSession],
    idle: Sequence[selection.Candidate],
    policy: LifecyclePolicy,
    now: datetime,
    lease: timedelta,
) -> None:
    """For assignments nothing fired for: when to look again, from their firings as they are now
    (this round's claims and deferrals included)."""
    if not idle:
        return
    async with sessionmaker() as session:
        states = await selection.firing_states(session, [c.id for c in idle])
    moments = [(c, agenda.next_look(c.view, policy, now, states[c.id], lease)) for c in idle]
    await selection.write_hints(sessionmaker, moments)
