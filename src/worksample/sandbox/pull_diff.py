"""Files changed between two commits, as ``GET .../pulls/{n}/files`` lists them."""

from __future__ import annotations

from typing import Any

from worksample.sandbox.records import Repo


def _lines(content: bytes) -> list[str]:
    return content.decode(errors="replace").splitlines()


def diff_entries(repo: Repo, base_sha: str, head_sha: str) -> list[dict[str, Any]]:
    """Per-file status and line counts (a whole-file line comparison, not a minimal diff)."""
    before, after = repo.git.files_at(base_sha), repo.git.files_at(head_sha)
    out = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        old_lines, new_lines = _lines(old or b""), _lines(new or b"")
        removed = [line for line in old_lines if line not in new_lines]
        added = [line for line in new_lines if line not in old_lines]
        status = "added" if old is None else "removed" if new is None else "modified"
        side = head_sha if new is not None else base_sha
        commit = repo.git.commit(side)
        entry = repo.git.flatten(commit.tree).get(path) if commit else None
        out.append(
            {
                "filename": path,
                "status": status,
                "additions": len(added),
                "deletions": len(removed),
                "changes": len(added) + len(removed),
                "sha": entry.sha if entry else "",
                "patch": "\n".join([f"-{line}" for line in removed] + [f"+{line}" for line in added]),
            }
        )
    return out
