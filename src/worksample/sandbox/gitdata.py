"""The Git Database API: blobs, trees (inline ``content``, ``base_tree``), commits and refs.

An empty repository (no ref yet, or a template copy still running) answers 409 "Git Repository is
empty." here, as GitHub does: the first commit has to come through the contents API.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from worksample.sandbox import git_json
from worksample.sandbox.access import actor_account, require_repo
from worksample.sandbox.auth import Actor
from worksample.sandbox.context import ActorDep, Sandbox, SandboxDep
from worksample.sandbox.errors import GitHubError, not_found
from worksample.sandbox.gitops import move_ref, require_not_empty, require_push_to_branch, signature_for
from worksample.sandbox.gitstore import Blob, Commit, Signature
from worksample.sandbox.pagination import PageDep
from worksample.sandbox.records import Repo

router = APIRouter(prefix="/repos/{owner}/{name}/git", tags=["git"])

MODES = ("100644", "100755", "040000", "160000", "120000")


class BlobIn(BaseModel):
    content: str
    encoding: Literal["utf-8", "base64"] = "utf-8"


class TreeEntryIn(BaseModel):
    path: str = Field(min_length=1)
    mode: str
    type: Literal["blob", "tree", "commit"]
    sha: str | None = None
    content: str | None = None


class TreeIn(BaseModel):
    tree: list[TreeEntryIn]
    base_tree: str | None = None


class SignatureIn(BaseModel):
    name: str
    email: str
    date: str | None = None


class CommitIn(BaseModel):
    message: str
    tree: str
    parents: list[str] = Field(default_factory=list)
    author: SignatureIn | None = None
    committer: SignatureIn | None = None


class RefIn(BaseModel):
    ref: str
    sha: str


class RefUpdateIn(BaseModel):
    sha: str
    force: bool = False


def _writable(sandbox: Sandbox, actor: Actor | None, owner: str, name: str) -> Repo:
    repo = require_repo(sandbox.world, actor, owner, name, "push", write=True)
    require_not_empty(sandbox, repo)
    return repo


def _readable(sandbox: Sandbox, actor: Actor | None, owner: str, name: str) -> Repo:
    repo = require_repo(sandbox.world, actor, owner, name)
    require_not_empty(sandbox, repo)
    return repo


def _created(body: dict[str, Any], location: str) -> JSONResponse:
    return JSONResponse(body, status_code=201, headers={"Location": location})


@router.post("/blobs", status_code=201)
async def create_blob(
    owner: str, name: str, body: BlobIn, sandbox: SandboxDep, actor: ActorDep
) -> JSONResponse:
    repo = _writable(sandbox, actor, owner, name)
    try:
        data = (
            base64.b64decode(body.content, validate=False)
            if body.encoding == "base64"
            else body.content.encode()
        )
    except binascii.Error as exc:
        raise GitHubError(422, "content is not valid Base64") from exc
    sha = repo.git.put(Blob(data))
    out = git_json.short_blob(sandbox.world, repo, sha)
    return _created(out, out["url"])


@router.get("/blobs/{sha}")
async def get_blob(owner: str, name: str, sha: str, sandbox: SandboxDep, actor: ActorDep) -> dict[str, Any]:
    repo = _readable(sandbox, actor, owner, name)
    obj = repo.git.blob(sha)
    if obj is None:
        raise not_found()
    return git_json.blob(sandbox.world, repo, sha, obj)


@router.post("/trees", status_code=201)
async def create_tree(
    owner: str, name: str, body: TreeIn, sandbox: SandboxDep, actor: ActorDep
) -> JSONResponse:
    repo = _writable(sandbox, actor, owner, name)
    git = repo.git
    files: dict[str, tuple[str, str, str]] = {}
    if body.base_tree is not None:
        if git.tree(body.base_tree) is None:
            raise GitHubError(422, "base_tree is not a valid tree oid")
        files = {p: (e.mode, e.type, e.sha) for p, e in git.flatten(body.base_tree).items()}
    for entry in body.tree:
        path = entry.path.strip("/")
        if entry.mode not in MODES:
            raise GitHubError(422, f"tree.mode {entry.mode!r} is not one of {list(MODES)}")
        if entry.content is not None and entry.sha is not None:
            raise GitHubError(422, "tree entries take either sha or content, not both")
        if entry.content is not None:
            files[path] = (entry.mode, "blob", git.put(Blob(entry.content.encode())))
            continue
        # A null sha deletes the path (and anything below it).
        for existing in [p for p in files if p == path or p.startswith(path + "/")]:
            del files[existing]
        if entry.sha is None:
            continue
        if entry.type == "tree":
            if git.tree(entry.sha) is None:
                raise GitHubError(422, f"tree.sha {entry.sha} is not a valid tree")
            for sub, e in git.flatten(entry.sha).items():
                files[f"{path}/{sub}"] = (e.mode, e.type, e.sha)
        elif entry.type == "blob" and git.blob(entry.sha) is None:
            raise GitHubError(422, f"tree.sha {entry.sha} is not a valid blob")
        else:
            files[path] = (entry.mode, entry.type, entry.sha)
    sha = git.build_tree(files)
    tree = git.tree(sha)
    assert tree is not None
    out = git_json.tree(sandbox.world, repo, sha, tree)
    return _created(out, out["url"])


@router.get("/trees/{sha}")
async def get_tree(
    owner: str, name: str, sha: str, sandbox: SandboxDep, actor: ActorDep, recursive: str | None = None
) -> dict[str, Any]:
    repo = _readable(sandbox, actor, owner, name)
    tree = repo.git.tree(sha)
    if tree is None:
        commit = repo.git.commit(sha)
        tree = repo.git.tree(commit.tree) if commit else None
        sha = commit.tree if commit else sha
    if tree is None:
        raise not_found()
    return git_json.tree(sandbox.world, repo, sha, tree, recursive=bool(recursive))


def _signature(given: SignatureIn | None, fallback: Signature) -> Signature:
    if given is None:
        return fallback
    return Signature(name=given.name, email=given.email, date=fallback.date)


@router.post("/commits", status_code=201)
async def create_commit(
    owner: str, name: str, body: CommitIn, sandbox: SandboxDep, actor: ActorDep
) -> JSONResponse:
    repo = _writable(sandbox, actor, owner, name)
    assert actor is not None
    git = repo.git
    if git.tree(body.tree) is None:
        raise GitHubError(422, "Tree SHA does not exist")
    for parent in body.parents:
        if git.commit(parent) is None:
            raise GitHubError(422, "Parent SHA does not exist or is not a commit object")
    default = signature_for(actor_account(sandbox.world, actor), sandbox.world.now())
    author = _signature(body.author, default)
    committer = _signature(body.committer, author)
    sha = git.put(
        Commit(
            tree=body.tree,
            parents=tuple(body.parents),
            message=body.message,
            author=author,
            committer=committer,
        )
    )
    commit = git.commit(sha)
    assert commit is not None
    out = git_json.commit(sandbox.world, repo, sha, commit)
    return _created(out, out["url"])


@router.get("/commits/{sha}")
async def get_commit(owner: str, name: str, sha: str, sandbox: SandboxDep, actor: ActorDep) -> dict[str, Any]:
    repo = _readable(sandbox, actor, owner, name)
    commit = repo.git.commit(sha)
    if commit is None:
        raise not_found()
    return git_json.commit(sandbox.world, repo, sha, commit)


@router.get("/ref/{ref:path}")
async def get_ref(owner: str, name: str, ref: str, sandbox: SandboxDep, actor: ActorDep) -> dict[str, Any]:
    repo = _readable(sandbox, actor, owner, name)
    full = f"refs/{ref}"
    if full not in repo.refs:
        raise not_found()
    return git_json.ref(sandbox.world, repo, full, repo.refs[full])


@router.get("/matching-refs/{ref:path}")
async def list_matching_refs(
    page: PageDep, owner: str, name: str, ref: str, sandbox: SandboxDep, actor: ActorDep
) -> list[dict[str, Any]]:
    repo = _readable(sandbox, actor, owner, name)
    prefix = f"refs/{ref}"
    return page.of(
        [
            git_json.ref(sandbox.world, repo, r, s)
            for r, s in sorted(repo.refs.items())
            if r.startswith(prefix)
        ]
    )


@router.post("/refs", status_code=201)
async def create_ref(
    owner: str, name: str, body: RefIn, sandbox: SandboxDep, actor: ActorDep
) -> JSONResponse:
    repo = _writable(sandbox, actor, owner, name)
    assert actor is not None
    if not body.ref.startswith("refs/") or body.ref.count("/") < 2 or body.ref.endswith("/"):
        raise GitHubError(422, "Reference name must start with 'refs/' and have at least two slashes.")
    if body.ref in repo.refs:
        raise GitHubError(422, "Reference already exists")
    if repo.git.commit(body.sha) is None:
        raise GitHubError(422, "Object does not exist")
    await move_ref(sandbox, repo, body.ref, body.sha, actor, actor_account(sandbox.world, actor))
    out = git_json.ref(sandbox.world, repo, body.ref, body.sha)
    return _created(out, out["url"])


@router.patch("/refs/{ref:path}")
async def update_ref(
    owner: str, name: str, ref: str, body: RefUpdateIn, sandbox: SandboxDep, actor: ActorDep
) -> dict[str, Any]:
    repo = _writable(sandbox, actor, owner, name)
    assert actor is not None
    full = f"refs/{ref}"
    current = repo.refs.get(full)
    if current is None:
        raise GitHubError(422, "Reference does not exist")
    if repo.git.commit(body.sha) is None:
        raise GitHubError(422, "Object does not exist")
    if full.startswith("refs/heads/"):
        require_push_to_branch(sandbox, repo, full.removeprefix("refs/heads/"), actor)
    if not body.force and not repo.git.is_ancestor(current, body.sha):
        raise GitHubError(422, "Update is not a fast forward")
    await move_ref(sandbox, repo, full, body.sha, actor, actor_account(sandbox.world, actor))
    return git_json.ref(sandbox.world, repo, full, body.sha)


@router.delete("/refs/{ref:path}", status_code=204)
async def delete_ref(owner: str, name: str, ref: str, sandbox: SandboxDep, actor: ActorDep) -> Response:
    repo = _writable(sandbox, actor, owner, name)
    full = f"refs/{ref}"
    if full not in repo.refs:
        raise GitHubError(422, "Reference does not exist")
    del repo.refs[full]
    return Response(status_code=204)


@router.get("/refs")
@router.get("/refs/")
async def list_refs(
    page: PageDep, owner: str, name: str, sandbox: SandboxDep, actor: ActorDep
) -> list[dict[str, Any]]:
    repo = _readable(sandbox, actor, owner, name)
    return page.of([git_json.ref(sandbox.world, repo, r, s) for r, s in sorted(repo.refs.items())])
