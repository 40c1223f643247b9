"""Stored assignments as API bodies, and the opaque cursor of the list endpoint."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime

from worksample.api.errors import validation_error
from worksample.api.schemas import AssignmentOut, CandidateOut, ReviewerOut, TimelineEntryOut
from worksample.assignments import AssignmentStatus, ReviewerRole
from worksample.db.models import Assignment


def assignment_out(assignment: Assignment, *, timeline: bool) -> AssignmentOut:
    """Needs ``candidate`` and ``reviewers`` loaded, and ``events`` when ``timeline`` is true."""
    person = assignment.candidate
    return AssignmentOut(
        id=assignment.id,
        status=AssignmentStatus(assignment.status),
        version=assignment.version,
        failure_reason=assignment.failure_reason,
        candidate=CandidateOut(
            login=person.login, github_id=person.github_id, name=person.name, email=person.email
        ),
        artifact_id=assignment.artifact_id,
        variables=assignment.variables,
        deadline=assignment.deadline_at,
        time_limit_hours=assignment.time_limit_hours,
        external_ids=assignment.external_ids,
        reviewers=[
            ReviewerOut(login=r.login, github_id=r.github_id, role=ReviewerRole(r.role), weight=r.weight)
            for r in assignment.reviewers
        ],
        repo_url=assignment.repo_html_url,
        pr_url=assignment.pr_url,
        score=assignment.score,
        created_at=assignment.created_at,
        updated_at=assignment.updated_at,
        timeline=[
            TimelineEntryOut(
                at=e.at,
                kind=e.kind,
                from_status=AssignmentStatus(e.from_status) if e.from_status else None,
                to_status=AssignmentStatus(e.to_status) if e.to_status else None,
                version=e.version,
                detail=e.detail,
            )
            for e in assignment.events
        ]
        if timeline
        else None,
    )


def encode_cursor(created_at: datetime, assignment_id: str) -> str:
    raw = json.dumps([created_at.isoformat(), assignment_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """The position after which the next page starts; 422 on anything we did not hand out."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created, assignment_id = json.loads(raw)
        moment = datetime.fromisoformat(created)
        if moment.tzinfo is None or not isinstance(assignment_id, str):
            raise ValueError("bad cursor")
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        raise validation_error({"query.cursor": "not a cursor from a previous page"}) from None
    return moment, assignment_id
