"""GitHub's App Manifest flow: the form a browser posts a manifest to, and the code conversion.

``POST /organizations/{org}/settings/apps/new?state=...`` takes the form field ``manifest`` (what
the "Create GitHub App" page receives on github.com), creates the App owned by the organization
and redirects to the manifest's ``redirect_url`` with a one-time ``code`` and the ``state``. The
simulator skips the confirmation page a person clicks through on github.com.
``POST /app-manifests/{code}/conversions`` (no authentication, as on GitHub) exchanges the code,
once and within an hour, for the App with its ``pem``, ``webhook_secret`` and ``client_secret``.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from worksample.sandbox import control
from worksample.sandbox.context import SandboxDep
from worksample.sandbox.errors import GitHubError, not_found
from worksample.sandbox.serializers import app as app_json

router = APIRouter(tags=["app manifests"])
CODE_TTL_SECONDS = 3600


@dataclass
class _Pending:
    app_id: int
    webhook_secret: str
    client_secret: str
    private_key: str
    expires_at: float


def _pending(request: Request) -> dict[str, _Pending]:
    # Kept beside the simulator rather than in its World: codes are a property of this flow only.
    codes: dict[str, _Pending] = request.app.state.__dict__.setdefault("manifest_codes", {})
    return codes


def _read_manifest(raw: str | None) -> dict[str, Any]:
    if not raw:
        raise GitHubError(422, "Invalid GitHub App configuration: the form has no 'manifest' field")
    try:
        manifest = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise GitHubError(422, f"Invalid GitHub App configuration: manifest is not JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise GitHubError(422, "Invalid GitHub App configuration: manifest must be a JSON object")
    problems = []
    if not isinstance(manifest.get("url"), str):
        problems.append("url is required")
    hook = manifest.get("hook_attributes")
    if not isinstance(hook, dict) or not isinstance(hook.get("url"), str):
        problems.append("hook_attributes.url is required")
    redirect = manifest.get("redirect_url")
    if not isinstance(redirect, str) or urlsplit(redirect).scheme not in ("http", "https"):
        problems.append("redirect_url must be an http(s) URL")
    if problems:
        raise GitHubError(422, "Invalid GitHub App configuration: " + "; ".join(problems))
    return manifest


# A page of github.com that a browser posts to, not a REST operation: kept out of the OpenAPI
# document, which lists the simulated REST API.
@router.post("/organizations/{org}/settings/apps/new", include_in_schema=False)
async def new_app_from_manifest(org: str, request: Request, sandbox: SandboxDep) -> RedirectResponse:
    world = sandbox.world
    account = world.account(org)
    if account is None or account.type != "Organization":
        raise not_found()
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    manifest = _read_manifest(form["manifest"][0] if form.get("manifest") else None)
    webhook_secret = secrets.token_hex(20)
    try:
        body = control.AppIn(
            name=str(manifest.get("name") or f"{org}-app"),
            webhook_url=manifest["hook_attributes"]["url"],
            webhook_secret=webhook_secret,
            owner=org,
            # GitHub sends installation events to every App; the manifest lists the others.
            events=["installation", "installation_repositories", *manifest.get("default_events", [])],
            permissions=dict(manifest.get("default_permissions") or {"metadata": "read"}),
            callback_urls=list(manifest.get("callback_urls") or []),
        )
    except ValidationError as exc:
        raise GitHubError(422, f"Invalid GitHub App configuration: {exc.errors()[0]['msg']}") from None
    created = await control.create_app_record(body, sandbox)
    code = secrets.token_hex(10)
    _pending(request)[code] = _Pending(
        app_id=int(created["id"]),
        webhook_secret=webhook_secret,
        client_secret=str(created["client_secret"]),
        private_key=str(created["private_key"]),
        expires_at=world.now() + CODE_TTL_SECONDS,
    )
    query = {"code": code}
    if "state" in request.query_params:
        query["state"] = request.query_params["state"]
    separator = "&" if urlsplit(manifest["redirect_url"]).query else "?"
    return RedirectResponse(manifest["redirect_url"] + separator + urlencode(query), status_code=302)


@router.post("/app-manifests/{code}/conversions", status_code=201)
async def convert_manifest_code(code: str, request: Request, sandbox: SandboxDep) -> dict[str, Any]:
    pending = _pending(request).pop(code, None)
    world = sandbox.world
    if pending is None or pending.expires_at < world.now() or pending.app_id not in world.apps:
        raise not_found()
    return {
        **app_json(world, world.apps[pending.app_id]),
        "client_secret": pending.client_secret,
        "webhook_secret": pending.webhook_secret,
        "pem": pending.private_key,
    }
