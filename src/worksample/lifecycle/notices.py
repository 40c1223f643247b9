"""Telling the candidate in their repository (reminders, extensions, the deadline), and
re-issuing invitations.

Every note ends with a hidden marker naming its firing (``<!-- worksample:note ... -->``, not
shown by GitHub's Markdown). A worker that dies between posting a note and committing the firing
leaves the firing to be taken over; the new worker then looks for the marker before posting, so
the candidate gets the note once. A firing nobody started before posts without looking: the
usual case costs one call, the lookup only follows a crash.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from worksample.db.timeline import record_event
from worksample.lifecycle import github_ops as ops
from worksample.lifecycle.context import Target
from worksample.lifecycle.events import emit_event

log = logging.getLogger(__name__)

# GitHub's own expiry of a repository invitation.
INVITATION_LIFETIME = timedelta(days=7)


def _when(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M UTC")


def note_marker(assignment_id: str, firing: str) -> str:
    return f"<!-- worksample:note assignment={assignment_id} firing={firing} -->"


async def post_once(t: Target, pr_number: int | None, title: str, body: str) -> tuple[str, bool]:
    """Post this firing's note; when the firing was taken over from a worker that died, first look
    for the note it may have posted. ``(url, posted now)``."""
    assert t.firing, "a note belongs to a firing"
    gh, owner, name = t.repo()
    marker = note_marker(t.assignment.id, t.firing)
    if t.taken_over:
        earlier = await ops.find_note(gh, owner, name, pr_number, marker)
        if earlier is not None:
            log.info("lifecycle.note_found assignment=%s firing=%s", t.assignment.id, t.firing)
            return earlier, False
    return await ops.post_note(gh, owner, name, pr_number, title, f"{body}\n\n{marker}"), True


async def send_reminder(t: Target, label: str) -> str:
    a = t.assignment
    gh, owner, name = t.repo()
    assert t.deadline is not None, "a reminder is only due when there is a deadline"
    pr_number = a.pr_number or await ops.open_pull_number(gh, owner, name, t.login)
    body = (
        f"Reminder: the deadline for this assignment is {_when(t.deadline)} ({label} from now). "
        "At the deadline the repository becomes read-only for you and your work is taken "
        + ("from this pull request." if pr_number else "from your pull request: please open one.")
    )
    url, posted = await post_once(t, pr_number, f"Reminder: {label} left", body)
    await record_event(
        t.session,
        a,
        "lifecycle.reminder_sent",
        detail={"before": label, "url": url, "posted_now": posted},
        at=t.now,
    )
    return f"reminded ({label})" if posted else f"reminded ({label}) before a crash; not posted again"


async def announce_extension(t: Target, previous: datetime | None) -> str:
    a = t.assignment
    gh, owner, name = t.repo()
    assert t.deadline is not None
    pr_number = a.pr_number or await ops.open_pull_number(gh, owner, name, t.login)
    was = f" (was {_when(previous)})" if previous else ""
    body = f"Good news: the deadline for this assignment has been extended to {_when(t.deadline)}{was}."
    url, _posted = await post_once(t, pr_number, "Deadline extended", body)
    await record_event(t.session, a, "lifecycle.extension_announced", detail={"url": url}, at=t.now)
    return "extension announced"


async def reissue_invitation(t: Target) -> str:
    """Withdraw the pending invitation and send a fresh one, resetting GitHub's seven-day expiry."""
    a = t.assignment
    gh, owner, name = t.repo()
    if a.invitation_id is not None:
        await ops.withdraw_invitation(gh, owner, name, a.invitation_id)
    invitation_id = await ops.invite(gh, owner, name, t.login)
    if invitation_id is None:
        # GitHub says they already have access: the acceptance webhook is late, not the candidate.
        await record_event(
            t.session, a, "lifecycle.reinvite_skipped", detail={"reason": "has access"}, at=t.now
        )
        return "not re-issued: the candidate already has access"
    a.invitation_id = invitation_id
    a.candidate_invited_at = t.now
    a.reinvite_count = (a.reinvite_count or 0) + 1
    await record_event(
        t.session, a, "lifecycle.invitation_reissued", detail={"count": a.reinvite_count}, at=t.now
    )
    await emit_event(
        t,
        "assignment.invitation_reissued",
        {
            "reissued_at": t.now,
            "reissue_count": a.reinvite_count,
            "invitation_expires_at": t.now + INVITATION_LIFETIME,
        },
    )
    log.info("lifecycle.reinvited assignment=%s count=%d", a.id, a.reinvite_count)
    return f"invitation re-issued ({a.reinvite_count})"
