"""``test_status``: what Greenhouse shows for a test, from the assignment and its scoring.

``complete`` only once the assignment is scored; before that the status is ours (``invited``,
``in_review``, ...), which Greenhouse shows as given. ``metadata`` is flat: primitives only, as
the contract requires, so nested breakdowns become dotted keys.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from worksample.assignments import AssignmentStatus
from worksample.config import Settings
from worksample.db.models import Assignment, Submission
from worksample.greenhouse.schemas import PartnerStatusOut

COMPLETE = "complete"


def result_url(settings: Settings, assignment_id: str) -> str:
    """Our page showing the result to a signed-in, authorised person (the web pages' concern)."""
    return f"{settings.public_url.rstrip('/')}/results/{assignment_id}"


def flat_metadata(
    assignment: Assignment, scoring: dict[str, Any] | None, pr_url: str | None
) -> dict[str, Any]:
    """Per-criterion scores, the lead engineer's recommendation and links, as flat primitives."""
    metadata: dict[str, Any] = {
        "status": assignment.status,
        "score": assignment.score,
        "pull_request_url": pr_url or assignment.pr_url,
        "repository_url": assignment.repo_html_url,
    }
    if scoring:
        metadata["recommendation"] = scoring.get("recommendation")
        for criterion in scoring.get("criteria") or []:
            if isinstance(criterion, dict) and isinstance(criterion.get("id"), str):
                metadata[f"criterion.{criterion['id']}"] = criterion.get("score")
        for reviewer in scoring.get("reviewers") or []:
            if isinstance(reviewer, dict) and reviewer.get("role") == "lead":
                metadata["lead_engineer"] = reviewer.get("login")
                metadata["lead_recommendation"] = reviewer.get("recommendation")
                break
    # The contract allows only primitives: anything else (never expected) is dropped, not nested.
    return {k: v for k, v in metadata.items() if v is None or isinstance(v, str | int | float | bool)}


async def greenhouse_status(
    session: AsyncSession, settings: Settings, assignment: Assignment
) -> PartnerStatusOut:
    submission = await session.get(Submission, assignment.id)
    scored = assignment.status == AssignmentStatus.SCORED.value
    return PartnerStatusOut(
        partner_status=COMPLETE if scored else assignment.status,
        partner_profile_url=result_url(settings, assignment.id),
        partner_score=assignment.score if scored else None,
        metadata=flat_metadata(
            assignment,
            submission.scoring if submission is not None else None,
            submission.pr_url if submission is not None else None,
        ),
    )
