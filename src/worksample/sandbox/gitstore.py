"""Git objects with real SHA-1 ids, so shas behave as they do on GitHub (same content, same sha).

Pure data and functions: no HTTP, no permissions. The routes in ``gitdata.py`` and ``contents.py``
build on these.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Blob:
    content: bytes


@dataclass(frozen=True)
class TreeEntry:
    path: str  # one path segment
    mode: str  # "100644", "100755", "040000", "120000", "160000"
    type: str  # "blob" | "tree" | "commit"
    sha: str


@dataclass(frozen=True)
class Tree:
    entries: tuple[TreeEntry, ...]


@dataclass(frozen=True)
class Signature:
    name: str
    email: str
    date: float


@dataclass(frozen=True)
class Commit:
    tree: str
    parents: tuple[str, ...]
    message: str
    author: Signature
    committer: Signature


GitObject = Blob | Tree | Commit


def _hash(kind: str, payload: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(payload)}\0".encode() + payload, usedforsecurity=False).hexdigest()


def _tree_payload(tree: Tree) -> bytes:
    # Git sorts tree entries by name, with directories compared as if they ended in "/".
    def key(entry: TreeEntry) -> bytes:
        return (entry.path + ("/" if entry.type == "tree" else "")).encode()

    out = b""
    for entry in sorted(tree.entries, key=key):
        mode = entry.mode.lstrip("0") or "0"
        out += f"{mode} {entry.path}\0".encode() + bytes.fromhex(entry.sha)
    return out


def _commit_payload(commit: Commit) -> bytes:
    lines = [f"tree {commit.tree}"]
    lines += [f"parent {p}" for p in commit.parents]
    lines.append(f"author {commit.author.name} <{commit.author.email}> {int(commit.author.date)} +0000")
    lines.append(
        f"committer {commit.committer.name} <{commit.committer.email}> {int(commit.committer.date)} +0000"
    )
    return ("\n".join(lines) + "\n\n" + commit.message).encode()


@dataclass
class GitStore:
    """The object database of one repository."""

    objects: dict[str, GitObject] = field(default_factory=dict)

    def put(self, obj: GitObject) -> str:
        if isinstance(obj, Blob):
            sha = _hash("blob", obj.content)
        elif isinstance(obj, Tree):
            sha = _hash("tree", _tree_payload(obj))
        else:
            sha = _hash("commit", _commit_payload(obj))
        self.objects[sha] = obj
        return sha

    def get(self, sha: str) -> GitObject | None:
        return self.objects.get(sha)

    def blob(self, sha: str) -> Blob | None:
        obj = self.objects.get(sha)
        return obj if isinstance(obj, Blob) else None

    def tree(self, sha: str) -> Tree | None:
        obj = self.objects.get(sha)
        return obj if isinstance(obj, Tree) else None

    def commit(self, sha: str) -> Commit | None:
        obj = self.objects.get(sha)
        return obj if isinstance(obj, Commit) else None

    def flatten(self, tree_sha: str, prefix: str = "") -> dict[str, TreeEntry]:
        """Every blob under a tree, keyed by full path (entries keep their own segment name)."""
        out: dict[str, TreeEntry] = {}
        tree = self.tree(tree_sha)
        if tree is None:
            return out
        for entry in tree.entries:
            full = f"{prefix}{entry.path}"
            if entry.type == "tree":
                out.update(self.flatten(entry.sha, full + "/"))
            else:
                out[full] = entry
        return out

    def build_tree(self, files: dict[str, tuple[str, str, str]]) -> str:
        """Write nested trees for ``{full path: (mode, type, sha)}`` and return the root tree sha."""
        children: dict[str, dict[str, tuple[str, str, str]]] = {}
        entries: list[TreeEntry] = []
        for path, (mode, kind, sha) in files.items():
            head, _, rest = path.partition("/")
            if rest:
                children.setdefault(head, {})[rest] = (mode, kind, sha)
            else:
                entries.append(TreeEntry(path=head, mode=mode, type=kind, sha=sha))
        for name, sub in children.items():
            entries.append(TreeEntry(path=name, mode="040000", type="tree", sha=self.build_tree(sub)))
        return self.put(Tree(entries=tuple(entries)))

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        """True when ``ancestor`` is reachable from ``descendant`` (a fast-forward is allowed)."""
        seen: set[str] = set()
        stack = [descendant]
        while stack:
            sha = stack.pop()
            if sha == ancestor:
                return True
            if sha in seen:
                continue
            seen.add(sha)
            commit = self.commit(sha)
            if commit is not None:
                stack.extend(commit.parents)
        return False

    def files_at(self, commit_sha: str) -> dict[str, bytes]:
        """Path -> content of every file in a commit (for inspection and diffs)."""
        commit = self.commit(commit_sha)
        if commit is None:
            return {}
        out: dict[str, bytes] = {}
        for path, entry in self.flatten(commit.tree).items():
            blob = self.blob(entry.sha)
            if blob is not None:
                out[path] = blob.content
        return out
