"""What every lifecycle action works with: the assignment, its candidate, its repository on GitHub."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from githubkit import GitHub
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.config import Settings
from worksample.db.models import Assignment, Person
from worksample.lifecycle.schedule import LifecyclePolicy


def policy_from_settings(settings: Settings) -> LifecyclePolicy:
    return LifecyclePolicy(
        reminder_offsets=tuple(
            timedelta(hours=h) for h in sorted(settings.reminder_offsets_hours, reverse=True)
        ),
        reinvite_after=timedelta(hours=settings.reinvite_after_hours),
        max_reinvites=settings.max_reinvites,
        retention=timedelta(days=settings.retention_days),
        archive_after_scored=timedelta(hours=settings.archive_after_scored_hours),
    )


class NotOnGitHub(RuntimeError):
    """The assignment has no repository or its organisation no installation: nothing to act on."""


@dataclass
class Target:
    """One assignment as the lifecycle acts on it. ``gh`` is None when nothing is on GitHub."""

    session: AsyncSession
    assignment: Assignment
    person: Person
    gh: GitHub[Any] | None
    now: datetime
    settings: Settings
    # The effective deadline (fixed, or acceptance + time limit); None when there is none yet.
    deadline: datetime | None = None
    # The firing being acted on (``kind:label@due``), which names the notes it posts.
    firing: str = ""
    # A worker that claimed this firing before died: its note may already be on GitHub.
    taken_over: bool = False

    @property
    def login(self) -> str:
        # The person's current login (a rename after the invitation is followed); a candidate
        # invited by e-mail has none until they sign in with GitHub.
        login = self.person.login or self.assignment.candidate_login
        if not login:
            raise NotOnGitHub(f"the candidate of assignment {self.assignment.id} has no GitHub login yet")
        return login

    def repo(self) -> tuple[GitHub[Any], str, str]:
        full_name = self.assignment.repo_full_name
        if self.gh is None or not full_name:
            raise NotOnGitHub(f"assignment {self.assignment.id} has no repository on GitHub")
        owner, name = full_name.split("/", 1)
        return self.gh, owner, name
