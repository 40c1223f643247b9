"""``provision_assignment``: run the provisioning steps for one assignment, resumably.

The repository comes with its content in one call when a ``TemplateRegistry`` is given: it is
generated from a template repository holding the rendered files (see ``templates``). Without one
(or for the template itself) it is created and the files committed with the git data API.

Each step records its completion on the assignment (``repo_created_at``, ``content_committed_at``,
``candidate_invited_at``, ``AssignmentReviewer.access_granted_at``) and in the timeline, and is
committed at once, so a re-run skips what is done. The dangerous moment is a crash *after* GitHub
did something and *before* it was recorded; every step is safe to repeat from there:

- repository: creating again answers "name already exists"; the repository's description holds
  the assignment id, so ours is adopted and anyone else's makes us move on to the next suffix;
- content (without templates): the tree, the root commit and the forced ref update are rebuilt
  and replace the first try's (same files, same fixed date: the same sha);
- invitation: GitHub answers a repeated PUT for a pending invitee with the same invitation
  (updating its permission), so the candidate is invited once;
- reviewers: a repeated grant is a no-op on GitHub (204).

The reviewers are granted before the candidate is invited, and the invitation is the last step:
GitHub e-mails the candidate the moment it exists, so a step that fails after it would leave a
failed assignment with a live invitation to write, and a candidate accepting while provisioning
still retries a later step would race it.

Reviewers who read every repository of the organization already (its members, by the default base
permission) need no call at all (``reviewer_access``); the others get read access with one PUT each.

A cancel may land while a run is in the middle (the API does not wait for the worker). So before
each GitHub step the run reads the assignment's status and version again and stops when someone
else moved it: what was already made is recorded first, for the lifecycle's cancel clean-up to
undo, and no invitation goes out after a cancel. A cancel that lands during the invitation call
itself is caught by the final compare-and-set to ``invited``; the run withdraws the invitation it
just made at once rather than leave it to the lifecycle's timer, which may have run already.

Errors: what retrying cannot fix (unknown artifact, GitHub's 403/404/422 that are not rate limits)
fails the assignment with a reason; everything else (rate limits, 5xx, network) propagates so the
job defers a retry.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from worksample.artifacts.catalog import Catalog
from worksample.assignments import AssignmentStatus
from worksample.db.models import Assignment
from worksample.db.timeline import StaleAssignment, change_status
from worksample.github.client import GitHubApp
from worksample.provisioning.errors import ProvisioningFailed, Superseded
from worksample.provisioning.rendering import RenderCache
from worksample.provisioning.reviewer_access import ReviewerAccessCache
from worksample.provisioning.steps import PROVISIONABLE, Checkpoint, Run
from worksample.provisioning.templates import TemplateRegistry

log = logging.getLogger(__name__)

# Checkpoint is re-exported: the worker's resources import it from here.
__all__ = [
    "AssignmentNotFound",
    "Checkpoint",
    "ProvisionOutcome",
    "fail_assignment",
    "provision_assignment",
]


@dataclass(frozen=True)
class ProvisionOutcome:
    assignment_id: str
    status: AssignmentStatus
    repo_url: str | None
    note: str
    # Stopped because someone else (a cancel) moved the assignment on while the run was going.
    stopped: bool = False


async def provision_assignment(
    session: AsyncSession,
    *,
    github: GitHubApp,
    catalog: Catalog,
    assignment_id: str,
    checkpoint: Checkpoint | None = None,
    templates: TemplateRegistry | None = None,
    renders: RenderCache | None = None,
    reviewer_access: ReviewerAccessCache | None = None,
) -> ProvisionOutcome:
    assignment = await _load(session, assignment_id)
    status = AssignmentStatus(assignment.status)
    if status not in PROVISIONABLE:
        return ProvisionOutcome(assignment.id, status, assignment.repo_html_url, f"nothing to do: {status}")
    if assignment.candidate_login is None:
        # Invited by e-mail and not signed in with GitHub yet: whoever learns the login queues us.
        return ProvisionOutcome(assignment.id, status, None, "waiting for the candidate's GitHub login")
    if status is AssignmentStatus.REQUESTED:
        await change_status(session, assignment, AssignmentStatus.PROVISIONING)
        await session.commit()
    run = Run(session, github, assignment, checkpoint, templates, renders, reviewer_access)
    try:
        await run.run(catalog)
    except Superseded as exc:
        return _stopped(assignment, exc.status)
    except ProvisioningFailed as exc:
        log.warning("provisioning.failed assignment=%s reason=%s", assignment.id, exc.reason)
        await change_status(session, assignment, AssignmentStatus.FAILED, reason=exc.reason)
        await session.commit()
        return ProvisionOutcome(assignment.id, AssignmentStatus.FAILED, assignment.repo_html_url, exc.reason)
    try:
        await change_status(
            session,
            assignment,
            AssignmentStatus.INVITED,
            detail={"repo_url": assignment.repo_html_url, "invitation_id": assignment.invitation_id},
        )
    except StaleAssignment:
        # Nothing was written (the compare-and-set matched no row): the session is still usable.
        moved_to = await run.current_status()
        if moved_to is None or moved_to in PROVISIONABLE:
            raise
        # Cancelled while the invitation was on its way: take it back now.
        await run.withdraw_invitation()
        return _stopped(assignment, moved_to)
    await session.commit()
    log.info("provisioning.done assignment=%s repo=%s", assignment.id, assignment.repo_full_name)
    return ProvisionOutcome(assignment.id, AssignmentStatus.INVITED, assignment.repo_html_url, "invited")


def _stopped(assignment: Assignment, status: AssignmentStatus) -> ProvisionOutcome:
    log.info("provisioning.stopped assignment=%s status=%s", assignment.id, status.value)
    note = f"stopped: the assignment is {status.value}"
    return ProvisionOutcome(assignment.id, status, assignment.repo_html_url, note, stopped=True)


class AssignmentNotFound(LookupError):
    def __init__(self, assignment_id: str) -> None:
        super().__init__(f"no assignment {assignment_id}")
        self.assignment_id = assignment_id


async def fail_assignment(session: AsyncSession, assignment_id: str, reason: str) -> bool:
    """Give up on provisioning ``assignment_id`` (the job's last resort); False if it moved on."""
    assignment = await _load(session, assignment_id)
    if assignment.status not in PROVISIONABLE:
        return False
    await change_status(session, assignment, AssignmentStatus.FAILED, reason=reason)
    await session.commit()
    return True


async def _load(session: AsyncSession, assignment_id: str) -> Assignment:
    result = await session.execute(
        select(Assignment)
        .where(Assignment.id == assignment_id)
        .options(
            selectinload(Assignment.organization),
            selectinload(Assignment.candidate),
            selectinload(Assignment.reviewers),
        )
    )
    assignment = result.scalar_one_or_none()
    if assignment is None:
        raise AssignmentNotFound(assignment_id)
    return assignment
