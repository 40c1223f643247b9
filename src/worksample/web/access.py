"""Who is looking at a page, in which organisation, with which roles; and the CSRF token.

The session cookie (``worksample.auth``) proves the GitHub account. Each request then finds the
organisation: one that installed the App and of which GitHub says the person is a member (asked
with the App's installation token, ``GET /orgs/{org}/members/{login}``, remembered for a few
minutes per process so a page view does not cost a GitHub call). Roles come from
``web_role_grants``; the bootstrap rule is that the first member of an organisation to sign in,
while it has no grants at all, becomes its admin with every role (an admin grants the others on
the People page).

CSRF: every POST form carries ``csrf_token``, a hash of the signed session cookie together with
a random nonce cookie set at sign-in (both HttpOnly, SameSite=Lax). Another site can neither read
them nor compute the token, and the nonce makes it change with every sign-in (two sign-ins of the
same person within a second would otherwise get the same session cookie); a POST without the
right token is refused with 403.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum

from fastapi import Request, Response
from githubkit.exception import GitHubException, RequestFailed
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.auth.cookies import SESSION_COOKIE, Session
from worksample.db.models import Installation, Organization, WebRoleGrant
from worksample.github.client import GitHubApp, InstallationNotFound

log = logging.getLogger(__name__)

# A removed member keeps access for at most this long (the check is cached per process).
MEMBERSHIP_TTL_SECONDS = 300.0
# Which of several organisations the person last chose: only a preference, access is still checked.
ORG_COOKIE = "worksample_org"
# Random per sign-in; part of the CSRF token (see above).
NONCE_COOKIE = "worksample_csrf"


class Role(StrEnum):
    ADMIN = "admin"
    RECRUITER = "recruiter"
    REVIEWER = "reviewer"


class AccessRefused(Exception):
    """Shown as a 403 page; the message says why, in words a person can act on."""


@dataclass(frozen=True)
class Viewer:
    github_id: int
    login: str
    org_id: int
    org_login: str
    roles: frozenset[Role]
    csrf_token: str
    # Other organisations this person may switch to (logins).
    other_orgs: tuple[str, ...] = ()

    def has(self, role: Role) -> bool:
        return role in self.roles or Role.ADMIN in self.roles


def csrf_token_for(request: Request) -> str:
    raw, nonce = request.cookies.get(SESSION_COOKIE, ""), request.cookies.get(NONCE_COOKIE, "")
    if not raw or not nonce:
        return ""
    return hashlib.sha256(b"worksample.csrf\0" + nonce.encode() + b"\0" + raw.encode()).hexdigest()


def set_nonce(response: Response, *, max_age: int, secure: bool) -> None:
    response.set_cookie(
        NONCE_COOKIE, secrets.token_urlsafe(32), max_age=max_age, httponly=True, secure=secure, samesite="lax"
    )


def csrf_ok(request: Request, submitted: str | None) -> bool:
    expected = csrf_token_for(request)
    return bool(expected) and bool(submitted) and hmac.compare_digest(expected, submitted or "")


class Memberships:
    """``GET /orgs/{org}/members/{login}`` with the installation token, cached for a few minutes."""

    def __init__(self, github: GitHubApp | None) -> None:
        self._github = github
        self._cache: dict[tuple[int, int], tuple[float, bool]] = {}
        self._installations: dict[str, tuple[float, int | None]] = {}

    async def is_member(self, org: Organization, session_user: Session) -> bool:
        if self._github is None or org.installation_id is None:
            return False
        key = (org.id, session_user.github_id)
        cached = self._cache.get(key)
        if cached is not None and time.monotonic() - cached[0] < MEMBERSHIP_TTL_SECONDS:
            return cached[1]
        client = self._github.installation(org.installation_id)
        try:
            await client.arequest("GET", f"/orgs/{org.login}/members/{session_user.login}")
            member = True
        except RequestFailed as exc:
            if exc.response.status_code not in (302, 404):
                raise
            member = False
        self._cache[key] = (time.monotonic(), member)
        return member

    async def installation_of(self, org_login: str) -> int | None:
        """The App's installation on ``org_login``, asked of GitHub (a "none" is remembered a while)."""
        if self._github is None:
            return None
        cached = self._installations.get(org_login.lower())
        if cached is not None and time.monotonic() - cached[0] < MEMBERSHIP_TTL_SECONDS:
            return cached[1]
        try:
            installation_id: int | None = (await self._github.find_installation(org_login))[0]
        except InstallationNotFound:
            installation_id = None
        self._installations[org_login.lower()] = (time.monotonic(), installation_id)
        return installation_id


async def installed_organizations(db: AsyncSession, memberships: Memberships) -> list[Organization]:
    """Organisations with the App installed: those whose installation is known (the installation
    webhook or provisioning recorded it), those the ``installations`` table names (a row is made
    for an organisation that has no API key yet), and others GitHub confirms on asking."""
    orgs = {o.login.lower(): o for o in (await db.scalars(select(Organization))).all()}
    installed = (
        await db.scalars(
            select(Installation).where(
                Installation.deleted_at.is_(None),
                Installation.suspended_at.is_(None),
                Installation.account_type == "Organization",
            )
        )
    ).all()
    for installation in installed:
        org = orgs.get(installation.account_login.lower())
        if org is None:
            org = Organization(login=installation.account_login, github_id=installation.account_id)
            db.add(org)
            orgs[org.login.lower()] = org
        org.installation_id = org.installation_id or installation.id
    for org in orgs.values():
        if org.installation_id is None:
            org.installation_id = await memberships.installation_of(org.login)
    await db.flush()
    return sorted((o for o in orgs.values() if o.installation_id is not None), key=lambda o: o.login)


async def member_organizations(
    db: AsyncSession, memberships: Memberships, user: Session
) -> list[Organization]:
    """The installed organisations GitHub says ``user`` belongs to, by login."""
    found = []
    try:
        for org in await installed_organizations(db, memberships):
            if await memberships.is_member(org, user):
                found.append(org)
    except GitHubException as exc:
        log.warning("web.membership_check_failed login=%s error=%r", user.login, exc)
        raise AccessRefused("GitHub did not answer the membership check; try again in a minute") from None
    await db.commit()
    return found


async def roles_of(db: AsyncSession, org_id: int, github_id: int) -> frozenset[Role]:
    rows = await db.scalars(
        select(WebRoleGrant.role).where(
            WebRoleGrant.organization_id == org_id, WebRoleGrant.github_id == github_id
        )
    )
    return frozenset(Role(r) for r in rows if r in Role.__members__.values())


async def bootstrap_admin(db: AsyncSession, org: Organization, user: Session) -> bool:
    """Make ``user`` the organisation's admin (every role) when it has no grants yet; True if so."""
    count = await db.scalar(
        select(func.count()).select_from(WebRoleGrant).where(WebRoleGrant.organization_id == org.id)
    )
    if count:
        return False
    for role in Role:
        db.add(WebRoleGrant(organization_id=org.id, github_id=user.github_id, login=user.login, role=role))
    log.info("web.bootstrap_admin org=%s login=%s", org.login, user.login)
    return True


def choose(orgs: list[Organization], preferred: str | None) -> Organization:
    for org in orgs:
        if preferred and org.login.lower() == preferred.lower():
            return org
    return orgs[0]
