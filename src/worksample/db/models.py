"""The stored state of the service, as SQLAlchemy 2 typed models.

Portable across SQLite (the embedded default) and PostgreSQL (production): plain ``JSON`` columns,
``BigInteger`` for GitHub's numeric ids (they passed 2**31 long ago), UTC-aware timestamps through
:class:`~worksample.db.types.UTCDateTime`, and named constraints so that Alembic can alter them on
SQLite's batch mode too. The schema changes only through the migrations in ``db/migrations``; a test
checks that they produce exactly this metadata.

Reserved for later issues (not built here): webhook deliveries in, outbox events out, ATS
endpoints, and reviews.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from worksample.db.types import UTCDateTime, utcnow

# GitHub logins are at most 39 characters; repository names at most 100.
LOGIN_LENGTH = 39
REPO_NAME_LENGTH = 100
REPO_FULL_NAME_LENGTH = LOGIN_LENGTH + 1 + REPO_NAME_LENGTH
URL_LENGTH = 500

# What an organisation gets until it says otherwise; the scoring issue owns the meaning of each key.
# worksample.review.policy.OrganizationPolicy reads it, and a test checks that these are its defaults.
DEFAULT_SCORING_POLICY: dict[str, Any] = {
    # Default weight of each reviewer role (a reviewer's own weight overrides it): the lead
    # engineer's is the largest; observers watch and weigh nothing.
    "role_weights": {"engineer": 1.0, "lead": 3.0, "observer": 0.0},
    # A lead engineer's "changes requested" turns a hire recommendation into no hire.
    "lead_veto": True,
    # Whether an assignment is scored as soon as the lead engineer has reviewed, or only when
    # every reviewer with a weight has.
    "require_all_reviewers": False,
}

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def _new_uuid() -> str:
    return str(uuid.uuid4())


def _org_fk() -> ForeignKey:
    return ForeignKey("organizations.id", ondelete="CASCADE")


def _default_scoring_policy() -> dict[str, Any]:
    return copy.deepcopy(DEFAULT_SCORING_POLICY)


def _timers_to_recompute() -> None:
    """``Assignment.next_timer_at`` after any UPDATE that does not set it: unknown, look again."""


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        dict[str, str]: JSON(),
    }


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Organization(Timestamped, Base):
    """A tenant: one GitHub organisation that runs assignments with us."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    # As GitHub spells it; GitHub logins are case-insensitive, so look them up with lower().
    login: Mapped[str] = mapped_column(String(LOGIN_LENGTH), unique=True)
    github_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    # Known once the App is installed on the organisation (installation webhook or lookup).
    installation_id: Mapped[int | None] = mapped_column(BigInteger)
    scoring_policy: Mapped[dict[str, Any]] = mapped_column(default=_default_scoring_policy)
    # Reviewers of assignments whose requester names none (Greenhouse's "Send Test"): a list of
    # {"login", "role", "weight", "artifact_ids"} (worksample.greenhouse.reviewers); None: not set.
    default_reviewers: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)


class Installation(Timestamped, Base):
    """An installation of our GitHub App, as GitHub reports it."""

    __tablename__ = "installations"

    # GitHub's installation id, not one of ours.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    account_login: Mapped[str] = mapped_column(String(LOGIN_LENGTH), index=True)
    account_id: Mapped[int] = mapped_column(BigInteger, index=True)
    account_type: Mapped[str] = mapped_column(String(32), default="Organization")
    suspended_at: Mapped[datetime | None]
    deleted_at: Mapped[datetime | None]


class ApiKey(Base):
    """A bearer key for the recruiter/ATS API, scoped to one organisation.

    Only a SHA-256 of the key is stored: the key carries 256 bits of randomness, so a slow KDF adds
    nothing but latency on every request. ``prefix`` is the public part used to find the row.
    """

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(_org_fk(), index=True)
    name: Mapped[str | None] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]

    organization: Mapped[Organization] = relationship(lazy="raise")


class Person(Timestamped, Base):
    """A candidate, known to one organisation.

    Keyed by GitHub's numeric id once known (logins can be renamed, the id stays); until GitHub has
    confirmed the id only the login is known. ``name`` and ``email`` are personal data that the
    erase feature clears (``erased_at`` records that it happened).
    """

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("organization_id", "github_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(_org_fk(), index=True)
    github_id: Mapped[int | None] = mapped_column(BigInteger)
    # None for a candidate invited by e-mail who has not signed in with GitHub yet (issue 8).
    login: Mapped[str | None] = mapped_column(String(LOGIN_LENGTH), index=True)
    name: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    erased_at: Mapped[datetime | None]


class Assignment(Timestamped, Base):
    """One candidate working one artifact, from request to score."""

    __tablename__ = "assignments"
    __table_args__ = (
        # The list endpoint pages through one organisation's assignments, newest first.
        Index(None, "organization_id", "status", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_new_uuid)
    organization_id: Mapped[int] = mapped_column(_org_fk(), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # The login as the recruiter gave it; the person's current login may change later. None until
    # a candidate invited by e-mail signs in with GitHub (worksample.invitations); provisioning waits.
    candidate_login: Mapped[str | None] = mapped_column(String(LOGIN_LENGTH))

    artifact_id: Mapped[str] = mapped_column(String(64))
    variables: Mapped[dict[str, Any]] = mapped_column(default=dict)
    deadline_at: Mapped[datetime | None]
    time_limit_hours: Mapped[int | None] = mapped_column(Integer)
    external_ids: Mapped[dict[str, str]] = mapped_column(default=dict)

    # Values of worksample.assignments.AssignmentStatus; only the state machine changes them.
    status: Mapped[str] = mapped_column(String(16), index=True)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    # Bumped on every state change so that the ATS can order the events it receives.
    version: Mapped[int] = mapped_column(Integer, default=1)
    status_changed_at: Mapped[datetime] = mapped_column(default=utcnow)

    repo_name: Mapped[str | None] = mapped_column(String(REPO_NAME_LENGTH))
    repo_full_name: Mapped[str | None] = mapped_column(String(REPO_FULL_NAME_LENGTH))
    repo_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    repo_html_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    invitation_id: Mapped[int | None] = mapped_column(BigInteger)

    # Provisioning step markers: set when a step is known done on GitHub, so that a re-run of the
    # job skips it (and checks GitHub rather than repeating it when a marker is missing).
    repo_created_at: Mapped[datetime | None]
    content_committed_at: Mapped[datetime | None]
    content_commit_sha: Mapped[str | None] = mapped_column(String(40))
    candidate_invited_at: Mapped[datetime | None]
    reviewers_granted_at: Mapped[datetime | None]

    pr_number: Mapped[int | None] = mapped_column(Integer)
    pr_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    pr_head_sha: Mapped[str | None] = mapped_column(String(40))

    score: Mapped[float | None] = mapped_column(Float)
    scored_at: Mapped[datetime | None]

    # Lifecycle (worksample.lifecycle, issue 7). Set at the deadline: the commit the candidate's work
    # is judged at (a tag points at it) and when write access was taken away; commits after it are
    # late (``lifecycle.schedule.is_late``). ``lock_failed_at`` is set when the read-back showed the
    # candidate could still write: the lock is then not trusted and a human has to look.
    locked_at: Mapped[datetime | None]
    deadline_sha: Mapped[str | None] = mapped_column(String(40))
    lock_failed_at: Mapped[datetime | None]
    lock_failure: Mapped[str | None] = mapped_column(Text)
    reinvite_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    archived_at: Mapped[datetime | None]
    # Repository deleted and the candidate's personal data removed (retention or erasure).
    purged_at: Mapped[datetime | None]
    erase_requested_at: Mapped[datetime | None]
    # When the lifecycle tick has to look at this assignment next (its earliest timer not yet
    # fired; ``lifecycle.agenda``), so the tick reads only those due. Only the tick sets it; any
    # other UPDATE of the row clears it (``onupdate``), so a change of a timer's inputs anywhere
    # (status, deadline, invitation...) makes the tick look again without that code knowing.
    next_timer_at: Mapped[datetime | None] = mapped_column(index=True, onupdate=_timers_to_recompute)

    organization: Mapped[Organization] = relationship(lazy="raise")
    candidate: Mapped[Person] = relationship(lazy="raise")
    reviewers: Mapped[list[AssignmentReviewer]] = relationship(
        lazy="raise",
        order_by="AssignmentReviewer.position",
        cascade="all, delete-orphan",
        back_populates="assignment",
    )
    events: Mapped[list[AssignmentEvent]] = relationship(
        lazy="raise",
        order_by="AssignmentEvent.id",
        cascade="all, delete-orphan",
        back_populates="assignment",
    )


class AssignmentReviewer(Base):
    """A reviewer of one assignment; position 0 is the lead engineer."""

    __tablename__ = "assignment_reviewers"
    __table_args__ = (
        UniqueConstraint("assignment_id", "position"),
        UniqueConstraint("assignment_id", "login"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    login: Mapped[str] = mapped_column(String(LOGIN_LENGTH))
    github_id: Mapped[int | None] = mapped_column(BigInteger)
    # lead | engineer | observer (worksample.assignments.ReviewerRole)
    role: Mapped[str] = mapped_column(String(16))
    weight: Mapped[float] = mapped_column(Float)
    position: Mapped[int] = mapped_column(Integer)
    # Read access given on the repository (per reviewer, so a resumed job skips those done).
    access_granted_at: Mapped[datetime | None]

    assignment: Mapped[Assignment] = relationship(back_populates="reviewers", lazy="raise")


class AssignmentEvent(Base):
    """One entry of an assignment's stored timeline."""

    __tablename__ = "assignment_events"
    __table_args__ = (Index(None, "assignment_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(64))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    # The assignment's version after this entry, when it changed the status.
    version: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)

    assignment: Mapped[Assignment] = relationship(back_populates="events", lazy="raise")


class IdempotencyRecord(Base):
    """The first answer to a request sent with an ``Idempotency-Key``, replayed on retries.

    Written in the same transaction as what the request created, so a retry finds either both or
    neither. ``fingerprint`` is a hash of the request body: the same key with a different body is
    refused rather than silently answered with the first result.
    """

    __tablename__ = "idempotency_records"
    __table_args__ = (UniqueConstraint("organization_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # The route the key was used on: a key reused on another route is a client bug.
    endpoint: Mapped[str] = mapped_column(String(100))
    fingerprint: Mapped[str] = mapped_column(String(64))
    # Indexed: purging an assignment deletes its records.
    assignment_id: Mapped[str | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    response_status: Mapped[int] = mapped_column(Integer)
    response_body: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- ATS webhooks out (worksample.outbox; issue 6) ----------------------------------------------


# A sealed secret (Fernet token) of up to 170 characters (Greenhouse's longest API key) is 312.
SEALED_LENGTH = 500


def _empty_list() -> list[str]:
    return []


class WebhookEndpoint(Timestamped, Base):
    """Where an organisation's ATS receives our events, and the secret we sign them with.

    Signing needs the secret itself, so it cannot be hashed: it is encrypted with a key from
    configuration (``WORKSAMPLE_SECRET_KEYS``, ``db.encryption``), and a database dump alone does
    not let its holder forge our webhooks. The API shows a secret only in the answer that created
    it, and rotation limits how long a leaked one is useful.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_new_uuid)
    organization_id: Mapped[int] = mapped_column(_org_fk(), index=True)
    url: Mapped[str] = mapped_column(String(URL_LENGTH))
    description: Mapped[str | None] = mapped_column(String(500))
    # Event types the endpoint wants; empty means every type.
    event_types: Mapped[list[str]] = mapped_column(JSON, default=_empty_list)
    # Sealed (``db.encryption``, purpose ENDPOINT_SECRET): a Fernet token, never the secret itself.
    secret: Mapped[str] = mapped_column(String(SEALED_LENGTH))
    # The secret before the last rotation: it keeps signing (second signature) until it expires.
    previous_secret: Mapped[str | None] = mapped_column(String(SEALED_LENGTH))
    previous_secret_expires_at: Mapped[datetime | None]
    # Set when we stopped sending (410 Gone, failing for days, or by hand); null while enabled.
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    # When it was last enabled again after being disabled (null if never): the disabling rule counts
    # only failures after it, so the run of failures that disabled it cannot disable it again.
    enabled_at: Mapped[datetime | None]


class OutboxEvent(Base):
    """One event to the ATS, written in the same transaction as the state change that caused it.

    ``id`` is the Standard Webhooks message id (``webhook-id``), the same on every attempt; ``body``
    holds the exact bytes that are signed and sent.
    """

    __tablename__ = "outbox_events"
    __table_args__ = (Index(None, "organization_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[int] = mapped_column(_org_fk())
    # Null for events about no assignment (webhook.test).
    assignment_id: Mapped[str | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    type: Mapped[str] = mapped_column(String(64))
    body: Mapped[bytes] = mapped_column(LargeBinary)
    # Indexed: retention deletes the oldest settled events first (``outbox.retention``).
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class OutboxDelivery(Timestamped, Base):
    """One event to one endpoint: its state and, while pending, when the next attempt is due.

    The dispatcher claims a due delivery by setting ``state`` to in_flight with a lease
    (``claimed_until`` and a fresh ``lease_token``); a worker that dies mid-attempt leaves the lease
    to expire, and the delivery is claimed again with the same message id.
    """

    __tablename__ = "outbox_deliveries"
    __table_args__ = (
        UniqueConstraint("event_id", "endpoint_id"),
        # The dispatcher's query: due pending deliveries, and in-flight ones whose lease expired.
        Index(None, "state", "next_attempt_at"),
        Index(None, "endpoint_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[str] = mapped_column(ForeignKey("outbox_events.id", ondelete="CASCADE"))
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    # Values of worksample.outbox.store.DeliveryState.
    state: Mapped[str] = mapped_column(String(16))
    # Attempts made in all; ``round_attempts`` counts those since the last (re)queue and indexes
    # the retry schedule, so a manual redelivery gets a full schedule again.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    round_attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_until: Mapped[datetime | None]
    lease_token: Mapped[str | None] = mapped_column(String(32))
    last_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)

    event: Mapped[OutboxEvent] = relationship(lazy="raise")
    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="raise")


class OutboxAttempt(Base):
    """One HTTP attempt of a delivery, as recorded after it ended."""

    __tablename__ = "outbox_attempts"
    __table_args__ = (
        UniqueConstraint("delivery_id", "number"),
        # The disable rule reads an endpoint's recent attempts.
        Index(None, "endpoint_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[int] = mapped_column(ForeignKey("outbox_deliveries.id", ondelete="CASCADE"))
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime]
    duration_ms: Mapped[int] = mapped_column(Integer)
    status_code: Mapped[int | None] = mapped_column(Integer)
    # Values of worksample.outbox.result.ErrorKind when no HTTP status came back.
    error_kind: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    # The first few KB of the receiver's answer (the transport caps it).
    response_body: Mapped[str] = mapped_column(Text, default="")
    retry_after_seconds: Mapped[float | None] = mapped_column(Float)


# --------------------------------------------------------------------------------------------
# GitHub webhooks in, submissions and reviews (the webhooks/scoring concern)


class GitHubDelivery(Base):
    """One webhook delivery from GitHub, recorded before it is processed.

    ``delivery_id`` is GitHub's ``X-GitHub-Delivery`` GUID, which a redelivery keeps: the unique
    constraint is what makes a duplicate a no-op. The body is kept verbatim (it was verified
    against its signature) and processed by the ``github.webhook`` job; ``processed_at`` stays
    empty until then, which is what the sweeper looks for after a lost enqueue.
    """

    __tablename__ = "github_deliveries"
    __table_args__ = (
        # The sweeper's query: unprocessed deliveries, oldest first.
        Index(None, "processed_at", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    delivery_id: Mapped[str] = mapped_column(String(64), unique=True)
    event: Mapped[str] = mapped_column(String(64))
    action: Mapped[str | None] = mapped_column(String(64))
    installation_id: Mapped[int | None] = mapped_column(BigInteger)
    # The body's ``repository.id``: erasing a candidate finds their repository's deliveries by it.
    repository_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    # What the handlers made of it ("recorded submission", "ignored: not the candidate's PR", ...).
    outcome: Mapped[str | None] = mapped_column(String(500))
    last_error: Mapped[str | None] = mapped_column(Text)


class InstallationRepository(Base):
    """A repository an installation of the App can see, as GitHub last reported it."""

    __tablename__ = "installation_repositories"

    # GitHub's repository id.
    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    installation_id: Mapped[int] = mapped_column(BigInteger, index=True)
    full_name: Mapped[str] = mapped_column(String(REPO_FULL_NAME_LENGTH))
    private: Mapped[bool | None]
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
    removed_at: Mapped[datetime | None]


class Submission(Timestamped, Base):
    """The candidate's pull request: what was handed in, when, and whether the review was routed."""

    __tablename__ = "submissions"

    assignment_id: Mapped[str] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    pr_id: Mapped[int] = mapped_column(BigInteger)
    pr_number: Mapped[int] = mapped_column(Integer)
    pr_url: Mapped[str] = mapped_column(String(URL_LENGTH))
    head_sha: Mapped[str] = mapped_column(String(40))
    files_changed: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime]
    late: Mapped[bool]
    draft: Mapped[bool]
    state: Mapped[str] = mapped_column(String(16))  # open | closed | merged
    # Review routing markers, so a re-run skips what is done (see review/routing.py).
    reviewers_requested_at: Mapped[datetime | None]
    scorecard_comment_id: Mapped[int | None] = mapped_column(BigInteger)
    # The latest full breakdown (``AssignmentScore.to_record()``), for the reviewers' view.
    scoring: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The scoring part of the last ``assignment.scored`` event sent, so an unchanged re-score
    # (a duplicate delivery) sends nothing.
    scored_event: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ReviewRow(Timestamped, Base):
    """A GitHub review on the assignment's repository, as last read from GitHub's REST API.

    One row per review id: every event about a review re-reads it, so the row is GitHub's current
    truth whatever order the events came in. ``ignored`` says why a review does not count
    (the candidate's own, a stranger's, another pull request's); scoring reads the others.
    """

    __tablename__ = "reviews"
    __table_args__ = (UniqueConstraint("assignment_id", "review_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    review_id: Mapped[int] = mapped_column(BigInteger)
    pr_number: Mapped[int] = mapped_column(Integer)
    reviewer_github_id: Mapped[int] = mapped_column(BigInteger)
    reviewer_login: Mapped[str] = mapped_column(String(LOGIN_LENGTH))
    # Lower-case GitHub state (approved, changes_requested, commented, dismissed).
    state: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text, default="")
    html_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    submitted_at: Mapped[datetime]
    # Bumped whenever the body or state read from GitHub changes.
    revision: Mapped[int] = mapped_column(Integer, default=1)
    ignored: Mapped[str | None] = mapped_column(String(200))
    # complete | incomplete | absent, for counted reviewers' reviews.
    scorecard_status: Mapped[str | None] = mapped_column(String(16))
    # The revision the "scorecard not recorded" reply was posted for (one reply per revision).
    feedback_revision: Mapped[int | None] = mapped_column(Integer)


# --------------------------------------------------------------------------------------------
# Greenhouse assessment partner and candidate invitations by e-mail (issue 8)


class CandidateInvitation(Base):
    """A link e-mailed to a candidate known only by e-mail, to sign in with GitHub and start.

    Only a SHA-256 of the token is stored (it carries 256 random bits, so a fast hash suffices).
    Single purpose: it names one assignment, works once (``used_at``) and until ``expires_at``.
    """

    __tablename__ = "candidate_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # When the e-mail was handed to the SMTP server; None while it has not been.
    sent_at: Mapped[datetime | None]
    send_error: Mapped[str | None] = mapped_column(Text)
    used_at: Mapped[datetime | None]
    used_by_github_id: Mapped[int | None] = mapped_column(BigInteger)


class GreenhouseTest(Timestamped, Base):
    """An assignment sent from Greenhouse's "Send Test", and the completion PATCH owed to it.

    The PATCH is delivered with the outbox's discipline: ``completion_state`` pending with a due
    ``completion_next_at``; a worker claims it with a lease (``completion_claimed_until``,
    ``completion_lease_token``), and the outbox's ``decide`` sets the next attempt.
    """

    __tablename__ = "greenhouse_tests"
    __table_args__ = (Index(None, "completion_state", "completion_next_at"),)

    # Also Greenhouse's partner_interview_id.
    assignment_id: Mapped[str] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    organization_id: Mapped[int] = mapped_column(_org_fk(), index=True)
    partner_test_id: Mapped[str] = mapped_column(String(64))
    # Greenhouse's ``url`` from send_test: where the completion PATCH goes.
    callback_url: Mapped[str] = mapped_column(String(URL_LENGTH))
    # The API key Greenhouse called us with; the PATCH authenticates with it (Greenhouse's
    # contract), so it is kept, sealed (``db.encryption``), until the PATCH is delivered or given
    # up, then erased.
    callback_key: Mapped[str | None] = mapped_column(String(SEALED_LENGTH))
    greenhouse_profile_url: Mapped[str | None] = mapped_column(String(URL_LENGTH))
    sent_by: Mapped[str | None] = mapped_column(String(320))
    # waiting (not scored yet) | pending | in_flight | delivered | failed
    completion_state: Mapped[str] = mapped_column(String(16), default="waiting")
    completion_attempts: Mapped[int] = mapped_column(Integer, default=0)
    completion_next_at: Mapped[datetime | None]
    completion_claimed_until: Mapped[datetime | None]
    completion_lease_token: Mapped[str | None] = mapped_column(String(32))
    completion_last_status: Mapped[int | None] = mapped_column(Integer)
    completion_last_error: Mapped[str | None] = mapped_column(Text)
    completion_delivered_at: Mapped[datetime | None]


class GreenhouseResponseError(Base):
    """What Greenhouse reported it could not use (``POST response_error``), kept for people to see."""

    __tablename__ = "greenhouse_response_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(_org_fk(), index=True)
    assignment_id: Mapped[str | None] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    api_call: Mapped[str] = mapped_column(String(64))
    errors: Mapped[list[str]] = mapped_column(JSON)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


# --------------------------------------------------------------------------------------------
# Lifecycle timers (worksample.lifecycle; issue 7)


class LifecycleFiring(Base):
    """One firing of one timer of one assignment: the claim that makes it happen exactly once.

    Timers are derived from the assignment's columns; a worker that finds one due inserts this
    row, and the unique constraint lets exactly one worker win. ``done_at`` stays empty until the
    work is done: a claim older than its lease without it (the worker died) is taken over by a
    conditional UPDATE, which again only one worker can win.
    """

    __tablename__ = "lifecycle_firings"
    __table_args__ = (UniqueConstraint("assignment_id", "kind", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[str] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    # TimerKind, with the reminder's offset ("reminder:24h").
    kind: Mapped[str] = mapped_column(String(32))
    due_at: Mapped[datetime]
    claimed_at: Mapped[datetime]
    claim_token: Mapped[str] = mapped_column(String(32))
    done_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(500))
    # GitHub said "not now" (a rate limit, a 5xx, a timeout): the firing stays open and is taken
    # again from this moment (``retry-after`` honoured), however many attempts it takes.
    retry_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ErasureRequest(Base):
    """A data-subject erasure request, kept as an audit record with no personal data in it."""

    __tablename__ = "erasure_requests"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=_new_uuid)
    organization_id: Mapped[int] = mapped_column(_org_fk(), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime]
    assignments: Mapped[int] = mapped_column(Integer)
    completed_at: Mapped[datetime | None]


# --------------------------------------------------------------------------------------------
# Web pages: who may do what in an organisation (worksample.web; issue 10)


class WebRoleGrant(Base):
    """One role of one GitHub user in one organisation: ``admin``, ``recruiter`` or ``reviewer``.

    Membership of the organisation is checked with GitHub on sign-in; this table only says what a
    member may do. Keyed by GitHub's user id (stable across renames); the login is a label.
    """

    __tablename__ = "web_role_grants"
    __table_args__ = (UniqueConstraint("organization_id", "github_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(_org_fk(), index=True)
    github_id: Mapped[int] = mapped_column(BigInteger)
    login: Mapped[str] = mapped_column(String(LOGIN_LENGTH))
    role: Mapped[str] = mapped_column(String(16))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Who granted it; None for the bootstrap grant of the organisation's first member.
    granted_by: Mapped[str | None] = mapped_column(String(LOGIN_LENGTH))
