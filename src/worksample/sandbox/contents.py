"""The contents API: read a file or directory at a ref, create or update one file in one commit.

Unlike the git data routes, PUT works on an empty repository and makes its first commit, as GitHub does.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from worksample.sandbox import git_json
from worksample.sandbox.access import actor_account, require_repo
from worksample.sandbox.context import ActorDep, Sandbox, SandboxDep
from worksample.sandbox.errors import GitHubError, not_found
from worksample.sandbox.gitops import commit_files, copy_pending, move_ref, require_push_to_branch
from worksample.sandbox.records import Repo

router = APIRouter(prefix="/repos/{owner}/{name}/contents", tags=["contents"])


class PutFileIn(BaseModel):
    message: str
    content: str
    sha: str | None = None
    branch: str | None = None


def _resolve(repo: Repo, ref: str) -> str | None:
    """A branch, tag or commit sha -> commit sha."""
    for candidate in (f"refs/heads/{ref}", f"refs/tags/{ref}", ref):
        if candidate in repo.refs:
            return repo.refs[candidate]
    return ref if repo.git.commit(ref) is not None else None


def _read(sandbox: Sandbox, repo: Repo, path: str, ref: str | None) -> Any:
    world = sandbox.world
    if not repo.refs or copy_pending(sandbox, repo):
        raise GitHubError(404, "This repository is empty.")
    ref_name = ref or repo.default_branch
    sha = _resolve(repo, ref_name)
    if sha is None:
        raise GitHubError(404, f"No commit found for the ref {ref_name}")
    commit = repo.git.commit(sha)
    assert commit is not None
    path = path.strip("/")
    tree_sha: str | None = commit.tree
    if path:
        entries = repo.git.flatten(commit.tree)
        if path in entries:
            entry = entries[path]
            blob = repo.git.blob(entry.sha)
            assert blob is not None
            return git_json.content_file(world, repo, path, entry.sha, blob.content, ref_name)
        tree_sha = _subtree(repo, commit.tree, path)
        if tree_sha is None:
            raise not_found()
    tree = repo.git.tree(tree_sha) if tree_sha else None
    assert tree is not None
    items = []
    for entry in sorted(tree.entries, key=lambda e: e.path):
        full = f"{path}/{entry.path}" if path else entry.path
        size = len(b.content) if (b := repo.git.blob(entry.sha)) else 0
        kind = "dir" if entry.type == "tree" else "file"
        items.append(git_json.content_item(world, repo, full, entry.sha, size, ref_name, kind))
    return items


def _subtree(repo: Repo, root: str, path: str) -> str | None:
    current = root
    for segment in path.split("/"):
        tree = repo.git.tree(current)
        match = (
            next((e for e in tree.entries if e.path == segment and e.type == "tree"), None) if tree else None
        )
        if match is None:
            return None
        current = match.sha
    return current


@router.get("")
@router.get("/")
async def get_root(
    owner: str, name: str, sandbox: SandboxDep, actor: ActorDep, ref: str | None = None
) -> Any:
    return _read(sandbox, require_repo(sandbox.world, actor, owner, name), "", ref)


def _answer(request: Request, found: Any) -> Any:
    """JSON by default; the file's bytes for the raw media type (``application/vnd.github[.v3].raw``)."""
    if isinstance(found, dict) and ".raw" in request.headers.get("accept", ""):
        return Response(
            base64.b64decode(found["content"]),
            media_type="application/vnd.github.v3.raw; charset=utf-8",
            headers={"x-github-media-type": "github.v3; param=raw"},
        )
    return found


@router.get("/{path:path}")
async def get_content(
    owner: str,
    name: str,
    path: str,
    request: Request,
    sandbox: SandboxDep,
    actor: ActorDep,
    ref: str | None = None,
) -> Any:
    return _answer(request, _read(sandbox, require_repo(sandbox.world, actor, owner, name), path, ref))


@router.put("/{path:path}")
async def put_file(
    owner: str, name: str, path: str, body: PutFileIn, sandbox: SandboxDep, actor: ActorDep
) -> JSONResponse:
    world = sandbox.world
    repo = require_repo(world, actor, owner, name, "push", write=True)
    assert actor is not None
    path = path.strip("/")
    if not path:
        raise GitHubError(422, "path cannot be empty")
    try:
        content = base64.b64decode(body.content, validate=True)
    except binascii.Error as exc:
        raise GitHubError(422, "content is not valid Base64") from exc
    if copy_pending(sandbox, repo):
        raise GitHubError(409, "Git Repository is empty.")
    branch = body.branch or repo.default_branch
    ref = f"refs/heads/{branch}"
    head = repo.refs.get(ref)
    if head is None and repo.refs:
        raise GitHubError(404, f"Branch {branch} not found")
    require_push_to_branch(sandbox, repo, branch, actor)
    base_tree = None
    existing_sha = None
    if head is not None:
        commit = repo.git.commit(head)
        assert commit is not None
        base_tree = commit.tree
        entry = repo.git.flatten(commit.tree).get(path)
        existing_sha = entry.sha if entry else None
    if existing_sha is not None and body.sha is None:
        raise GitHubError(422, 'Invalid request.\n\n"sha" wasn\'t supplied.')
    if body.sha is not None and body.sha != existing_sha:
        raise GitHubError(409, f"{path} does not match {body.sha}")
    sender = actor_account(world, actor)
    sha = commit_files(
        sandbox,
        repo,
        base_tree=base_tree,
        changes={path: content},
        message=body.message,
        parents=(head,) if head else (),
        author=sender,
    )
    await move_ref(sandbox, repo, ref, sha, actor, sender)
    commit = repo.git.commit(sha)
    assert commit is not None
    blob_sha = repo.git.flatten(commit.tree)[path].sha
    out = {
        "content": git_json.content_item(world, repo, path, blob_sha, len(content), branch, "file"),
        "commit": git_json.commit(world, repo, sha, commit),
    }
    return JSONResponse(out, status_code=200 if existing_sha else 201)
