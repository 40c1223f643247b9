"""Repository-level git operations shared by the git data, contents, repos and pulls routes."""

from __future__ import annotations

from worksample.sandbox.auth import Actor
from worksample.sandbox.context import Sandbox
from worksample.sandbox.errors import GitHubError
from worksample.sandbox.gitstore import Blob, Commit, Signature
from worksample.sandbox.pull_events import synchronize_branch
from worksample.sandbox.records import Account, Repo

EMPTY = "Git Repository is empty."


def copy_pending(sandbox: Sandbox, repo: Repo) -> bool:
    """A repository generated from a template answers as empty until its content copy finishes."""
    return repo.copy_ready_at is not None and sandbox.world.now() < repo.copy_ready_at


def require_not_empty(sandbox: Sandbox, repo: Repo) -> None:
    if not repo.refs or copy_pending(sandbox, repo):
        raise GitHubError(409, EMPTY)


def signature_for(account: Account, at: float, given: dict[str, str] | None = None) -> Signature:
    if given and given.get("name") and given.get("email"):
        return Signature(name=given["name"], email=given["email"], date=at)
    return Signature(
        name=account.name or account.login,
        email=f"{account.id}+{account.login}@users.noreply.github.com",
        date=at,
    )


def commit_files(
    sandbox: Sandbox,
    repo: Repo,
    *,
    base_tree: str | None,
    changes: dict[str, bytes | None],
    message: str,
    parents: tuple[str, ...],
    author: Account,
) -> str:
    """Write blobs and trees for ``changes`` (None deletes a path) on top of ``base_tree``; return the
    new commit's sha (refs are not moved)."""
    git = repo.git
    files = {
        path: (e.mode, e.type, e.sha) for path, e in (git.flatten(base_tree) if base_tree else {}).items()
    }
    for path, content in changes.items():
        if content is None:
            files.pop(path, None)
        else:
            files[path] = ("100644", "blob", git.put(Blob(content)))
    tree = git.build_tree(files)
    sig = signature_for(author, sandbox.world.now())
    return git.put(Commit(tree=tree, parents=parents, message=message, author=sig, committer=sig))


async def move_ref(
    sandbox: Sandbox, repo: Repo, ref: str, sha: str, actor: Actor | None, sender: Account
) -> None:
    """Point ``ref`` at ``sha`` and tell open pull requests whose head branch moved (``synchronize``)."""
    before = repo.refs.get(ref)
    repo.refs[ref] = sha
    repo.pushed_at = sandbox.world.now()
    repo.updated_at = repo.pushed_at
    if before is not None and before != sha and ref.startswith("refs/heads/"):
        await synchronize_branch(sandbox, repo, ref.removeprefix("refs/heads/"), before, sha, sender)


def require_push_to_branch(sandbox: Sandbox, repo: Repo, branch: str, actor: Actor | None) -> None:
    """Branch protection that requires reviews blocks people's direct pushes (Apps are exempt here,
    as an App can be on the bypass list; the simulator always lets it through)."""
    protection = repo.protections.get(branch)
    if not protection or actor is None or actor.kind == "installation":
        return
    if protection.get("required_pull_request_reviews"):
        raise GitHubError(422, f"Protected branch update failed for refs/heads/{branch}.")
