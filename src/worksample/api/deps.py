"""What routes receive: the resources built in the app lifespan, and the caller's organisation.

Routes declare what they need with these ``Annotated`` aliases; nothing is global, so each test
builds its own app with its own database, queue and simulator.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from worksample.api.errors import ApiError
from worksample.api.github_users import GitHubUser
from worksample.api.keys import authenticate
from worksample.artifacts.catalog import Catalog
from worksample.config import Settings
from worksample.db.models import Organization
from worksample.github.client import GitHubApp
from worksample.provisioning.login_memo import LoginMemo


@dataclass
class Resources:
    """Everything the lifespan builds, kept on ``app.state.resources``."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    catalog: Catalog
    # arq's ArqRedis (arq ships no type information).
    arq_pool: Any
    # None when no GitHub App is configured (sandbox runs without a simulator).
    github: GitHubApp | None
    # The webhook intake's own pool: autocommit, no pre-ping (see api/github_webhooks.py).
    webhook_engine: AsyncEngine
    # Reviewer logins GitHub confirmed lately, so the intake asks once per reviewer per hour
    # rather than once per assignment (api/intake.py, check_people).
    known_reviewers: LoginMemo[GitHubUser] = field(default_factory=LoginMemo)


def get_resources(request: Request) -> Resources:
    resources: Resources = request.app.state.resources
    return resources


ResourcesDep = Annotated[Resources, Depends(get_resources)]


def get_settings(resources: ResourcesDep) -> Settings:
    return resources.settings


def get_catalog(resources: ResourcesDep) -> Catalog:
    return resources.catalog


def get_arq_pool(resources: ResourcesDep) -> Any:
    return resources.arq_pool


def get_github(resources: ResourcesDep) -> GitHubApp | None:
    return resources.github


async def get_session(resources: ResourcesDep) -> AsyncIterator[AsyncSession]:
    # Routes commit what they mean to keep; anything uncommitted is rolled back on close.
    async with resources.sessionmaker() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
CatalogDep = Annotated[Catalog, Depends(get_catalog)]
ArqPoolDep = Annotated[Any, Depends(get_arq_pool)]
GitHubDep = Annotated[GitHubApp | None, Depends(get_github)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]

# auto_error=False: a missing or non-Bearer header gets our error shape, not FastAPI's.
_bearer = HTTPBearer(auto_error=False, description="An API key from `worksample apikey create --org ORG`.")


async def current_organization(
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Organization:
    """The organisation of the bearer API key; 401 for a missing, unknown or revoked key."""
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise ApiError(
            401, "unauthorized", "send an API key as 'Authorization: Bearer <key>'", headers=challenge
        )
    organization = await authenticate(session, credentials.credentials)
    if organization is None:
        raise ApiError(401, "unauthorized", "the API key is unknown or revoked", headers=challenge)
    # Keeps last_used_at, and ends the read transaction before the route starts its own work
    # (which may include calls to GitHub that should not hold a database snapshot open).
    await session.commit()
    return organization


OrganizationDep = Annotated[Organization, Depends(current_organization)]
