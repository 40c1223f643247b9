"""Removing one candidate's personal data from the rows that are theirs.

The rows are reached from the person's own assignments (a person belongs to one organisation),
never found by searching the database: the assignment itself, its timeline, the ATS events about
it and their delivery records, its submission and reviews, its e-mailed invitation links,
Greenhouse's reports about it, its timers' outcomes, and GitHub's webhook bodies about its
repository (by the repository's id). Another organisation's rows are never read, even when the
same GitHub user is a candidate there too, and every query goes through an indexed key in pages,
so the cost grows with the person's data, not with the database.

Within those rows only the columns in ``PLACES`` are rewritten (with ``personal.Eraser``);
identifiers and enumerations (status, role, state, kind, type) never are. ``KEPT`` says why
every other text column is left alone, and a test checks that each column of the schema is in
one or the other, so a column added later is decided on rather than forgotten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import Select, inspect, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from worksample.db.models import (
    Assignment,
    AssignmentEvent,
    Base,
    CandidateInvitation,
    GitHubDelivery,
    GreenhouseResponseError,
    GreenhouseTest,
    IdempotencyRecord,
    InstallationRepository,
    LifecycleFiring,
    OutboxAttempt,
    OutboxDelivery,
    OutboxEvent,
    ReviewRow,
    Submission,
)
from worksample.lifecycle.personal import Eraser, Holds

# Rows read per query: a webhook body can be large, and a busy repository has many.
PAGE = 50

Format = Literal["text", "json", "json_text", "json_bytes"]


@dataclass(frozen=True)
class Scope:
    """Whose rows: the person's assignments, and the GitHub ids of those assignments' repositories."""

    assignment_ids: tuple[str, ...]
    repository_ids: tuple[int, ...]


@dataclass(frozen=True)
class Col:
    name: str
    # "json_text" / "json_bytes": JSON stored as text or bytes (webhook bodies, ATS events).
    format: Format = "text"
    # The column holds a login: the person's login as its whole value is the person.
    holds: Holds | None = None


@dataclass(frozen=True)
class Place:
    model: type[Base]
    columns: tuple[Col, ...]
    rows: Callable[[Scope], ColumnElement[bool]]


def _events_of(s: Scope) -> Select[str]:
    return select(OutboxEvent.id).where(OutboxEvent.assignment_id.in_(s.assignment_ids))


def _deliveries_of(s: Scope) -> Select[int]:
    return select(OutboxDelivery.id).where(OutboxDelivery.event_id.in_(_events_of(s)))


PLACES: tuple[Place, ...] = (
    Place(
        Assignment,
        (
            Col("candidate_login", holds="login"),
            Col("failure_reason"),
            Col("lock_failure"),
            Col("variables", "json"),
            Col("repo_name"),
            Col("repo_full_name"),
            Col("repo_html_url"),
            Col("pr_url"),
        ),
        lambda s: Assignment.id.in_(s.assignment_ids),
    ),
    Place(
        AssignmentEvent,
        (Col("detail", "json"),),
        lambda s: AssignmentEvent.assignment_id.in_(s.assignment_ids),
    ),
    Place(
        IdempotencyRecord,
        (Col("response_body", "json"),),
        lambda s: IdempotencyRecord.assignment_id.in_(s.assignment_ids),
    ),
    Place(
        Submission,
        (Col("pr_url"), Col("scoring", "json"), Col("scored_event", "json")),
        lambda s: Submission.assignment_id.in_(s.assignment_ids),
    ),
    Place(
        ReviewRow,
        # The candidate's own review of their pull request is recorded (and ignored) too.
        (Col("reviewer_login", holds="login"), Col("body"), Col("html_url"), Col("ignored")),
        lambda s: ReviewRow.assignment_id.in_(s.assignment_ids),
    ),
    Place(
        OutboxEvent, (Col("body", "json_bytes"),), lambda s: OutboxEvent.assignment_id.in_(s.assignment_ids)
    ),
    Place(OutboxDelivery, (Col("last_error"),), lambda s: OutboxDelivery.event_id.in_(_events_of(s))),
    Place(
        OutboxAttempt,
        # A receiver's answer may echo the event it was sent.
        (Col("response_body"), Col("error")),
        lambda s: OutboxAttempt.delivery_id.in_(_deliveries_of(s)),
    ),
    Place(
        CandidateInvitation,
        (Col("email"), Col("send_error")),
        lambda s: CandidateInvitation.assignment_id.in_(s.assignment_ids),
    ),
    Place(
        GreenhouseTest,
        (Col("greenhouse_profile_url"), Col("completion_last_error")),
        lambda s: GreenhouseTest.assignment_id.in_(s.assignment_ids),
    ),
    Place(
        GreenhouseResponseError,
        (Col("errors", "json"), Col("payload", "json")),
        lambda s: GreenhouseResponseError.assignment_id.in_(s.assignment_ids),
    ),
    Place(LifecycleFiring, (Col("outcome"),), lambda s: LifecycleFiring.assignment_id.in_(s.assignment_ids)),
    Place(
        GitHubDelivery,
        (Col("body", "json_text"), Col("outcome"), Col("last_error")),
        lambda s: GitHubDelivery.repository_id.in_(s.repository_ids),
    ),
    Place(
        InstallationRepository,
        (Col("full_name"),),
        lambda s: InstallationRepository.id.in_(s.repository_ids),
    ),
)

_ENUM = "an enumeration or a name of ours: never rewritten"
_ID = "an identifier, hash, token or commit id: holds no personal data"
_TENANT = "the organisation's own data (its staff, its ATS, its keys), not a candidate's"

# Text columns the scrub leaves alone, and why ("table.*": the whole table).
KEPT: dict[str, str] = {
    "people.*": "the person themself: cleared outright by erase.scrub_person",
    "assignment_reviewers.*": "the reviewers, who stay: their logins and roles",
    "erasure_requests.*": "the audit record of an erasure holds no personal data by design",
    "organizations.*": _TENANT,
    "installations.*": _TENANT,
    "api_keys.*": _TENANT,
    "web_role_grants.*": _TENANT,
    "webhook_endpoints.*": _TENANT,
    "assignments.id": _ID,
    "assignments.artifact_id": _ENUM,
    "assignments.external_ids": "the ATS's own ids for the application, which it erases itself",
    "assignments.status": _ENUM,
    "assignments.content_commit_sha": _ID,
    "assignments.pr_head_sha": _ID,
    "assignments.deadline_sha": _ID,
    "assignment_events.assignment_id": _ID,
    "assignment_events.kind": _ENUM,
    "assignment_events.from_status": _ENUM,
    "assignment_events.to_status": _ENUM,
    "idempotency_records.key": _ID,
    "idempotency_records.endpoint": _ENUM,
    "idempotency_records.fingerprint": _ID,
    "idempotency_records.assignment_id": _ID,
    "submissions.assignment_id": _ID,
    "submissions.head_sha": _ID,
    "submissions.state": _ENUM,
    "reviews.assignment_id": _ID,
    "reviews.state": _ENUM,
    "reviews.scorecard_status": _ENUM,
    "outbox_events.id": _ID,
    "outbox_events.assignment_id": _ID,
    "outbox_events.type": _ENUM,
    "outbox_deliveries.event_id": _ID,
    "outbox_deliveries.endpoint_id": _ID,
    "outbox_deliveries.state": _ENUM,
    "outbox_deliveries.lease_token": _ID,
    "outbox_attempts.endpoint_id": _ID,
    "outbox_attempts.error_kind": _ENUM,
    "candidate_invitations.assignment_id": _ID,
    "candidate_invitations.token_hash": _ID,
    "greenhouse_tests.assignment_id": _ID,
    "greenhouse_tests.partner_test_id": _ID,
    "greenhouse_tests.callback_url": "Greenhouse's address for the result, by application id",
    "greenhouse_tests.callback_key": _TENANT,
    "greenhouse_tests.sent_by": "the recruiter who sent the test: the organisation's staff",
    "greenhouse_tests.completion_state": _ENUM,
    "greenhouse_tests.completion_lease_token": _ID,
    "greenhouse_response_errors.assignment_id": _ID,
    "greenhouse_response_errors.api_call": _ENUM,
    "lifecycle_firings.assignment_id": _ID,
    "lifecycle_firings.kind": _ENUM,
    "lifecycle_firings.claim_token": _ID,
    "github_deliveries.delivery_id": _ID,
    "github_deliveries.event": _ENUM,
    "github_deliveries.action": _ENUM,
}


def _erase(eraser: Eraser, col: Col, value: Any) -> Any:
    if value is None:
        return None
    if col.format == "json":
        return eraser.json(value, holds=col.holds)
    if col.format == "json_text" and isinstance(value, str):
        return eraser.json_text(value)
    if col.format == "json_bytes" and isinstance(value, bytes):
        # An ATS event's body is the exact bytes signed: kept in the canonical form they were built in.
        return eraser.json_bytes(value, compact_sorted=True)
    if isinstance(value, str):
        return eraser.text(value, holds=col.holds)
    return value


def _fit(column: Any, value: Any) -> Any:
    length = getattr(column.type, "length", None)
    if isinstance(value, str) and length is not None and len(value) > length:
        return value[:length]
    return value


async def _scrub_place(session: AsyncSession, eraser: Eraser, scope: Scope, place: Place) -> int:
    table = place.model.__table__
    (key,) = inspect(place.model).primary_key
    columns = [table.c[col.name] for col in place.columns]
    changed = 0
    last: Any = None
    while True:
        query = select(key, *columns).where(place.rows(scope)).order_by(key).limit(PAGE)
        if last is not None:
            query = query.where(key > last)
        rows = (await session.execute(query)).all()
        for row_key, *values in rows:
            new_values = {}
            for col, column, value in zip(place.columns, columns, values, strict=True):
                new = _erase(eraser, col, value)
                if new != value:
                    new_values[column.name] = _fit(column, new)
            if new_values:
                await session.execute(update(place.model).where(key == row_key).values(new_values))
                changed += len(new_values)
        if len(rows) < PAGE:
            return changed
        last = rows[-1][0]


async def scrub_rows(session: AsyncSession, eraser: Eraser, scope: Scope) -> int:
    """Replace the person's data in the rows of ``scope``; returns how many values changed."""
    if not eraser or not scope.assignment_ids:
        return 0
    changed = 0
    for place in PLACES:
        changed += await _scrub_place(session, eraser, scope, place)
    return changed
