"""Turning a valid ``POST /v1/assignments`` body into stored rows.

The order matters for "nothing half-made": every check that can refuse the request (catalog,
deadline, GitHub) runs before anything is written, and the writes happen in one transaction that
the route commits.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import datetime, timedelta

from githubkit.exception import GitHubException
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.api.errors import ApiError, validation_error
from worksample.api.github_users import GitHubUser, UnknownGitHubUser, lookup_user
from worksample.api.schemas import AssignmentCreate, CandidateIn
from worksample.artifacts.catalog import Catalog
from worksample.artifacts.errors import UnknownArtifact, VariableError
from worksample.artifacts.values import validate_values
from worksample.assignments import AssignmentStatus
from worksample.assignments.state import created_entry
from worksample.db.models import Assignment, AssignmentReviewer, Organization, Person
from worksample.db.timeline import event_from_entry
from worksample.github.client import GitHubApp, InstallationNotFound
from worksample.outbox.store import emit_created
from worksample.provisioning.login_memo import LoginMemo
from worksample.review.policy import organization_policy

log = logging.getLogger(__name__)

# A deadline further out than this is almost certainly a typo (a year instead of a month).
MAX_DEADLINE_AHEAD = timedelta(days=365)
# What a client is told to wait after GitHub failed us; GitHub's own short outages and rate-limit
# windows are usually over by then.
GITHUB_RETRY_AFTER_SECONDS = 30


@dataclass(frozen=True)
class Checked:
    variables: dict[str, str | int]
    deadline_at: datetime | None
    time_limit_hours: int | None


def check_request(body: AssignmentCreate, catalog: Catalog, *, now: datetime) -> Checked:
    """Checks across fields, against the catalog and the clock, all at once so one 422 lists every
    problem (the shape of each field was checked by the schema already)."""
    errors: dict[str, str] = {}
    candidate = body.candidate.login.lower() if body.candidate.login else None
    for index, reviewer in enumerate(body.reviewers):
        if reviewer.login.lower() == candidate:
            errors[f"body.reviewers.{index}.login"] = "the candidate cannot also be a reviewer"
    if body.deadline is not None and body.time_limit_hours is not None:
        errors["body.time_limit_hours"] = "give either deadline or time_limit_hours, not both"
    variables: dict[str, str | int] = {}
    time_limit = body.time_limit_hours
    try:
        artifact = catalog.get(body.artifact_id)
    except UnknownArtifact as exc:
        errors["body.artifact_id"] = str(exc)
    else:
        try:
            variables = validate_values(artifact, body.variables)
        except VariableError as exc:
            errors.update({f"body.variables.{name}": why for name, why in exc.errors.items()})
        if body.deadline is None and time_limit is None:
            time_limit = artifact.manifest.time_limit_hours
    if body.deadline is not None:
        if body.deadline <= now:
            errors["body.deadline"] = "must be in the future"
        elif body.deadline - now > MAX_DEADLINE_AHEAD:
            errors["body.deadline"] = f"must be within {MAX_DEADLINE_AHEAD.days} days"
    if errors:
        raise validation_error(errors)
    return Checked(variables=variables, deadline_at=body.deadline, time_limit_hours=time_limit)


async def _installation_id(session: AsyncSession, org: Organization, github: GitHubApp) -> int:
    if org.installation_id is not None:
        return org.installation_id
    try:
        installation_id, account_id = await github.find_installation(org.login)
    except InstallationNotFound:
        raise ApiError(
            409,
            "app_not_installed",
            f"the GitHub App is not installed on the organization {org.login!r}; install it first",
        ) from None
    org.installation_id = installation_id
    org.github_id = org.github_id or account_id
    return installation_id


@dataclass(frozen=True)
class CheckedPeople:
    # GitHub's answer about the candidate; None without a login or without a GitHub App (sandbox).
    candidate: GitHubUser | None


async def check_people(
    session: AsyncSession,
    org: Organization,
    github: GitHubApp | None,
    body: AssignmentCreate,
    known_reviewers: LoginMemo[GitHubUser],
) -> CheckedPeople:
    """Ask GitHub whether the candidate and every reviewer exist, as users; one 422 names every
    login that is not one. Nothing is asked when no GitHub App is configured (sandbox).

    A mistyped reviewer would otherwise only show when provisioning grants them access, after the
    repository exists. Reviewers are the hiring team, the same few people on every assignment: an
    answer about one is kept in ``known_reviewers`` (per process, an hour), so checking them costs
    a call per reviewer per hour instead of one per reviewer per assignment. Only existing users
    are kept, so a corrected typo is asked again at once.
    """
    if github is None:
        return CheckedPeople(candidate=None)
    try:
        installation_id = await _installation_id(session, org, github)
    except GitHubException as exc:
        raise _github_unavailable(org, exc) from None
    client = github.installation(installation_id)

    def is_user(user: GitHubUser) -> bool:
        return user.type == "User"

    async def reviewer(login: str) -> GitHubUser:
        return await known_reviewers.recall(
            installation_id, login, lambda: lookup_user(client, login), keep=is_user
        )

    # The candidate is new with every assignment: always asked, never kept.
    lookups: dict[str, Awaitable[GitHubUser]] = {}
    if body.candidate.login is not None:
        lookups["body.candidate.login"] = lookup_user(client, body.candidate.login)
    for index, person in enumerate(body.reviewers):
        lookups[f"body.reviewers.{index}.login"] = reviewer(person.login)
    # At once rather than one after the other: the request waits for the slowest answer only.
    answers = await asyncio.gather(*lookups.values(), return_exceptions=True)
    errors: dict[str, str] = {}
    users: dict[str, GitHubUser] = {}
    for field, answer in zip(lookups, answers, strict=True):
        if isinstance(answer, UnknownGitHubUser):
            errors[field] = str(answer)
        elif isinstance(answer, GitHubException):
            raise _github_unavailable(org, answer) from None
        elif isinstance(answer, BaseException):
            raise answer
        elif not is_user(answer):
            errors[field] = f"{answer.login!r} is a GitHub {answer.type}, not a user"
        else:
            users[field] = answer
    if errors:
        raise validation_error(errors)
    return CheckedPeople(candidate=users.get("body.candidate.login"))


def _github_unavailable(org: Organization, exc: GitHubException) -> ApiError:
    log.warning("api.github_unavailable org=%s error=%r", org.login, exc)
    return ApiError(
        503,
        "github_unavailable",
        "GitHub did not answer as expected; nothing was created, retry later",
        headers={"Retry-After": str(GITHUB_RETRY_AFTER_SECONDS)},
    )


async def _find_person(
    session: AsyncSession, org: Organization, login: str, github_id: int | None
) -> Person | None:
    if github_id is not None:
        known = (
            await session.scalars(
                select(Person).where(Person.organization_id == org.id, Person.github_id == github_id)
            )
        ).one_or_none()
        if known is not None:
            return known
    # Someone we only know by login so far (GitHub was not asked when we first met them).
    query = (
        select(Person)
        .where(
            Person.organization_id == org.id,
            Person.github_id.is_(None),
            func.lower(Person.login) == login.lower(),
        )
        .order_by(Person.id)
        .limit(1)
    )
    return (await session.scalars(query)).one_or_none()


async def upsert_candidate(
    session: AsyncSession, org: Organization, candidate: CandidateIn, user: GitHubUser | None
) -> Person:
    login = user.login if user else candidate.login
    github_id = user.id if user else None
    # Without a login (invited by e-mail) there is nobody to match yet: the sign-in merges later.
    person = await _find_person(session, org, login, github_id) if login is not None else None
    if person is None:
        person = Person(organization_id=org.id, login=login, github_id=github_id)
        session.add(person)
    else:
        # GitHub's answer is the truth about the login (a renamed account keeps its id).
        person.login = login
        person.github_id = person.github_id or github_id
    if candidate.name is not None:
        person.name = candidate.name
    if candidate.email is not None:
        person.email = candidate.email
    await session.flush()
    return person


async def insert_assignment(
    session: AsyncSession,
    org: Organization,
    body: AssignmentCreate,
    checked: Checked,
    person: Person,
    *,
    now: datetime,
) -> Assignment:
    assignment = Assignment(
        organization_id=org.id,
        candidate_id=person.id,
        candidate_login=person.login,
        artifact_id=body.artifact_id,
        variables=checked.variables,
        deadline_at=checked.deadline_at,
        time_limit_hours=checked.time_limit_hours,
        external_ids=dict(body.external_ids),
        status=AssignmentStatus.REQUESTED.value,
        version=1,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(assignment)
    await session.flush()
    policy = organization_policy(org.scoring_policy)
    for position, reviewer in enumerate(body.reviewers):
        session.add(
            AssignmentReviewer(
                assignment_id=assignment.id,
                login=reviewer.login,
                role=reviewer.role.value,
                # Stored explicitly, so a later change of policy does not re-weigh running assignments.
                weight=reviewer.weight
                if reviewer.weight is not None
                else policy.weight_for(reviewer.role.value),
                position=position,
            )
        )
    entry = created_entry(at=now, detail={"artifact_id": body.artifact_id})
    session.add(event_from_entry(assignment.id, entry))
    await session.flush()
    # assignment.created for the ATS, committed with the assignment itself (outbox).
    await emit_created(session, assignment, at=now)
    return assignment
