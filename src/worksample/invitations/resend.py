"""Retrying invitation e-mails the SMTP server did not take.

The token exists in clear only while the e-mail is built, so a retry cannot resend the same link:
it issues a fresh one (the unsent one stops working) and e-mails that. The gaps between tries are
the outbox's retry schedule, counted by the links the assignment has had; once the schedule is
used up the timeline keeps the last failure and a recruiter can ask for a new link.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from worksample.artifacts.catalog import Catalog
from worksample.assignments import AssignmentStatus
from worksample.config import Settings
from worksample.db.models import Assignment, CandidateInvitation
from worksample.db.session import session_now
from worksample.invitations.service import email_invitation_after_commit, issue_invitation
from worksample.outbox.schedule import RetrySchedule

log = logging.getLogger(__name__)

# A link younger than this may still be on its way out in the request that issued it.
IN_FLIGHT_GRACE = timedelta(seconds=60)
BATCH = 100


async def _due(session: AsyncSession, now: datetime) -> list[tuple[int, str, str, datetime, int]]:
    links = (
        select(CandidateInvitation.assignment_id, func.count().label("links"))
        .group_by(CandidateInvitation.assignment_id)
        .subquery()
    )
    query = (
        select(
            CandidateInvitation.id,
            CandidateInvitation.assignment_id,
            CandidateInvitation.email,
            CandidateInvitation.created_at,
            links.c.links,
        )
        .join(Assignment, Assignment.id == CandidateInvitation.assignment_id)
        .join(links, links.c.assignment_id == CandidateInvitation.assignment_id)
        .where(
            CandidateInvitation.sent_at.is_(None),
            CandidateInvitation.used_at.is_(None),
            CandidateInvitation.expires_at > now,
            CandidateInvitation.created_at < now - IN_FLIGHT_GRACE,
            Assignment.status == AssignmentStatus.REQUESTED.value,
            Assignment.candidate_login.is_(None),
        )
        .order_by(CandidateInvitation.created_at)
        .limit(BATCH)
    )
    return [(r[0], r[1], r[2], r[3], int(r[4])) for r in (await session.execute(query)).all()]


async def resend_unsent_invitations(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    catalog: Catalog,
    *,
    now: datetime | None = None,
) -> int:
    """Issue and e-mail a new link for each unsent one whose retry is due; the number sent."""
    schedule = RetrySchedule.from_settings(settings)
    sent = 0
    async with sessionmaker() as session:
        # The links were dated by the sessions' clock: their age is judged by the same one.
        moment = now or session_now(session)
        due = await _due(session, moment)
    for invitation_id, assignment_id, email, created_at, links in due:
        if links >= schedule.max_attempts:
            continue
        if created_at + timedelta(seconds=schedule.delays_seconds[links]) > moment:
            continue
        async with sessionmaker() as session:
            # Compare-and-set: of two workers, only the one that retires the old link sends a new one.
            retired = await session.execute(
                update(CandidateInvitation)
                .where(CandidateInvitation.id == invitation_id, CandidateInvitation.expires_at > moment)
                .values(expires_at=moment)
                .execution_options(synchronize_session=False)
            )
            if getattr(retired, "rowcount", 0) != 1:
                await session.rollback()
                continue
            assignment = await session.get_one(Assignment, assignment_id)
            issued = await issue_invitation(session, assignment, email, settings, now=moment)
            await session.commit()
            if await email_invitation_after_commit(session, settings, catalog, issued, assignment_id):
                sent += 1
        log.info("invitation.resent assignment=%s try=%d", assignment_id, links + 1)
    return sent
