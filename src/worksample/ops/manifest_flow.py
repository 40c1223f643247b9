"""GitHub's App Manifest flow, run from this machine (``worksample app create --org ORG``).

A local page posts the manifest to ``{github_web_url}/organizations/{org}/settings/apps/new``; the
person confirms on GitHub; GitHub redirects to the local callback with a one-time code, which is
exchanged (``POST /app-manifests/{code}/conversions``) for the App's id, slug, private key, webhook
secret and OAuth client credentials. Those go to a ``.env``-style file with mode 0600, with a
session secret for sign-in's cookies when the file has none yet.
"""

from __future__ import annotations

import asyncio
import html
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from githubkit import GitHub, UnauthAuthStrategy
from githubkit.exception import GitHubException, RequestFailed

from worksample.ops.envfile import keys_in_env_file, write_env_file
from worksample.ops.manifest import AppManifest

CALLBACK_PATH = "/callback"
SESSION_SECRET_KEY = "WORKSAMPLE_SESSION_SECRET"  # noqa: S105 - the setting's name, not a secret
SECRET_KEYS_KEY = "WORKSAMPLE_SECRET_KEYS"  # noqa: S105 - the setting's name, not a secret


class FlowError(RuntimeError):
    """The flow cannot complete; the message says why in plain words."""


@dataclass(frozen=True)
class CreatedApp:
    app_id: int
    slug: str
    html_url: str
    env_file: Path
    # Settings GitHub did not return (the person sets them from the App's settings page).
    missing: tuple[str, ...] = ()


def env_values(conversion: dict[str, Any], *, public_url: str, api_url: str, web_url: str) -> dict[str, str]:
    """The settings a deployment needs, from GitHub's conversion answer (absent values left out)."""
    values = {
        "WORKSAMPLE_PUBLIC_URL": public_url,
        "WORKSAMPLE_GITHUB_API_URL": api_url,
        "WORKSAMPLE_GITHUB_WEB_URL": web_url,
        "WORKSAMPLE_GITHUB_APP_ID": str(conversion["id"]),
        "WORKSAMPLE_GITHUB_APP_SLUG": str(conversion["slug"]),
        "WORKSAMPLE_GITHUB_CLIENT_ID": str(conversion.get("client_id")),
        "WORKSAMPLE_GITHUB_CLIENT_SECRET": str(conversion.get("client_secret")),
        "WORKSAMPLE_GITHUB_WEBHOOK_SECRET": str(conversion.get("webhook_secret")),
        "WORKSAMPLE_GITHUB_PRIVATE_KEY": str(conversion.get("pem")).strip(),
    }
    # GitHub may answer null for a secret it did not generate; "None" must never become a secret.
    return {key: value for key, value in values.items() if value and value != "None"}


@dataclass
class ManifestFlow:
    manifest: AppManifest
    org: str
    public_url: str
    github_api_url: str
    github_web_url: str
    env_file: Path
    name: str | None = None
    transport: httpx.AsyncBaseTransport | None = None
    state: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    done: asyncio.Future[CreatedApp] | None = None

    def form_action(self) -> str:
        return (
            f"{self.github_web_url.rstrip('/')}/organizations/{self.org}/settings/apps/new?state={self.state}"
        )

    def manifest_for(self, local_url: str) -> dict[str, Any]:
        overrides: dict[str, Any] = {"redirect_url": local_url.rstrip("/") + CALLBACK_PATH}
        if self.name:
            overrides["name"] = self.name
        return self.manifest.for_public_url(self.public_url, **overrides)

    def page(self, local_url: str) -> str:
        manifest = html.escape(json.dumps(self.manifest_for(local_url)), quote=True)
        org = html.escape(self.org)
        return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>Create the worksample GitHub App</title></head>
<body>
<form id="manifest" method="post" action="{html.escape(self.form_action(), quote=True)}">
  <input type="hidden" name="manifest" value="{manifest}">
  <p>Creating the GitHub App on <b>{org}</b>. If nothing happens, press the button.</p>
  <button type="submit">Create the GitHub App on {org}</button>
</form>
<script>document.getElementById("manifest").submit();</script>
</body></html>"""

    async def exchange(self, code: str) -> dict[str, Any]:
        async with GitHub(
            UnauthAuthStrategy(),
            base_url=self.github_api_url,
            async_transport=self.transport,
            http_cache=False,
            auto_retry=False,
        ) as gh:
            try:
                response = await gh.rest.apps.async_create_from_manifest(code)
            except RequestFailed as exc:
                raise FlowError(
                    f"GitHub refused the code ({exc.response.status_code}): it is single-use and expires "
                    "after an hour; run `worksample app create` again"
                ) from None
            except (GitHubException, httpx.HTTPError) as exc:
                raise FlowError(f"cannot reach the GitHub API at {self.github_api_url}: {exc}") from None
        result: dict[str, Any] = response.json()
        return result

    async def complete(self, code: str, state: str) -> CreatedApp:
        if not secrets.compare_digest(state, self.state):
            raise FlowError("the callback's state does not match this run: ignored (was it an old tab?)")
        conversion = await self.exchange(code)
        values = env_values(
            conversion, public_url=self.public_url, api_url=self.github_api_url, web_url=self.github_web_url
        )
        if "WORKSAMPLE_GITHUB_PRIVATE_KEY" not in values:
            raise FlowError("GitHub's answer has no private key: generate one on the App's settings page")
        signs_in = "WORKSAMPLE_GITHUB_CLIENT_ID" in values
        if signs_in and SESSION_SECRET_KEY not in keys_in_env_file(self.env_file):
            # With OAuth credentials the service signs people in, and refuses to start without a
            # secret for its cookies. One already in the file is kept: a new one signs everyone out.
            values[SESSION_SECRET_KEY] = secrets.token_urlsafe(32)
        if SECRET_KEYS_KEY not in keys_in_env_file(self.env_file):
            # Encrypts the secrets the service stores; it refuses to start without one. One already
            # in the file is kept: the rows it encrypted would not open with a new one.
            values[SECRET_KEYS_KEY] = secrets.token_urlsafe(32)
        write_env_file(self.env_file, values)
        expected = (
            "WORKSAMPLE_GITHUB_WEBHOOK_SECRET",
            "WORKSAMPLE_GITHUB_CLIENT_ID",
            "WORKSAMPLE_GITHUB_CLIENT_SECRET",
        )
        return CreatedApp(
            app_id=int(conversion["id"]),
            slug=str(conversion["slug"]),
            html_url=str(conversion.get("html_url") or ""),
            env_file=self.env_file,
            missing=tuple(key for key in expected if key not in values),
        )

    def install_url(self, slug: str) -> str:
        return f"{self.github_web_url.rstrip('/')}/apps/{slug}/installations/new"

    def asgi(self, local_url: str) -> FastAPI:
        """The local pages: ``/`` posts the manifest, ``/callback`` finishes the flow."""
        app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
        loop_done = self.done

        @app.get("/", response_class=HTMLResponse)
        async def start() -> str:
            return self.page(local_url)

        @app.get(CALLBACK_PATH, response_class=HTMLResponse)
        async def callback(code: str = "", state: str = "") -> HTMLResponse:
            if not code:
                return HTMLResponse("<p>GitHub sent no code: start again.</p>", status_code=400)
            try:
                created = await self.complete(code, state)
            except FlowError as exc:
                return HTMLResponse(f"<p>{html.escape(str(exc))}</p>", status_code=400)
            if loop_done is not None and not loop_done.done():
                loop_done.set_result(created)
            install = html.escape(self.install_url(created.slug), quote=True)
            return HTMLResponse(
                f"<p>The App <b>{html.escape(created.slug)}</b> was created and its credentials written to "
                f'{html.escape(str(created.env_file))}.</p><p>Next: <a href="{install}">install it on '
                f"{html.escape(self.org)}</a>. You can close this tab.</p>"
            )

        return app
