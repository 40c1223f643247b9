"""At the deadline: record the work's commit, tag it, take write access away, and check it is gone.

GitHub Classroom's cutoff is reported to fail silently, and GitHub itself gives several ways for
write access to survive a downgrade of the direct permission (an organisation base permission, a
team, an admin role). So the permission is read back after the downgrade: when GitHub still says
the candidate can write, the lock is marked failed on the assignment (``lock_failed_at``, shown by
``GET /v1/assignments/{id}/lifecycle``) and ``assignment.lock_failed`` goes to the ATS.
"""

from __future__ import annotations

import logging

from worksample.assignments.state import AssignmentStatus
from worksample.db.timeline import change_status, record_event
from worksample.lifecycle import github_ops as ops
from worksample.lifecycle.context import Target
from worksample.lifecycle.events import emit_event
from worksample.lifecycle.notices import post_once

log = logging.getLogger(__name__)

S = AssignmentStatus
# Legacy permission names GitHub reads back; any of these means the candidate can still push.
CAN_WRITE = frozenset({"write", "admin", "maintain"})


async def lock_at_deadline(t: Target) -> str:
    a = t.assignment
    if a.status == S.INVITED.value:
        return await expire_unaccepted(t, "the invitation was not accepted before the deadline")
    gh, owner, name = t.repo()
    pr_number = a.pr_number or await ops.open_pull_number(gh, owner, name, t.login)
    head = await ops.submission_head(gh, owner, name, pr_number)
    await ops.tag_commit(gh, owner, name, t.settings.deadline_tag, head.sha)
    await ops.set_permission(gh, owner, name, t.login, "pull")
    actual = await ops.read_permission(gh, owner, name, t.login)
    # Every GitHub call before the first database write: SQLite holds its write lock from the
    # first write to the commit, and other jobs should not wait on GitHub for it.
    after = "later commits are marked late." if actual in CAN_WRITE else "the repository is now read-only."
    body = (
        f"The deadline has passed. Your work is recorded at commit {head.sha} "
        f"(tag `{t.settings.deadline_tag}`); {after}"
    )
    await post_once(t, pr_number, "Deadline reached", body)
    a.deadline_sha = head.sha
    a.locked_at = t.now
    detail = {"sha": head.sha, "source": head.source, "tag": t.settings.deadline_tag, "permission": actual}
    if actual in CAN_WRITE:
        a.lock_failed_at = t.now
        a.lock_failure = (
            f"after downgrading {t.login} to read, GitHub still reports {actual!r} permission "
            "(organisation base permission, team or admin role?): later pushes are not prevented"
        )
        await record_event(t.session, a, "lifecycle.lock_failed", detail=detail, at=t.now)
        await _report_lock_failed(t, actual)
        log.error("lifecycle.lock_failed assignment=%s permission=%s", a.id, actual)
    else:
        await record_event(t.session, a, "lifecycle.locked", detail=detail, at=t.now)
        log.info("lifecycle.locked assignment=%s sha=%s", a.id, head.sha)
    if pr_number is None and a.status == S.ACCEPTED.value:
        await change_status(t.session, a, S.EXPIRED, reason="no pull request at the deadline", at=t.now)
        return "locked; expired (no pull request)"
    return "lock failed" if a.lock_failed_at else "locked"


async def _report_lock_failed(t: Target, actual: str, reason: str | None = None) -> None:
    """``assignment.lock_failed`` to the ATS (an assignment without a repository URL has nothing
    the event could point at, and nothing to lock either)."""
    if not t.assignment.repo_html_url:
        return
    data = {
        "repository_url": t.assignment.repo_html_url,
        "deadline_at": t.deadline,
        "detected_at": t.now,
        "expected_permission": "read",
        "actual_permission": actual,
    }
    await emit_event(t, "assignment.lock_failed", data if reason is None else {**data, "reason": reason})


async def lock_refused(t: Target, reason: str) -> str:
    """GitHub refused the lock for good (the firing is closed): the candidate may still be able
    to write, so it is marked failed like a downgrade that did not hold, for a person to act on:
    ``lock_failed_at`` and the timeline, and ``assignment.lock_failed`` to the ATS."""
    a = t.assignment
    a.lock_failed_at = t.now
    a.lock_failure = f"the deadline lock was refused by GitHub: {reason}"[:2000]
    await record_event(t.session, a, "lifecycle.lock_failed", detail={"error": reason}, at=t.now)
    # The permission was never read back: GitHub refused before (or instead of) the downgrade.
    await _report_lock_failed(t, "unknown", reason)
    log.error("lifecycle.lock_refused assignment=%s reason=%s", a.id, reason)
    if a.status == S.INVITED.value:
        # Never accepted: past its deadline it expires all the same (the invitation GitHub would
        # not withdraw is the failed lock) rather than staying invited with no timer left.
        a.locked_at = t.now
        await change_status(
            t.session,
            a,
            S.EXPIRED,
            reason="not accepted before the deadline; the invitation could not be withdrawn",
            at=t.now,
        )
        return f"expired; withdrawing the invitation refused: {reason}"
    return f"lock refused: {reason}"


async def expire_unaccepted(t: Target, reason: str) -> str:
    """The candidate never accepted: withdraw the invitation so it cannot be accepted late, and
    expire the assignment (the ATS hears ``assignment.expired``; retention then runs). With no
    repository or no installation left there is nothing to withdraw, and it expires all the same."""
    a = t.assignment
    if a.invitation_id is not None and a.repo_full_name and t.gh is not None:
        gh, owner, name = t.repo()
        await ops.withdraw_invitation(gh, owner, name, a.invitation_id)
    a.locked_at = t.now
    await record_event(t.session, a, "lifecycle.invitation_withdrawn", detail={}, at=t.now)
    await change_status(t.session, a, S.EXPIRED, reason=reason, at=t.now)
    return "expired (invitation not accepted)"
