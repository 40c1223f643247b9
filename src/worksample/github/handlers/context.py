"""What every webhook handler receives besides the event, and the steps handlers share.

A handler about an assignment's repository starts the same way each time::

    assignment = await context.locked_assignment(event)      # or, to call GitHub too:
    target = await context.assignment_repo(event)            # .assignment, .owner, .name, .gh
    if target is None:
        return NOT_OURS

and a handler that learns of the candidate's pull request records and routes it with
:meth:`HandlerContext.record_and_route`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypedDict

from githubkit import GitHub
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.artifacts.catalog import Catalog
from worksample.db.models import Assignment, Submission
from worksample.db.timeline import StaleAssignment
from worksample.github.client import GitHubApp
from worksample.github.payload import int_field, str_field
from worksample.github.routing import WebhookEvent
from worksample.review.assignments import lock_assignment_for_repo
from worksample.review.github_calls import AppIdentity
from worksample.review.routing import needs_routing, record_routing, route_on_github
from worksample.review.submission import fetch_and_record

# The note of every handler for a repository that is not an assignment's.
NOT_OURS = "ignored: not an assignment repository"


class RouteArgs(TypedDict):
    owner: str
    repo: str
    catalog: Catalog
    public_url: str
    app: AppIdentity


@dataclass(frozen=True)
class AssignmentRepo:
    """The assignment an event is about, locked for the job's transaction, and its repository."""

    assignment: Assignment
    owner: str
    name: str
    # The installation's client, acting as the App on this repository.
    gh: GitHub[Any]


@dataclass
class HandlerContext:
    # The job's transaction: handlers flush, the job commits once every handler has run.
    session: AsyncSession
    github: GitHubApp
    catalog: Catalog
    # Where reviewers find the reviewer guide (``{public_url}/review/{assignment_id}``).
    public_url: str
    # The App's bot login is ``<slug>[bot]``; the App's id alone identifies it too.
    app_slug: str | None = None
    # arq's try number: above 1, an earlier try may have written to GitHub and then not committed,
    # so a write that must happen once first looks for what that try left.
    job_try: int = 1

    @property
    def app(self) -> AppIdentity:
        return AppIdentity(self.github.app_id, self.app_slug)

    @property
    def retrying(self) -> bool:
        return self.job_try > 1

    def installation_client(self, event: WebhookEvent) -> GitHub[Any]:
        installation_id = int_field(event.data, "installation", "id")
        if installation_id is None:
            raise ValueError(f"{event.event} delivery {event.delivery_id} names no installation")
        return self.github.installation(installation_id)

    async def locked_assignment(self, event: WebhookEvent) -> Assignment | None:
        """The assignment whose repository the event is about, row-locked; None when not ours."""
        return await lock_assignment_for_repo(self.session, int_field(event.data, "repository", "id"))

    async def assignment_repo(self, event: WebhookEvent) -> AssignmentRepo | None:
        """:meth:`locked_assignment`, with the repository's owner and name and a client for it."""
        assignment = await self.locked_assignment(event)
        if assignment is None:
            return None
        full_name = str_field(event.data, "repository", "full_name") or ""
        owner, _, name = full_name.partition("/")
        if not owner or not name:
            raise ValueError(f"{event.event} delivery {event.delivery_id} without repository.full_name")
        return AssignmentRepo(assignment, owner, name, self.installation_client(event))

    def _route(self, target: AssignmentRepo) -> RouteArgs:
        return {
            "owner": target.owner,
            "repo": target.name,
            "catalog": self.catalog,
            "public_url": self.public_url,
            "app": self.app,
        }

    async def record_and_route(
        self, target: AssignmentRepo, number: int, *, action: str | None
    ) -> tuple[Submission | None, list[str]]:
        """Record pull request ``number`` as GitHub shows it now; while the submission is open,
        request its reviews and post the scorecard (each done once). Returns the submission (None
        when that PR is not, or not yet, the submission) and notes of what happened."""
        session, assignment = self.session, target.assignment
        submission, note = await fetch_and_record(
            session, target.gh, assignment, target.owner, target.name, number, action=action
        )
        if submission is None or submission.state != "open" or not needs_routing(submission):
            return submission, [note]
        if session.get_bind().dialect.name != "sqlite":
            # PostgreSQL locks this assignment's row only: hold it while routing calls GitHub.
            done = await route_on_github(target.gh, assignment, submission, **self._route(target))
            return submission, [note, *await record_routing(session, assignment, submission, done)]
        # SQLite's write lock is the whole database's: the review requests and the scorecard are
        # paced writes (a second or more each), and every other writer (the API, the webhook
        # intake) would wait on them, up to its busy timeout. So the submission is committed, the
        # writes are made with no lock held, and their record is written under a fresh lock, as
        # the submission then stands (a job that routed meanwhile keeps its record). A crash in
        # between leaves the delivery unprocessed: its retry routes again, finding the scorecard.
        await session.commit()
        done = await route_on_github(target.gh, assignment, submission, **self._route(target))
        relocked = await lock_assignment_for_repo(session, assignment.repo_id)
        current = await session.get(Submission, assignment.id, populate_existing=True)
        if relocked is None or current is None:
            raise StaleAssignment(f"assignment {assignment.id} changed repository while routing")
        return current, [note, *await record_routing(session, relocked, current, done)]
