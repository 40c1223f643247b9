"""``worksample doctor``: is this deployment able to run? Each check says what is wrong in plain words.

Checks, in order: the configuration loads and holds real secrets; the App's private key is a
usable RSA key; the GitHub API answers the App's credentials; the App is installed and each
installation grants at least what ``github_app/manifest.json`` asks; the database answers and is
migrated; Redis answers. A check that cannot run because an earlier one failed is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy
from githubkit.exception import GitHubException, RequestFailed
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from worksample.config import ConfigError, Settings
from worksample.db import migrate
from worksample.db.session import create_engine
from worksample.ops.manifest import AppManifest


class Outcome(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Check:
    name: str
    outcome: Outcome
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"check": self.name, "outcome": self.outcome.value, "message": self.message}


def check_configuration(settings: Settings) -> list[Check]:
    checks: list[Check] = []
    try:
        settings.require_production_secrets()
    except ConfigError as exc:
        return [Check("configuration", Outcome.FAIL, str(exc))]
    if settings.github_app_id is None or settings.github_private_key is None:
        return [
            Check("configuration", Outcome.FAIL, "WORKSAMPLE_GITHUB_APP_ID and the private key are not set")
        ]
    checks.append(
        Check("configuration", Outcome.OK, f"App id {settings.github_app_id}, API {settings.github_api_url}")
    )
    try:
        key = load_pem_private_key(settings.github_private_key.get_secret_value().encode(), password=None)
    except (ValueError, TypeError) as exc:
        checks.append(
            Check(
                "private key",
                Outcome.FAIL,
                f"the App's private key cannot be read ({exc}); "
                "download a new one from the App's settings page",
            )
        )
        return checks
    if not isinstance(key, rsa.RSAPrivateKey):
        checks.append(
            Check("private key", Outcome.FAIL, "the private key is not an RSA key (GitHub issues RSA keys)")
        )
        return checks
    checks.append(Check("private key", Outcome.OK, f"RSA, {key.key_size} bits"))
    if not settings.sandbox and not settings.public_url.startswith("https://"):
        checks.append(
            Check(
                "public URL",
                Outcome.WARN,
                f"WORKSAMPLE_PUBLIC_URL is {settings.public_url}: GitHub "
                "delivers webhooks to it, so it should be an https:// address reachable from GitHub",
            )
        )
    return checks


def _github(
    settings: Settings, app_id: int, private_key: str, transport: httpx.AsyncBaseTransport | None
) -> GitHub[AppAuthStrategy]:
    return GitHub(
        AppAuthStrategy(app_id, private_key),
        base_url=settings.github_api_url,
        async_transport=transport,
        http_cache=False,
        auto_retry=False,
        timeout=15.0,
        cache_strategy=MemCacheStrategy(),
    )


def _install_url(settings: Settings, slug: str | None) -> str:
    return f"{settings.github_web_url.rstrip('/')}/apps/{slug or '<app-slug>'}/installations/new"


def _installation_checks(
    settings: Settings, manifest: AppManifest, slug: str | None, installations: list[dict[str, Any]]
) -> list[Check]:
    if not installations:
        return [
            Check(
                "installation",
                Outcome.FAIL,
                "the App is not installed on any organization: an org owner "
                f"installs it at {_install_url(settings, slug)}",
            )
        ]
    checks = []
    for installation in installations:
        account = (installation.get("account") or {}).get("login", "?")
        name = f"installation on {account}"
        if installation.get("suspended_at"):
            checks.append(
                Check(
                    name,
                    Outcome.FAIL,
                    f"suspended since {installation['suspended_at']}: an org owner "
                    "unsuspends it in the organization's settings (GitHub Apps)",
                )
            )
            continue
        missing = manifest.missing_grants(installation.get("permissions") or {})
        events = sorted(set(manifest.events) - set(installation.get("events") or []))
        if missing:
            wants = ", ".join(
                f"{p} {asked} (grants {granted or 'none'})" for p, (asked, granted) in missing.items()
            )
            settings_url = (
                f"{settings.github_web_url.rstrip('/')}/organizations/{account}/settings/"
                f"installations/{installation.get('id')}"
            )
            checks.append(
                Check(
                    name,
                    Outcome.FAIL,
                    f"the manifest asks for {wants}: update the App's permissions, "
                    f"then an org owner accepts them at {settings_url}",
                )
            )
        elif events:
            checks.append(
                Check(
                    name,
                    Outcome.FAIL,
                    f"not subscribed to {', '.join(events)}: the service would "
                    "never hear of them; add them in the App's settings (Permissions & events)",
                )
            )
        else:
            checks.append(
                Check(
                    name,
                    Outcome.OK,
                    f"id {installation.get('id')}, grants every permission the manifest asks",
                )
            )
    return checks


async def check_github(
    settings: Settings, manifest: AppManifest, transport: httpx.AsyncBaseTransport | None = None
) -> list[Check]:
    if settings.github_app_id is None or settings.github_private_key is None:
        return [Check("GitHub API", Outcome.SKIPPED, "no App id or private key configured")]
    key = settings.github_private_key.get_secret_value()
    async with _github(settings, settings.github_app_id, key, transport) as gh:
        try:
            app = (await gh.rest.apps.async_get_authenticated()).json()
        except RequestFailed as exc:
            status = exc.response.status_code
            said = exc.response.json().get("message", "") if exc.response.content else ""
            if status == 401:
                message = (
                    f"GitHub refused the App's credentials ({said}): check WORKSAMPLE_GITHUB_APP_ID "
                    f"({settings.github_app_id}) and that the private key belongs to that App"
                )
            else:
                message = f"GitHub answered {status} to GET /app: {said}"
            return [Check("GitHub API", Outcome.FAIL, message)]
        except (GitHubException, httpx.HTTPError) as exc:
            return [
                Check(
                    "GitHub API",
                    Outcome.FAIL,
                    f"cannot reach the GitHub API at {settings.github_api_url}: {exc}",
                )
            ]
        slug = app.get("slug")
        checks = [Check("GitHub API", Outcome.OK, f"the App is {slug} (id {app.get('id')})")]
        try:
            installations = (await gh.rest.apps.async_list_installations()).json()
        except (GitHubException, httpx.HTTPError) as exc:
            return [
                *checks,
                Check("installation", Outcome.FAIL, f"cannot list the App's installations: {exc}"),
            ]
    return checks + _installation_checks(settings, manifest, slug, installations)


async def check_database(settings: Settings) -> Check:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        current = await migrate.current_revision(engine)
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        return Check("database", Outcome.FAIL, f"cannot connect to WORKSAMPLE_DATABASE_URL: {reason}")
    finally:
        await engine.dispose()
    head = migrate.head_revision()
    if current != head:
        return Check(
            "database",
            Outcome.FAIL,
            f"the schema is at {current or 'nothing'}, the code needs {head}: run `worksample db upgrade`",
        )
    return Check("database", Outcome.OK, f"{engine.url.get_backend_name()}, schema at {head}")


async def check_redis(settings: Settings) -> Check:
    client = Redis.from_url(settings.redis_url, socket_connect_timeout=3, socket_timeout=3)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        return Check("redis", Outcome.FAIL, f"cannot reach Redis at WORKSAMPLE_REDIS_URL: {exc}")
    finally:
        await client.aclose()
    return Check("redis", Outcome.OK, "answers")


async def run_checks(
    settings: Settings, manifest: AppManifest, *, github_transport: httpx.AsyncBaseTransport | None = None
) -> list[Check]:
    checks = check_configuration(settings)
    if all(c.outcome is not Outcome.FAIL for c in checks):
        checks += await check_github(settings, manifest, github_transport)
    else:
        checks.append(Check("GitHub API", Outcome.SKIPPED, "needs a valid configuration first"))
    checks.append(await check_database(settings))
    checks.append(await check_redis(settings))
    return checks
