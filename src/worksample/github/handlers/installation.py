"""``installation`` and ``installation_repositories``: which organisations and repositories the App sees."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.db.models import Installation, InstallationRepository, Organization
from worksample.db.session import session_now
from worksample.github.handlers.context import HandlerContext
from worksample.github.payload import int_field, str_field
from worksample.github.routing import Router, WebhookEvent

router = Router()


async def _upsert_installation(session: AsyncSession, data: dict[str, Any]) -> Installation:
    installation_id = int_field(data, "installation", "id")
    account_id = int_field(data, "installation", "account", "id")
    login = str_field(data, "installation", "account", "login")
    if installation_id is None or account_id is None or login is None:
        raise ValueError("installation payload without installation.id and its account")
    installation = await session.get(Installation, installation_id)
    if installation is None:
        installation = Installation(id=installation_id, account_login=login, account_id=account_id)
        session.add(installation)
    installation.account_login = login
    installation.account_type = str_field(data, "installation", "account", "type") or "Organization"
    # Provisioning looks the installation up by organisation when it has none: record it here first.
    organization = (
        await session.execute(select(Organization).where(func.lower(Organization.login) == login.lower()))
    ).scalar_one_or_none()
    if organization is not None:
        organization.installation_id = installation_id
        organization.github_id = organization.github_id or account_id
    await session.flush()
    return installation


async def _add_repositories(session: AsyncSession, installation_id: int, repositories: Any) -> int:
    count = 0
    for repo in repositories if isinstance(repositories, list) else []:
        repo_id = int_field(repo, "id")
        full_name = str_field(repo, "full_name")
        if repo_id is None or full_name is None:
            continue
        row = await session.get(InstallationRepository, repo_id)
        if row is None:
            row = InstallationRepository(id=repo_id, installation_id=installation_id, full_name=full_name)
            session.add(row)
        row.installation_id = installation_id
        row.full_name = full_name
        row.private = repo.get("private") if isinstance(repo.get("private"), bool) else None
        row.removed_at = None
        count += 1
    await session.flush()
    return count


async def _remove_repositories(session: AsyncSession, repositories: Any) -> int:
    count = 0
    for repo in repositories if isinstance(repositories, list) else []:
        row = await session.get(InstallationRepository, int_field(repo, "id"))
        if row is not None and row.removed_at is None:
            row.removed_at = session_now(session)
            count += 1
    await session.flush()
    return count


@router.register("installation", "created", "new_permissions_accepted", "unsuspend")
async def installation_active(event: WebhookEvent, context: HandlerContext) -> str:
    installation = await _upsert_installation(context.session, event.data)
    installation.deleted_at = None
    installation.suspended_at = None
    added = await _add_repositories(context.session, installation.id, event.data.get("repositories"))
    return f"installation {installation.id} on {installation.account_login} active, {added} repositories"


@router.register("installation", "deleted", "suspend")
async def installation_gone(event: WebhookEvent, context: HandlerContext) -> str:
    installation = await _upsert_installation(context.session, event.data)
    if event.action == "deleted":
        installation.deleted_at = session_now(context.session)
    else:
        installation.suspended_at = session_now(context.session)
    await context.session.flush()
    return f"installation {installation.id} {event.action}"


@router.register("installation_repositories", "added", "removed")
async def installation_repositories(event: WebhookEvent, context: HandlerContext) -> str:
    installation = await _upsert_installation(context.session, event.data)
    added = await _add_repositories(context.session, installation.id, event.data.get("repositories_added"))
    removed = await _remove_repositories(context.session, event.data.get("repositories_removed"))
    return f"installation {installation.id}: {added} repositories added, {removed} removed"
