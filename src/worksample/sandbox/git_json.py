"""GitHub's JSON for git objects, refs and file contents."""

from __future__ import annotations

import base64
from typing import Any

from worksample.sandbox.gitstore import Blob, Commit, Tree
from worksample.sandbox.records import Repo
from worksample.sandbox.serializers import api, full_name, html, node_id
from worksample.sandbox.state import World, iso


def _repo_api(world: World, repo: Repo) -> str:
    return api(world, f"/repos/{full_name(world, repo)}")


def short_blob(world: World, repo: Repo, sha: str) -> dict[str, Any]:
    return {"url": f"{_repo_api(world, repo)}/git/blobs/{sha}", "sha": sha}


def blob(world: World, repo: Repo, sha: str, obj: Blob) -> dict[str, Any]:
    return {
        **short_blob(world, repo, sha),
        "node_id": node_id("Blob", int(sha[:8], 16)),
        "size": len(obj.content),
        "content": base64.encodebytes(obj.content).decode(),
        "encoding": "base64",
    }


def tree(world: World, repo: Repo, sha: str, obj: Tree, *, recursive: bool = False) -> dict[str, Any]:
    base = _repo_api(world, repo)
    items: list[dict[str, Any]] = []

    def walk(current: Tree, prefix: str) -> None:
        for entry in current.entries:
            path = prefix + entry.path
            item: dict[str, Any] = {"path": path, "mode": entry.mode, "type": entry.type, "sha": entry.sha}
            if entry.type == "blob":
                content = repo.git.blob(entry.sha)
                item["size"] = len(content.content) if content else 0
                item["url"] = f"{base}/git/blobs/{entry.sha}"
            elif entry.type == "tree":
                item["url"] = f"{base}/git/trees/{entry.sha}"
            items.append(item)
            sub = repo.git.tree(entry.sha) if entry.type == "tree" and recursive else None
            if sub is not None:
                walk(sub, path + "/")

    walk(obj, "")
    return {"sha": sha, "url": f"{base}/git/trees/{sha}", "tree": items, "truncated": False}


def commit(world: World, repo: Repo, sha: str, obj: Commit) -> dict[str, Any]:
    base = _repo_api(world, repo)
    web = html(world, f"/{full_name(world, repo)}")
    return {
        "sha": sha,
        "node_id": node_id("Commit", int(sha[:8], 16)),
        "url": f"{base}/git/commits/{sha}",
        "html_url": f"{web}/commit/{sha}",
        "author": {"name": obj.author.name, "email": obj.author.email, "date": iso(obj.author.date)},
        "committer": {
            "name": obj.committer.name,
            "email": obj.committer.email,
            "date": iso(obj.committer.date),
        },
        "message": obj.message,
        "tree": {"sha": obj.tree, "url": f"{base}/git/trees/{obj.tree}"},
        "parents": [
            {"sha": p, "url": f"{base}/git/commits/{p}", "html_url": f"{web}/commit/{p}"} for p in obj.parents
        ],
        "verification": {
            "verified": False,
            "reason": "unsigned",
            "signature": None,
            "payload": None,
            "verified_at": None,
        },
    }


def ref(world: World, repo: Repo, name: str, sha: str) -> dict[str, Any]:
    base = _repo_api(world, repo)
    return {
        "ref": name,
        "node_id": node_id("Ref", abs(hash((repo.id, name))) % 10**9),
        "url": f"{base}/git/{name}",
        "object": {"sha": sha, "type": "commit", "url": f"{base}/git/commits/{sha}"},
    }


def content_item(
    world: World, repo: Repo, path: str, sha: str, size: int, ref_name: str, kind: str
) -> dict[str, Any]:
    base = _repo_api(world, repo)
    web = html(world, f"/{full_name(world, repo)}")
    self_url = f"{base}/contents/{path}?ref={ref_name}"
    git_url = f"{base}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}"
    html_url = f"{web}/{'blob' if kind == 'file' else 'tree'}/{ref_name}/{path}"
    return {
        "type": kind,
        "size": size,
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "sha": sha,
        "url": self_url,
        "git_url": git_url,
        "html_url": html_url,
        "download_url": f"{web}/raw/{ref_name}/{path}" if kind == "file" else None,
        "_links": {"self": self_url, "git": git_url, "html": html_url},
    }


def content_file(
    world: World, repo: Repo, path: str, sha: str, content: bytes, ref_name: str
) -> dict[str, Any]:
    return {
        **content_item(world, repo, path, sha, len(content), ref_name, "file"),
        "content": base64.encodebytes(content).decode(),
        "encoding": "base64",
    }
