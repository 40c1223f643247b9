"""The People page (admins): who has which role in the organisation; grant and revoke.

A grant names a GitHub login; GitHub is asked for its id (the key that survives renames) and
whether it is a member of the organisation, so a grant never goes to an outsider.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from githubkit.exception import GitHubException
from sqlalchemy import delete, func, select

from worksample.api.deps import GitHubDep, SessionDep
from worksample.api.github_users import UnknownGitHubUser, lookup_user
from worksample.api.keys import GITHUB_LOGIN
from worksample.auth.cookies import Session
from worksample.db.models import Organization, WebRoleGrant
from worksample.web.access import Role, Viewer
from worksample.web.deps import AdminDep, Csrf, memberships
from worksample.web.render import page

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

FLASH = {"granted": "Role granted.", "revoked": "Role revoked."}


async def _people_page(
    viewer: Viewer, db: SessionDep, *, errors: dict[str, str] | None = None, done: str | None = None
) -> Response:
    grants = (
        await db.scalars(
            select(WebRoleGrant)
            .where(WebRoleGrant.organization_id == viewer.org_id)
            .order_by(func.lower(WebRoleGrant.login), WebRoleGrant.role)
        )
    ).all()
    return page(
        "people.html.j2",
        422 if errors else 200,
        viewer=viewer,
        title="People",
        grants=grants,
        roles=[r.value for r in Role],
        errors=errors or {},
        flash=FLASH.get(done or ""),
    )


@router.get("/people")
async def people(viewer: AdminDep, db: SessionDep, done: str | None = None) -> Response:
    return await _people_page(viewer, db, done=done)


@router.post("/people/grant", dependencies=[Csrf])
async def grant(
    request: Request,
    viewer: AdminDep,
    db: SessionDep,
    github: GitHubDep,
    login: Annotated[str, Form(max_length=100)] = "",
    role: Annotated[str, Form(max_length=16)] = "",
) -> Response:
    login = login.strip()
    errors: dict[str, str] = {}
    if not GITHUB_LOGIN.fullmatch(login):
        errors["login"] = "not a GitHub login"
    if role not in Role.__members__.values():
        errors["role"] = "choose a role"
    org = await db.get_one(Organization, viewer.org_id)
    if not errors:
        if github is None or org.installation_id is None:
            errors["login"] = "the GitHub App is not installed on this organisation"
        else:
            try:
                user = await lookup_user(github.installation(org.installation_id), login)
                member = Session(github_id=user.id, login=user.login)
                if not await memberships(request).is_member(org, member):
                    errors["login"] = f"{user.login} is not a member of {org.login} on GitHub"
            except UnknownGitHubUser:
                errors["login"] = f"GitHub has no user {login!r}"
            except GitHubException:
                errors["login"] = "GitHub did not answer; try again in a minute"
    if errors:
        return await _people_page(viewer, db, errors=errors)
    exists = await db.scalar(
        select(WebRoleGrant.id).where(
            WebRoleGrant.organization_id == viewer.org_id,
            WebRoleGrant.github_id == user.id,
            WebRoleGrant.role == role,
        )
    )
    if exists is None:
        db.add(
            WebRoleGrant(
                organization_id=viewer.org_id,
                github_id=user.id,
                login=user.login,
                role=role,
                granted_by=viewer.login,
            )
        )
        await db.commit()
        log.info("web.role_granted org=%s login=%s role=%s by=%s", org.login, user.login, role, viewer.login)
    return RedirectResponse("/people?done=granted", status_code=303)


@router.post("/people/{grant_id}/revoke", dependencies=[Csrf])
async def revoke(grant_id: int, viewer: AdminDep, db: SessionDep) -> Response:
    # The last admin cannot remove their own admin role: the organisation would have nobody to grant roles.
    row = await db.get(WebRoleGrant, grant_id)
    if row is None or row.organization_id != viewer.org_id:
        return RedirectResponse("/people", status_code=303)
    if row.role == Role.ADMIN:
        admins = await db.scalar(
            select(func.count())
            .select_from(WebRoleGrant)
            .where(WebRoleGrant.organization_id == viewer.org_id, WebRoleGrant.role == Role.ADMIN)
        )
        if (admins or 0) <= 1:
            return await _people_page(viewer, db, errors={"revoke": "the last admin cannot be removed"})
    await db.execute(delete(WebRoleGrant).where(WebRoleGrant.id == grant_id))
    await db.commit()
    return RedirectResponse("/people?done=revoked", status_code=303)
