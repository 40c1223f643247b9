"""The reviewer queue and the reviewer page: the only place the artifact's reviewer guide is shown.

Review routing links reviewers to ``/review/{assignment_id}``.
"""

from __future__ import annotations

import contextlib

from fastapi import APIRouter
from fastapi.responses import Response
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from worksample.api.deps import CatalogDep, SessionDep
from worksample.artifacts.errors import UnknownArtifact
from worksample.assignments import AssignmentStatus
from worksample.db.models import Assignment, AssignmentReviewer, ReviewRow
from worksample.scoring.scorecard import render_scorecard_comment
from worksample.web.access import Viewer
from worksample.web.deps import ReviewerDep
from worksample.web.render import page, problem

router = APIRouter(include_in_schema=False)

# A pull request is waiting for review from submission until scored.
WAITING = (AssignmentStatus.SUBMITTED.value, AssignmentStatus.IN_REVIEW.value)


def _mine(viewer: Viewer) -> object:
    # By GitHub id once provisioning resolved it, else by login (case-insensitive, as GitHub's).
    return or_(
        AssignmentReviewer.github_id == viewer.github_id,
        func.lower(AssignmentReviewer.login) == viewer.login.lower(),
    )


@router.get("/review")
async def review_queue(viewer: ReviewerDep, db: SessionDep, catalog: CatalogDep) -> Response:
    mine = select(AssignmentReviewer.assignment_id).where(_mine(viewer))  # type: ignore[arg-type]
    done = select(ReviewRow.assignment_id).where(
        ReviewRow.reviewer_github_id == viewer.github_id,
        ReviewRow.ignored.is_(None),
        ReviewRow.scorecard_status == "complete",
    )
    rows = (
        await db.scalars(
            select(Assignment)
            .where(
                Assignment.organization_id == viewer.org_id,
                Assignment.status.in_(WAITING),
                Assignment.id.in_(mine),
                Assignment.id.not_in(done),
            )
            .options(selectinload(Assignment.candidate), selectinload(Assignment.reviewers))
            .order_by(Assignment.status_changed_at)
        )
    ).all()
    titles = {a.artifact_id: a.artifact_id for a in rows}
    for artifact_id in titles:
        with contextlib.suppress(UnknownArtifact):
            titles[artifact_id] = catalog.get(artifact_id).manifest.title
    return page("queue.html.j2", viewer=viewer, title="Waiting for your review", rows=rows, titles=titles)


@router.get("/review/{assignment_id}")
async def reviewer_page(
    assignment_id: str, viewer: ReviewerDep, db: SessionDep, catalog: CatalogDep
) -> Response:
    found = (
        await db.scalars(
            select(Assignment)
            .where(Assignment.id == assignment_id, Assignment.organization_id == viewer.org_id)
            .options(selectinload(Assignment.reviewers))
        )
    ).one_or_none()
    if found is None:
        return problem(404, "Not found", "There is no such assignment in your organisation.", viewer)
    try:
        artifact = catalog.get(found.artifact_id)
    except UnknownArtifact:
        return problem(
            404, "Guide missing", f"The artifact {found.artifact_id!r} is no longer installed.", viewer
        )
    reviewer = next(
        (
            r
            for r in found.reviewers
            if r.github_id == viewer.github_id or r.login.lower() == viewer.login.lower()
        ),
        None,
    )
    return page(
        "review.html.j2",
        viewer=viewer,
        title=f"Review: {artifact.manifest.title}",
        a=found,
        artifact=artifact,
        reviewer=reviewer,
        # Without the HTML comment that marks the service's own PR comment (shown as text here).
        scorecard="\n".join(
            line
            for line in render_scorecard_comment(artifact.manifest.rubric).splitlines()
            if not line.startswith("<!--")
        ),
    )
