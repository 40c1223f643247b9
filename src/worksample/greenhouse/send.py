"""``send_test``: an assignment for a candidate Greenhouse knows by e-mail, and their invitation.

The assignment goes through the same checks and inserts as ``POST /v1/assignments`` (an
``AssignmentCreate`` with no login), so the two ways in cannot drift apart; reviewers come from
the organisation's defaults.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from worksample.api.intake import check_request, insert_assignment, upsert_candidate
from worksample.api.schemas import AssignmentCreate, CandidateIn
from worksample.artifacts.catalog import Catalog
from worksample.config import Settings
from worksample.db.encryption import Purpose, SecretBox
from worksample.db.models import Assignment, GreenhouseTest, Organization
from worksample.db.timeline import record_event
from worksample.greenhouse.reviewers import reviewers_for
from worksample.greenhouse.schemas import SendTestIn
from worksample.invitations import IssuedInvitation, issue_invitation

# The API (and the ATS events that echo them) take external id values of at most 200 characters.
MAX_EXTERNAL_ID_LENGTH = 200


@dataclass(frozen=True)
class SentTest:
    assignment: Assignment
    invitation: IssuedInvitation


def external_ids(body: SendTestIn) -> dict[str, str]:
    ids = {"greenhouse_partner_test_id": body.partner_test_id}
    profile = body.candidate.greenhouse_profile_url
    if profile and len(profile) <= MAX_EXTERNAL_ID_LENGTH:
        ids["greenhouse_profile_url"] = profile
    return ids


async def send_test(
    session: AsyncSession,
    org: Organization,
    body: SendTestIn,
    *,
    api_key: str,
    catalog: Catalog,
    settings: Settings,
    now: datetime,
) -> SentTest:
    """Create the assignment (``requested``, no login), its Greenhouse record and its invitation.

    Raises ``NoDefaultReviewers`` and the API's validation errors; the caller commits, then
    e-mails the invitation.
    """
    request = AssignmentCreate(
        candidate=CandidateIn(email=body.candidate.email, name=body.candidate.display_name()),
        artifact_id=body.partner_test_id,
        reviewers=reviewers_for(org.default_reviewers, body.partner_test_id),
        external_ids=external_ids(body),
    )
    checked = check_request(request, catalog, now=now)
    person = await upsert_candidate(session, org, request.candidate, None)
    assignment = await insert_assignment(session, org, request, checked, person, now=now)
    session.add(
        GreenhouseTest(
            assignment_id=assignment.id,
            organization_id=org.id,
            partner_test_id=body.partner_test_id,
            callback_url=body.url,
            # Encrypted at rest: it is one of the organisation's live API keys.
            callback_key=SecretBox.from_settings(settings, Purpose.GREENHOUSE_KEY).seal(api_key),
            greenhouse_profile_url=body.candidate.greenhouse_profile_url,
            sent_by=body.sent_by,
            completion_state="waiting",
            created_at=now,
            updated_at=now,
        )
    )
    await record_event(
        session,
        assignment,
        "greenhouse.test_sent",
        detail={"partner_test_id": body.partner_test_id, "sent_by": body.sent_by},
        at=now,
    )
    invitation = await issue_invitation(session, assignment, body.candidate.email, settings, now=now)
    return SentTest(assignment=assignment, invitation=invitation)
