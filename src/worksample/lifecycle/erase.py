"""Deleting a finished assignment's repository and the candidate's personal data.

The same code serves the retention period (``purge`` timer) and data-subject erasure requests
(``erase`` timer, set by ``POST /v1/candidates/erase``). What stays is anonymous: the artifact,
statuses, timestamps, scores, the reviewers. The person's login, name, e-mail and GitHub id are
removed, and so are their occurrences in the rows that belong to the person's assignments
(timeline details, stored webhook bodies about their repositories, ATS event payloads...; see
``lifecycle.scrub``): never in another organisation's rows, nor another candidate's. A person with
another assignment still running keeps their details until that one is purged too: it needs them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.assignments.state import TERMINAL_STATUSES, AssignmentStatus
from worksample.db.models import (
    Assignment,
    AssignmentEvent,
    ErasureRequest,
    IdempotencyRecord,
    InstallationRepository,
)
from worksample.db.timeline import change_status, record_event
from worksample.lifecycle import github_ops as ops
from worksample.lifecycle.context import Target
from worksample.lifecycle.personal import Eraser
from worksample.lifecycle.scrub import Scope, scrub_rows

log = logging.getLogger(__name__)

# Timeline entries that name an assignment's repository (purge clears the assignment's columns).
_REPOSITORY_NAMED = {"lifecycle.purged": "repository", "provisioning.repo_created": "repo"}


async def _repository_names(session: AsyncSession, assignments: Sequence[Assignment]) -> set[str]:
    """Every name the person's repositories went by: ``owner/name`` and ``name`` (both hold the login)."""
    ids = [a.id for a in assignments]
    full_names = {a.repo_full_name for a in assignments if a.repo_full_name}
    details = await session.scalars(
        select(AssignmentEvent.detail).where(
            AssignmentEvent.assignment_id.in_(ids), AssignmentEvent.kind.in_(list(_REPOSITORY_NAMED))
        )
    )
    for detail in details:
        full_names.update(v for k in _REPOSITORY_NAMED.values() if isinstance(v := detail.get(k), str) and v)
    repo_ids = [a.repo_id for a in assignments if a.repo_id is not None]
    full_names.update(
        await session.scalars(
            select(InstallationRepository.full_name).where(InstallationRepository.id.in_(repo_ids))
        )
    )
    return full_names | {name.split("/", 1)[-1] for name in full_names}


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
    # The name is kept in the timeline until phase two, which needs it to find its mentions.
    detail = {"why": why, "repository": a.repo_full_name}
    a.repo_name = a.repo_full_name = a.repo_html_url = a.pr_url = None
    a.purged_at = t.now
    # First answers replayed to retried requests: they echo the candidate as the request gave them.
    await session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.organization_id == a.organization_id, IdempotencyRecord.assignment_id == a.id
        )
    )
    await record_event(session, a, "lifecycle.purged", detail=detail, at=t.now)
    return "repository deleted"


async def scrub_person(t: Target) -> str:
    """Phase two: once none of the person's assignments needs them, erase their personal data
    from those assignments' rows and clear the person; complete their erasure requests."""
    a, session, person = t.assignment, t.session, t.person
    still_needed = await session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.candidate_id == person.id, Assignment.purged_at.is_(None))
    )
    if still_needed:
        return f"personal data kept for {still_needed} other assignment(s)"
    assignments = (
        await session.scalars(select(Assignment).where(Assignment.candidate_id == person.id))
    ).all()
    eraser = Eraser(
        logins=[person.login, *(x.candidate_login for x in assignments)],
        names=[person.name],
        emails=[person.email],
        repositories=await _repository_names(session, assignments),
    )
    scope = Scope(
        assignment_ids=tuple(x.id for x in assignments),
        repository_ids=tuple(x.repo_id for x in assignments if x.repo_id is not None),
    )
    changed = await scrub_rows(session, eraser, scope)
    for assignment in assignments:
        assignment.candidate_login = None
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
