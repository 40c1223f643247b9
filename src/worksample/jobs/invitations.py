"""``invitations.resend``: invitation e-mails the SMTP server refused, tried again every minute.

Thin: the schedule and the link reissue live in ``worksample.invitations.resend``.
"""

from __future__ import annotations

from typing import Any

from worksample.config import Settings
from worksample.invitations.resend import resend_unsent_invitations
from worksample.jobs.resources import WorkerResources

RESEND_JOB = "invitations.resend"


async def resend_invitations(ctx: dict[str, Any]) -> str:
    resources: WorkerResources = ctx["resources"]
    settings: Settings = ctx["settings"]
    sent = await resend_unsent_invitations(resources.sessionmaker, settings, resources.catalog)
    return f"sent {sent}"
