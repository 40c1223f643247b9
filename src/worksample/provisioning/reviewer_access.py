"""Reviewers who already read every repository of the organization need no grant.

On GitHub an organization member reads every repository of the organization through its base
permission (``read`` is the default of a new organization), an owner administers them all, and an
organization role can give "all-repository read" to people or teams. Such a reviewer needs no
``PUT /collaborators`` per candidate repository: that is one call, and one write against the
secondary limits, saved per reviewer per assignment.

Whether a reviewer is one of them is learned from GitHub's own answer rather than reasoned from
the organization's settings: the base permission is among the details of ``GET /orgs/{org}`` that
GitHub documents as shown to organization owners, and roles and teams would need more calls still.
The reviewer's effective permission on a repository we have just created, and on which nobody has
been granted anything yet, can only come from the organization: so it is read once
(``GET /collaborators/{login}/permission``, metadata read) and remembered per installation and
login for ``ACCESS_TTL_SECONDS``. A reviewer without that access is granted read as before, and
remembered too, so later assignments go straight to the grant.

The memory is per worker process: each process asks once per reviewer per hour, a few calls a day
against hundreds saved. The hour bounds how long a change on GitHub goes unnoticed: a reviewer who
leaves the organization, or a base permission lowered to ``none``, stops being skipped within it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from githubkit import GitHub

from worksample.provisioning import github_calls as calls
from worksample.provisioning.login_memo import LoginMemo

ACCESS_TTL_SECONDS = 3600.0
# GitHub's legacy permission names that include reading the repository.
READS = frozenset({"read", "write", "admin"})


@dataclass(frozen=True)
class OrgAccess:
    """What GitHub said about one reviewer in one organization."""

    # Reads every repository of the organization without a grant of ours.
    org_wide: bool
    # The reviewer's numeric id, when GitHub's answer carried it.
    github_id: int | None


class ReviewerAccessCache(LoginMemo[OrgAccess]):
    """Remembers ``OrgAccess`` per (installation, login) for ``ACCESS_TTL_SECONDS``."""

    def __init__(self, ttl: float = ACCESS_TTL_SECONDS, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(ttl, clock)


async def org_access(
    gh: GitHub[Any],
    cache: ReviewerAccessCache,
    installation_id: int,
    repo: tuple[str, str],
    login: str,
    *,
    may_learn: bool,
) -> OrgAccess | None:
    """What is known of ``login``'s organization-wide access; None when unknown (grant to be safe).

    ``repo`` is (owner, name) of the candidate's repository, where GitHub is asked.

    ``may_learn`` only for a repository this run created and granted nobody anything on yet: on
    one a crashed run may already have granted, the reviewer's read access could be our own grant.
    """
    if not may_learn:
        return cache.get(installation_id, login)

    async def learn() -> OrgAccess:
        access = await calls.user_access(gh, *repo, login)
        return OrgAccess(org_wide=access.permission in READS, github_id=access.user_id)

    return await cache.recall(installation_id, login, learn)
