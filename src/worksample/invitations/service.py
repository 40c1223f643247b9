"""Issuing, e-mailing, finding and accepting candidate invitations (see the package docstring)."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.artifacts.catalog import Catalog
from worksample.artifacts.errors import UnknownArtifact
from worksample.assignments import AssignmentStatus
from worksample.auth.github_oauth import GitHubIdentity
from worksample.config import Settings
from worksample.db.models import Assignment, CandidateInvitation, Organization, Person
from worksample.db.session import session_now
from worksample.db.timeline import record_event
from worksample.notify import MailError, render_email, send_email

log = logging.getLogger(__name__)

# token_urlsafe(32): 43 characters of base64url. Anything else in the URL is not one of ours.
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")


class InvitationProblem(Exception):
    """Why an invitation cannot be used; ``status`` is the HTTP status of the page that says so."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class IssuedInvitation:
    invitation: CandidateInvitation
    # The only moment the token exists in clear: put it in the e-mail, never store or log it.
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_link(settings: Settings, token: str) -> str:
    return f"{settings.public_url.rstrip('/')}/invite/{token}"


async def issue_invitation(
    session: AsyncSession,
    assignment: Assignment,
    email: str,
    settings: Settings,
    *,
    now: datetime | None = None,
) -> IssuedInvitation:
    """A new link for ``assignment``; earlier unused links of it stop working. The caller commits."""
    moment = now or session_now(session)
    await session.execute(
        update(CandidateInvitation)
        .where(CandidateInvitation.assignment_id == assignment.id, CandidateInvitation.used_at.is_(None))
        .values(expires_at=moment)
    )
    token = secrets.token_urlsafe(32)
    invitation = CandidateInvitation(
        assignment_id=assignment.id,
        token_hash=hash_token(token),
        email=email,
        created_at=moment,
        expires_at=moment + timedelta(hours=settings.invitation_ttl_hours),
    )
    session.add(invitation)
    await session.flush()
    await record_event(
        session,
        assignment,
        "candidate.invitation_issued",
        detail={"invitation_id": invitation.id, "expires_at": invitation.expires_at.isoformat()},
        at=moment,
    )
    return IssuedInvitation(invitation=invitation, token=token)


def _time_limit_text(assignment: Assignment) -> str:
    if assignment.time_limit_hours is not None:
        hours = assignment.time_limit_hours
        return f"{hours} hours" if hours != 1 else "1 hour"
    if assignment.deadline_at is not None:
        return f"until {assignment.deadline_at:%d %B %Y, %H:%M} UTC"
    return "the time the assignment states"


async def email_invitation(
    session: AsyncSession,
    settings: Settings,
    catalog: Catalog,
    issued: IssuedInvitation,
    *,
    assignment: Assignment,
    organization: Organization,
    person: Person,
) -> bool:
    """E-mail the link; records ``sent_at`` or ``send_error`` (the caller commits). True when sent."""
    invitation = issued.invitation
    try:
        artifact = catalog.get(assignment.artifact_id)
        title, summary = artifact.manifest.title, artifact.manifest.summary
    except UnknownArtifact:
        # The catalog changed since the assignment was made; the mail still has to go out.
        title, summary = assignment.artifact_id, ""
    spec = render_email(
        "invitation",
        to=invitation.email,
        organization=organization.login,
        candidate_name=person.name or "there",
        artifact_title=title,
        summary=summary,
        time_limit_text=_time_limit_text(assignment),
        link=invitation_link(settings, issued.token),
        expires_text=f"{invitation.expires_at:%d %B %Y, %H:%M} UTC",
    )
    try:
        await send_email(settings, spec)
    except MailError as exc:
        invitation.send_error = str(exc)[:2000]
        log.warning("invitation.email_failed assignment=%s error=%s", assignment.id, exc)
        await record_event(
            session, assignment, "candidate.invitation_email_failed", detail={"error": str(exc)}
        )
        return False
    invitation.sent_at = session_now(session)
    invitation.send_error = None
    await record_event(
        session, assignment, "candidate.invitation_emailed", detail={"invitation_id": invitation.id}
    )
    log.info("invitation.emailed assignment=%s invitation=%d", assignment.id, invitation.id)
    return True


async def email_invitation_after_commit(
    session: AsyncSession, settings: Settings, catalog: Catalog, issued: IssuedInvitation, assignment_id: str
) -> bool:
    """E-mail a link issued in a transaction that is now committed, and commit the outcome.

    Sent after the commit, so a link is never mailed for an assignment that was rolled back; a
    failed send is recorded on the invitation and the timeline, and a new link can be issued.
    """
    assignment = await session.get_one(Assignment, assignment_id)
    organization = await session.get_one(Organization, assignment.organization_id)
    person = await session.get_one(Person, assignment.candidate_id)
    invitation = await session.get_one(CandidateInvitation, issued.invitation.id)
    sent = await email_invitation(
        session,
        settings,
        catalog,
        IssuedInvitation(invitation=invitation, token=issued.token),
        assignment=assignment,
        organization=organization,
        person=person,
    )
    await session.commit()
    return sent


async def find_invitation(session: AsyncSession, token: str) -> CandidateInvitation | None:
    if not TOKEN_SHAPE.fullmatch(token):
        return None
    query = select(CandidateInvitation).where(CandidateInvitation.token_hash == hash_token(token))
    return (await session.scalars(query)).one_or_none()


def check_usable(invitation: CandidateInvitation, assignment: Assignment, *, now: datetime) -> None:
    """Raise :class:`InvitationProblem` when the link can no longer start the assignment."""
    if invitation.used_at is not None or assignment.candidate_login is not None:
        raise InvitationProblem(409, "This invitation has already been used to start the assignment.")
    if invitation.expires_at <= now:
        raise InvitationProblem(410, "This invitation has expired. Ask the recruiter for a new one.")
    if assignment.status != AssignmentStatus.REQUESTED.value:
        raise InvitationProblem(410, f"This assignment is no longer open (it is {assignment.status}).")


async def accept_invitation(
    session: AsyncSession, invitation_id: int, identity: GitHubIdentity, *, now: datetime | None = None
) -> Assignment:
    """Record who signed in as the assignment's candidate. The caller commits, then enqueues
    provisioning. Raises :class:`InvitationProblem` when the link cannot be used (any more)."""
    moment = now or session_now(session)
    invitation = await session.get(CandidateInvitation, invitation_id, with_for_update=True)
    if invitation is None:
        raise InvitationProblem(404, "This invitation does not exist.")
    assignment = await session.get_one(Assignment, invitation.assignment_id, with_for_update=True)
    check_usable(invitation, assignment, now=moment)
    await session.refresh(assignment, ["reviewers"])
    if any(r.login.lower() == identity.login.lower() for r in assignment.reviewers):
        raise InvitationProblem(403, "A reviewer of this assignment cannot also be its candidate.")
    person = await session.get_one(Person, assignment.candidate_id)
    known = (
        await session.scalars(
            select(Person).where(
                Person.organization_id == assignment.organization_id, Person.github_id == identity.github_id
            )
        )
    ).one_or_none()
    if known is not None and known.id != person.id:
        # The organisation has met this GitHub account before: keep one person per account.
        known.login = identity.login
        known.name = known.name or person.name
        known.email = known.email or person.email
        assignment.candidate_id = known.id
    else:
        person.login = identity.login
        person.github_id = identity.github_id
    assignment.candidate_login = identity.login
    assignment.updated_at = moment
    invitation.used_at = moment
    invitation.used_by_github_id = identity.github_id
    await record_event(
        session,
        assignment,
        "candidate.signed_in",
        detail={"login": identity.login, "github_id": identity.github_id, "invitation_id": invitation.id},
        at=moment,
    )
    await session.flush()
    log.info("invitation.accepted assignment=%s login=%s", assignment.id, identity.login)
    return assignment
