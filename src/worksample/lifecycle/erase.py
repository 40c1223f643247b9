"""Deleting a finished assignment's repository and the candidate's personal data.

The same code serves the retention period (``purge`` timer) and data-subject erasure requests
(``erase`` timer, set by ``POST /v1/candidates/erase``). What stays is anonymous: the artifact,
statuses, timestamps, scores, the reviewers. The person's login, name, e-mail and GitHub id are
removed, and every occurrence of them in any table (timeline details, stored webhook bodies, ATS
event payloads...) is replaced by ``[erased]`` (``lifecycle.scrub``). A person with another
assignment still running keeps their details until that one is purged too: it needs them.
"""

from __future__ import annotations

import logging

from sqlalchemy import delete, func, select, update

from worksample.assignments.state import TERMINAL_STATUSES, AssignmentStatus
from worksample.db.models import Assignment, ErasureRequest, IdempotencyRecord, Person
from worksample.db.timeline import change_status, record_event
from worksample.lifecycle import github_ops as ops
from worksample.lifecycle.context import Target
from worksample.lifecycle.scrub import scrub_everywhere

log = logging.getLogger(__name__)


def personal_terms(person: Person, assignment: Assignment) -> list[str]:
    values = [person.login, person.name, person.email, assignment.candidate_login]
    return sorted({v for v in values if v})


async def purge(t: Target, *, why: str) -> str:
    """Phase one: delete the repository, stop the assignment, drop what points at the candidate.

    The person's details stay until phase two (``scrub_person``), a grace period later: deleting
    the repository makes GitHub send webhooks about it, and whatever they make us store has to be
    caught by the scrub too.
    """
    a, session = t.assignment, t.session
    if a.repo_full_name and t.gh is not None:
        gh, owner, name = t.repo()
        await ops.delete_repository(gh, owner, name)
    if AssignmentStatus(a.status) not in TERMINAL_STATUSES:
        await change_status(session, a, AssignmentStatus.CANCELLED, reason=why, at=t.now)
    a.repo_name = a.repo_full_name = a.repo_html_url = a.pr_url = None
    a.purged_at = t.now
    # First answers replayed to retried requests: they echo the candidate as the request gave them.
    await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.assignment_id == a.id))
    await record_event(session, a, "lifecycle.purged", detail={"why": why}, at=t.now)
    return "repository deleted"


async def scrub_person(t: Target) -> str:
    """Phase two: once none of the person's assignments needs them, erase their personal data
    from every table and clear the person; complete their erasure requests."""
    a, session, person = t.assignment, t.session, t.person
    still_needed = await session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.candidate_id == person.id, Assignment.purged_at.is_(None))
    )
    if still_needed:
        return f"personal data kept for {still_needed} other assignment(s)"
    terms = personal_terms(person, a)
    changed = await scrub_everywhere(session, terms)
    a.candidate_login = None
    person.login = person.name = person.email = None
    person.github_id = None
    person.erased_at = t.now
    await session.execute(
        update(ErasureRequest)
        .where(ErasureRequest.person_id == person.id, ErasureRequest.completed_at.is_(None))
        .values(completed_at=t.now)
    )
    log.info("lifecycle.erased assignment=%s person=%s values=%d", a.id, person.id, changed)
    return f"personal data erased ({changed} values)"
