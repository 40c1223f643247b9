"""Webhook payloads for repository-level events, and who receives them.

A payload carries ``repository``, ``organization`` (for org repositories) and ``sender``; the
``installation`` reference is added per receiving App by ``Webhooks.emit``.
"""

from __future__ import annotations

from typing import Any

from worksample.sandbox.context import Sandbox
from worksample.sandbox.records import Account, Installation, Repo
from worksample.sandbox.serializers import installation, organization, repository, user


def repo_envelope(sandbox: Sandbox, repo: Repo, sender: Account) -> dict[str, Any]:
    world = sandbox.world
    owner = world.accounts[repo.owner_id]
    payload: dict[str, Any] = {"repository": repository(world, repo)}
    if owner.type == "Organization":
        payload["organization"] = organization(world, owner)
    payload["sender"] = user(world, sender)
    return payload


async def emit_repo_event(
    sandbox: Sandbox, event: str, action: str, repo: Repo, sender: Account, **fields: Any
) -> None:
    payload = {"action": action, **fields, **repo_envelope(sandbox, repo, sender)}
    await sandbox.webhooks.emit(event, payload, sandbox.world.installations_for_repo(repo))


def _repo_ref(sandbox: Sandbox, repo: Repo) -> dict[str, Any]:
    full = repository(sandbox.world, repo)
    return {key: full[key] for key in ("id", "node_id", "name", "full_name", "private")}


async def emit_installation_event(
    sandbox: Sandbox, inst: Installation, action: str, sender: Account, repos: list[Repo]
) -> None:
    world = sandbox.world
    payload: dict[str, Any] = {
        "action": action,
        "installation": installation(world, inst),
        "repositories": [_repo_ref(sandbox, r) for r in repos],
        "requester": None,
        "sender": user(world, sender),
    }
    await _emit_to_installation(sandbox, "installation", payload, inst)


async def emit_installation_repositories(
    sandbox: Sandbox, inst: Installation, added: list[Repo], removed: list[Repo], sender: Account
) -> None:
    world = sandbox.world
    payload: dict[str, Any] = {
        "action": "added" if added else "removed",
        "installation": installation(world, inst),
        "repository_selection": inst.repository_selection,
        "repositories_added": [_repo_ref(sandbox, r) for r in added],
        "repositories_removed": [_repo_ref(sandbox, r) for r in removed],
        "requester": None,
        "sender": user(world, sender),
    }
    await _emit_to_installation(sandbox, "installation_repositories", payload, inst)


async def _emit_to_installation(
    sandbox: Sandbox, event: str, payload: dict[str, Any], inst: Installation
) -> None:
    # ``emit`` adds the short ``installation`` reference; these events carry the full object instead.
    full = payload["installation"]
    await sandbox.webhooks.emit(event, payload, [inst], installation_override=full)
