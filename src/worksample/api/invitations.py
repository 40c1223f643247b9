"""The candidate's invitation link: a page explaining the assignment, and its sign-in callback.

``GET /invite/{token}`` shows the assignment and a "Sign in with GitHub" link;
``GET /invite/{token}/sign-in`` starts GitHub's OAuth web flow (worksample.auth);
``GET /invite/callback`` proves the account, records it as the candidate and enqueues
provisioning. Pages, not JSON: a person reads them. Nothing here needs an API key; the token is
the credential, and the pages send ``Referrer-Policy: no-referrer`` so it does not leak onward.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from worksample.api.assignments import enqueue_provisioning
from worksample.api.deps import ArqPoolDep, CatalogDep, SessionDep, SettingsDep
from worksample.artifacts.errors import UnknownArtifact
from worksample.auth import SignInDep, SignInError
from worksample.db.models import Assignment, CandidateInvitation, Organization
from worksample.db.session import session_now
from worksample.invitations import InvitationProblem, accept_invitation, find_invitation
from worksample.invitations.service import check_usable

log = logging.getLogger(__name__)
router = APIRouter(tags=["invitations"], include_in_schema=False)

CALLBACK_PATH = "/invite/callback"
_PURPOSE_PREFIX = "invitation:"
_HEADERS = {"Referrer-Policy": "no-referrer", "Cache-Control": "no-store"}


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("worksample.invitations", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",)),
        undefined=StrictUndefined,
    )


def _page(status: int = 200, **context: Any) -> HTMLResponse:
    values: dict[str, Any] = {
        "title": "Your work sample",
        "problem": None,
        "assignment": None,
        "sign_in_url": None,
        "started": False,
        **context,
    }
    html = _templates().get_template("page.html.j2").render(**values)
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def _problem(status: int, message: str) -> HTMLResponse:
    return _page(status, title="This link cannot be used", problem=message)


@router.get("/invite/callback", response_class=HTMLResponse)
async def invitation_callback(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    sign_in: SignInDep,
    arq_pool: ArqPoolDep,
) -> Response:
    try:
        completed = await sign_in.finish(request)
    except SignInError as exc:
        return _problem(400, str(exc))
    purpose = completed.purpose
    invitation_id = purpose.removeprefix(_PURPOSE_PREFIX)
    if not purpose.startswith(_PURPOSE_PREFIX) or not invitation_id.isdigit():
        return _problem(400, "This sign-in was not started from an invitation link.")
    try:
        assignment = await accept_invitation(session, int(invitation_id), completed.identity)
    except InvitationProblem as exc:
        await session.rollback()
        return _problem(exc.status, exc.message)
    assignment_id = assignment.id
    await session.commit()
    await enqueue_provisioning(arq_pool, settings, assignment_id)
    response = _page(title="You are all set", started=True, login=completed.identity.login)
    sign_in.forget_state(response)
    return response


async def _open_invitation(
    session: SessionDep, token: str
) -> tuple[CandidateInvitation, Assignment] | HTMLResponse:
    invitation = await find_invitation(session, token)
    if invitation is None:
        return _problem(404, "This invitation link is not valid. Check that you copied all of it.")
    assignment = await session.get_one(Assignment, invitation.assignment_id)
    try:
        check_usable(invitation, assignment, now=session_now(session))
    except InvitationProblem as exc:
        return _problem(exc.status, exc.message)
    return invitation, assignment


@router.get("/invite/{token}", response_class=HTMLResponse)
async def invitation_page(token: str, session: SessionDep, catalog: CatalogDep) -> Response:
    opened = await _open_invitation(session, token)
    if isinstance(opened, HTMLResponse):
        return opened
    _, assignment = opened
    organization = await session.get_one(Organization, assignment.organization_id)
    try:
        manifest = catalog.get(assignment.artifact_id).manifest
        title, summary = manifest.title, manifest.summary
    except UnknownArtifact:
        title, summary = assignment.artifact_id, ""
    hours = assignment.time_limit_hours
    limit = f"{hours} hours once your repository is ready" if hours else "until the deadline"
    if assignment.deadline_at is not None and hours is None:
        limit = f"until {assignment.deadline_at:%d %B %Y, %H:%M} UTC"
    return _page(
        assignment=True,
        organization=organization.login,
        artifact_title=title,
        summary=summary,
        time_limit_text=limit,
        sign_in_url=f"/invite/{token}/sign-in",
    )


@router.get("/invite/{token}/sign-in")
async def invitation_sign_in(token: str, session: SessionDep, sign_in: SignInDep) -> Response:
    opened = await _open_invitation(session, token)
    if isinstance(opened, HTMLResponse):
        return opened
    invitation, _ = opened
    try:
        return sign_in.begin(callback_path=CALLBACK_PATH, purpose=f"{_PURPOSE_PREFIX}{invitation.id}")
    except SignInError as exc:
        return _problem(503, str(exc))
