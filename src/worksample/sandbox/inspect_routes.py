"""``/_sandbox/...`` routes that inspect the world and inject trouble: the call log, deliveries,
webhook flushing and fault modes, route faults, configuration and a repository's contents."""

from __future__ import annotations

import base64
import json
from dataclasses import asdict
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from worksample.sandbox.context import SandboxDep
from worksample.sandbox.errors import GitHubError
from worksample.sandbox.faults import RouteFault
from worksample.sandbox.gitstore import GitStore
from worksample.sandbox.records import INVITATION_NAMES, Delivery
from worksample.sandbox.state import iso
from worksample.sandbox.webhooks import MODES, Mode

router = APIRouter(prefix="/_sandbox", tags=["sandbox inspection"])


class RouteFaultIn(BaseModel):
    method: str = "*"
    path: str = Field(min_length=1, description="shell-style glob on the request path")
    count: int = Field(default=1, ge=1)
    status: int | None = Field(default=502, ge=400, le=599)
    latency_seconds: float = Field(default=0.0, ge=0, le=30)
    message: str = "Server Error"
    after: bool = Field(default=False, description="carry the call out, then answer the status")


class WebhookFaultIn(BaseModel):
    mode: str
    count: int | None = Field(default=None, ge=1)


class ConfigIn(BaseModel):
    template_copy_delay_seconds: float | None = Field(default=None, ge=0)
    invitation_limit: int | None = Field(default=None, ge=0)
    invitation_expiry_seconds: float | None = Field(default=None, gt=0)
    token_ttl_seconds: float | None = Field(default=None, gt=0)
    primary_limit: int | None = Field(default=None, ge=0)
    primary_window_seconds: float | None = Field(default=None, gt=0)
    primary_status: int | None = Field(default=None, ge=403, le=429)
    content_limit_short: int | None = Field(default=None, ge=0)
    content_window_short_seconds: float | None = Field(default=None, gt=0)
    content_limit_long: int | None = Field(default=None, ge=0)
    content_window_long_seconds: float | None = Field(default=None, gt=0)
    max_concurrent: int | None = Field(default=None, ge=1)


def _delivery(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "guid": d.guid,
        "event": d.event,
        "action": d.action,
        "app_id": d.app_id,
        "installation_id": d.installation_id,
        "status_code": d.status_code,
        "error": d.error,
        "dropped": d.dropped,
        "redelivery": d.redelivery,
        "delivered_at": iso(d.delivered_at),
        "payload": json.loads(d.body),
    }


@router.get("/calls")
async def list_calls(sandbox: SandboxDep) -> list[dict[str, Any]]:
    return [asdict(c) for c in sandbox.world.calls]


@router.get("/deliveries")
async def list_deliveries(sandbox: SandboxDep) -> list[dict[str, Any]]:
    return [_delivery(d) for d in sandbox.world.deliveries]


@router.post("/deliveries/{delivery_id}/redeliver")
async def redeliver(delivery_id: int, sandbox: SandboxDep) -> dict[str, Any]:
    again = await sandbox.webhooks.redeliver(delivery_id)
    if again is None:
        raise GitHubError(404, f"no delivery {delivery_id}")
    return _delivery(again)


@router.post("/webhooks/flush")
async def flush_webhooks(sandbox: SandboxDep) -> dict[str, int]:
    return {"delivered": await sandbox.webhooks.flush()}


@router.post("/faults/webhooks")
async def set_webhook_fault(body: WebhookFaultIn, sandbox: SandboxDep) -> dict[str, Any]:
    if body.mode not in MODES:
        raise GitHubError(422, f"mode must be one of {list(MODES)}")
    mode: Mode = body.mode  # type: ignore[assignment]  # checked against MODES just above
    sandbox.webhooks.set_mode(mode, body.count)
    return {"mode": body.mode, "count": body.count}


@router.post("/faults", status_code=201)
async def add_route_fault(body: RouteFaultIn, sandbox: SandboxDep) -> dict[str, Any]:
    if body.status is None and body.latency_seconds == 0:
        raise GitHubError(422, "a fault needs a status, a latency, or both")
    sandbox.faults.add(
        RouteFault(
            method=body.method.upper(),
            path=body.path,
            remaining=body.count,
            status=body.status,
            latency_seconds=body.latency_seconds,
            message=body.message,
            after=body.after,
        )
    )
    return body.model_dump()


@router.delete("/faults", status_code=204)
async def clear_faults(sandbox: SandboxDep) -> None:
    sandbox.faults.reset()
    sandbox.webhooks.set_mode("normal", None)


def _config(sandbox: SandboxDep) -> dict[str, Any]:
    cfg = sandbox.config
    out = {k: v for k, v in asdict(cfg).items() if k != "rate_limits"}
    return {**out, **asdict(cfg.rate_limits)}


@router.get("/config")
async def read_config(sandbox: SandboxDep) -> dict[str, Any]:
    return _config(sandbox)


@router.patch("/config")
async def update_config(body: ConfigIn, sandbox: SandboxDep) -> dict[str, Any]:
    cfg = sandbox.config
    for key, value in body.model_dump(exclude_none=True).items():
        target = cfg.rate_limits if hasattr(cfg.rate_limits, key) else cfg
        setattr(target, key, value)
    return _config(sandbox)


@router.get("/repos/{owner}/{name}")
async def inspect_repo(owner: str, name: str, sandbox: SandboxDep) -> dict[str, Any]:
    """What a test wants to assert on: access, invitations, branches and the files on each."""
    world = sandbox.world
    repo = world.repo(owner, name)
    if repo is None:
        raise GitHubError(404, f"no repository {owner}/{name}")
    branches: dict[str, Any] = {}
    for ref, sha in repo.refs.items():
        if not ref.startswith("refs/heads/"):
            continue
        files = repo.git.files_at(sha)
        branches[ref.removeprefix("refs/heads/")] = {
            "sha": sha,
            "commits": _count_commits(repo.git, sha),
            "files": {path: _text(content) for path, content in sorted(files.items())},
        }
    return {
        "id": repo.id,
        "full_name": f"{world.accounts[repo.owner_id].login}/{repo.name}",
        "private": repo.private,
        "archived": repo.archived,
        "default_branch": repo.default_branch,
        "collaborators": {world.accounts[u].login: p for u, p in repo.collaborators.items()},
        "invitations": [
            {
                "id": i.id,
                "invitee": world.accounts[i.invitee_id].login,
                "permissions": INVITATION_NAMES[i.permission],
            }
            for i in world.invitations.values()
            if i.repo_id == repo.id
        ],
        "branches": branches,
        "protected_branches": sorted(repo.protections),
    }


def _count_commits(git: GitStore, sha: str) -> int:
    count, seen, stack = 0, set[str](), [sha]
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        commit = git.commit(current)
        if commit is not None:
            count += 1
            stack.extend(commit.parents)
    return count


def _text(content: bytes) -> str:
    try:
        return content.decode()
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(content).decode()
