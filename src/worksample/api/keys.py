"""API keys: generated once, shown once, stored as a SHA-256 hash, looked up by a public prefix.

A key reads ``wsk_<prefix>_<secret>``: ``prefix`` (12 hex characters) finds the row without a
scan, ``secret`` carries 256 bits of randomness. With that much entropy a fast hash is as strong as
a slow KDF and costs nothing per request; the comparison is constant-time all the same.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.db.models import ApiKey, Organization
from worksample.db.types import utcnow

KEY_PREFIX = "wsk_"
_KEY_SHAPE = re.compile(r"^wsk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$")
# GitHub's login rule: alphanumerics and single inner hyphens, at most 39 characters.
GITHUB_LOGIN = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
# Writing last_used_at on every request would turn every read into a write; a minute is precise enough.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class NewKey:
    key: str
    prefix: str
    organization_login: str


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def generate_key() -> tuple[str, str]:
    """``(key, prefix)``; the secret part is 32 random bytes, base64url without padding (43 chars)."""
    prefix = secrets.token_hex(6)
    return f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", prefix


async def find_organization(session: AsyncSession, login: str) -> Organization | None:
    # GitHub logins are case-insensitive: "Acme" and "acme" are one organisation.
    query = select(Organization).where(func.lower(Organization.login) == login.lower())
    return (await session.scalars(query)).one_or_none()


async def create_api_key(session: AsyncSession, org_login: str, *, name: str | None = None) -> NewKey:
    """Create a key for ``org_login``, creating the organisation on first use. The caller commits."""
    if not GITHUB_LOGIN.fullmatch(org_login):
        raise ValueError(f"{org_login!r} is not a GitHub organization login")
    org = await find_organization(session, org_login)
    if org is None:
        org = Organization(login=org_login)
        session.add(org)
        await session.flush()
    key, prefix = generate_key()
    session.add(ApiKey(organization_id=org.id, name=name, prefix=prefix, key_hash=hash_key(key)))
    await session.flush()
    return NewKey(key=key, prefix=prefix, organization_login=org.login)


async def authenticate(
    session: AsyncSession, key: str, *, now: datetime | None = None
) -> Organization | None:
    """The organisation ``key`` belongs to, or None for a malformed, unknown or revoked key."""
    match = _KEY_SHAPE.fullmatch(key)
    if match is None:
        return None
    row = (await session.scalars(select(ApiKey).where(ApiKey.prefix == match.group(1)))).one_or_none()
    # Hash and compare even when there is no row would not hide anything: the prefix is public.
    if row is None or row.revoked_at is not None:
        return None
    if not hmac.compare_digest(row.key_hash, hash_key(key)):
        return None
    moment = now or utcnow()
    if row.last_used_at is None or moment - row.last_used_at >= LAST_USED_RESOLUTION:
        row.last_used_at = moment
    return await session.get_one(Organization, row.organization_id)


async def revoke_api_key(session: AsyncSession, prefix: str) -> bool:
    row = (await session.scalars(select(ApiKey).where(ApiKey.prefix == prefix))).one_or_none()
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    return True
