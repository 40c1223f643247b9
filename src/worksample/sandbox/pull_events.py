"""``pull_request`` webhooks, including ``synchronize`` when a head branch moves."""

from __future__ import annotations

from typing import Any

from worksample.sandbox.context import Sandbox
from worksample.sandbox.events import emit_repo_event
from worksample.sandbox.pull_json import pull_request
from worksample.sandbox.records import Account, PullRequest, Repo


async def emit_pull_event(
    sandbox: Sandbox, action: str, pull: PullRequest, sender: Account, **fields: Any
) -> None:
    repo = sandbox.world.repos[pull.repo_id]
    await emit_repo_event(
        sandbox,
        "pull_request",
        action,
        repo,
        sender,
        number=pull.number,
        pull_request=pull_request(sandbox.world, pull),
        **fields,
    )


async def synchronize_branch(
    sandbox: Sandbox, repo: Repo, branch: str, before: str, after: str, sender: Account
) -> None:
    """New commits on a branch: every open pull request from it gets the new head and a ``synchronize``."""
    world = sandbox.world
    for pull in list(world.pulls.values()):
        if pull.repo_id != repo.id or pull.state != "open":
            continue
        if pull.base_ref == branch:
            pull.base_sha = after
        if pull.head_ref != branch:
            continue
        pull.head_sha = after
        pull.updated_at = world.now()
        await emit_pull_event(sandbox, "synchronize", pull, sender, before=before, after=after)
