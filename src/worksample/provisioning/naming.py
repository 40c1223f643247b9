"""Repository names and the ownership marker. Pure functions.

The name is ``<artifact>-<candidate login>`` so reviewers recognise it in the organization's
list; a taken name gets ``-2``, ``-3``, ... . The description carries the assignment id, which is
how a re-run tells a repository that a crashed earlier try created (adopt it) from one that
merely has the same name (another assignment of the same candidate: pick the next suffix).
"""

from __future__ import annotations

import re

REPO_NAME_MAX = 100
MARKER = "worksample assignment"
_UNSAFE = re.compile(r"[^a-z0-9._-]+")


def repository_name(artifact_id: str, candidate_login: str, attempt: int = 1) -> str:
    if attempt < 1:
        raise ValueError(f"attempt counts from 1, got {attempt}")
    base = _UNSAFE.sub("-", f"{artifact_id}-{candidate_login}".lower()).strip("-.")
    suffix = "" if attempt == 1 else f"-{attempt}"
    return base[: REPO_NAME_MAX - len(suffix)] + suffix


def repository_description(title: str, assignment_id: str) -> str:
    # GitHub caps descriptions at 350 characters; the marker must survive the cut.
    marker = f"({MARKER} {assignment_id})"
    return f"{title[: 340 - len(marker)]} {marker}"


def is_ours(description: str | None, assignment_id: str) -> bool:
    return description is not None and f"({MARKER} {assignment_id})" in description
