"""Who may read or write a repository, decided afresh on every request.

Because nothing is cached, a permission change (push -> pull) takes effect on the caller's next write,
as on GitHub.
"""

from __future__ import annotations

from worksample.sandbox.auth import Actor
from worksample.sandbox.errors import GitHubError, not_found
from worksample.sandbox.records import PERMISSIONS, Account, Repo, permission_rank
from worksample.sandbox.state import World


def user_permission(world: World, user: Account, repo: Repo) -> str | None:
    """The user's effective permission: the best of ownership, org role and direct collaboration."""
    if repo.owner_id == user.id:
        return "admin"
    candidates = [repo.collaborators.get(user.id)]
    owner = world.accounts[repo.owner_id]
    if owner.type == "Organization":
        if user.id in owner.admins:
            candidates.append("admin")
        elif user.id in owner.members:
            candidates.append(owner.default_permission)
    best = max(candidates, key=permission_rank)
    return best if permission_rank(best) >= 0 else None


def actor_permission(world: World, actor: Actor | None, repo: Repo) -> str | None:
    if actor is None or actor.kind == "app":
        return "pull" if not repo.private else None
    if actor.kind == "installation":
        assert actor.installation is not None
        inst = actor.installation
        covered = inst.account_id == repo.owner_id and (
            inst.repository_selection == "all" or repo.id in inst.selected_repo_ids
        )
        return "admin" if covered else ("pull" if not repo.private else None)
    assert actor.user is not None
    permission = user_permission(world, actor.user, repo)
    if permission is None and not repo.private:
        return "pull"
    return permission


def moved_permanently(world: World, repo: Repo) -> GitHubError:
    """GitHub's answer for a renamed repository's old name; the error handler turns 301 into 307
    for methods other than GET/HEAD, as GitHub does."""
    url = world.config.html_base + f"/repositories/{repo.id}"
    error = GitHubError(301, "Moved Permanently", headers={"Location": url})
    error.extra = {"url": url}
    return error


def forbidden(actor: Actor | None) -> GitHubError:
    who = "integration" if actor is not None and actor.kind == "installation" else "personal access token"
    return GitHubError(403, f"Resource not accessible by {who}")


def require_repo(
    world: World, actor: Actor | None, owner: str, name: str, need: str = "pull", *, write: bool = False
) -> Repo:
    """The repository, or GitHub's answer: 404 without read access (private repos stay hidden),
    403 when the access is too weak, 403 for writes to an archived repository."""
    assert need in PERMISSIONS
    repo = world.repo(owner, name)
    if repo is None:
        moved = world.renamed_repo(owner, name)
        if moved is not None and actor_permission(world, actor, moved) is not None:
            raise moved_permanently(world, moved)
        raise not_found()
    have = actor_permission(world, actor, repo)
    if have is None:
        raise not_found()
    if permission_rank(have) < permission_rank(need):
        if actor is None:
            raise GitHubError(401, "Requires authentication")
        raise forbidden(actor)
    if write and repo.archived:
        raise GitHubError(403, "Repository was archived so is read-only.")
    return repo


def actor_account(world: World, actor: Actor) -> Account:
    """The account shown as ``sender``/``user``: the App's bot user for installations."""
    if actor.user is not None:
        return actor.user
    app = actor.app
    if app is None and actor.installation is not None:
        app = world.apps[actor.installation.app_id]
    assert app is not None
    bot = world.account(f"{app.slug}[bot]")
    assert bot is not None, "every App gets its bot account when it is registered"
    return bot
