"""Closing a repository: on cancellation (revoke access, archive) and after scoring (archive)."""

from __future__ import annotations

from worksample.db.timeline import record_event
from worksample.lifecycle import github_ops as ops
from worksample.lifecycle.context import Target


async def revoke_and_archive(t: Target) -> str:
    """Cancelled: the candidate loses access (a pending invitation is withdrawn too), then the
    repository is archived so nobody can change what is there."""
    a = t.assignment
    gh, owner, name = t.repo()
    if a.invitation_id is not None:
        await ops.withdraw_invitation(gh, owner, name, a.invitation_id)
    await ops.remove_collaborator(gh, owner, name, t.login)
    exists = await ops.archive_repository(gh, owner, name)
    a.archived_at = t.now
    await record_event(t.session, a, "lifecycle.access_revoked", detail={"archived": exists}, at=t.now)
    return "access revoked, repository archived" if exists else "access revoked; repository gone"


async def archive(t: Target) -> str:
    a = t.assignment
    gh, owner, name = t.repo()
    exists = await ops.archive_repository(gh, owner, name)
    a.archived_at = t.now
    await record_event(t.session, a, "lifecycle.archived", detail={"archived": exists}, at=t.now)
    return "archived" if exists else "repository gone"
