"""Signing in and out of the web pages, and switching organisation."""

from __future__ import annotations

import logging
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from worksample.api.deps import SessionDep
from worksample.auth import SignInDep, SignInError
from worksample.auth.cookies import Session
from worksample.web.access import (
    NONCE_COOKIE,
    ORG_COOKIE,
    AccessRefused,
    bootstrap_admin,
    csrf_token_for,
    member_organizations,
    set_nonce,
)
from worksample.web.deps import Csrf, ViewerDep, memberships
from worksample.web.render import page, problem

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)

CALLBACK_PATH = "/sign-in/callback"
_PURPOSE = "web:"


def safe_next(value: str | None) -> str:
    """Only a path on this site: an open redirect would let a link send people anywhere."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/board"
    return value


@router.get("/")
async def home() -> Response:
    return RedirectResponse("/board", status_code=303)


@router.get("/sign-in")
async def sign_in_page(request: Request, sign_in: SignInDep, next: str | None = None) -> Response:
    # Signed in here already (a candidate's invitation session lacks the web nonce: no loop).
    if sign_in.sessions.get(request) is not None and csrf_token_for(request):
        return RedirectResponse(safe_next(next), status_code=303)
    return page("sign_in.html.j2", title="Sign in", next=safe_next(next), configured=sign_in.configured)


@router.get("/sign-in/github")
async def sign_in_start(sign_in: SignInDep, next: str | None = None) -> Response:
    try:
        return sign_in.begin(callback_path=CALLBACK_PATH, purpose=_PURPOSE + safe_next(next))
    except SignInError as exc:
        return problem(503, "Sign-in unavailable", str(exc))


@router.get(CALLBACK_PATH)
async def sign_in_callback(request: Request, db: SessionDep, sign_in: SignInDep) -> Response:
    try:
        completed = await sign_in.finish(request)
    except SignInError as exc:
        return problem(400, "Sign-in did not complete", str(exc))
    if not completed.purpose.startswith(_PURPOSE):
        return problem(400, "Sign-in did not complete", "This sign-in was not started from these pages.")
    identity = completed.identity
    user = Session(github_id=identity.github_id, login=identity.login)
    try:
        orgs = await member_organizations(db, memberships(request), user)
    except AccessRefused as exc:
        return problem(503, "Cannot check your membership", str(exc))
    if not orgs:
        log.info("web.refused_non_member login=%s", identity.login)
        response = problem(
            403,
            "Not a member",
            f"The GitHub account {identity.login} is not a member of an organisation that installed "
            "this App, so it cannot use these pages. If that is wrong, ask an owner of your "
            "organisation on GitHub to add you, then sign in again.",
        )
        sign_in.forget_state(response)
        return response
    for org in orgs:
        await bootstrap_admin(db, org, user)
    await db.commit()
    redirect = RedirectResponse(safe_next(completed.purpose.removeprefix(_PURPOSE)), status_code=303)
    sign_in.forget_state(redirect)
    sign_in.sessions.set(redirect, identity.github_id, identity.login)
    set_nonce(
        redirect,
        max_age=sign_in.settings.session_max_age_seconds,
        secure=sign_in.settings.public_url.startswith("https://"),
    )
    return redirect


@router.post("/sign-out", dependencies=[Csrf])
async def sign_out(sign_in: SignInDep) -> Response:
    response = RedirectResponse("/sign-in", status_code=303)
    sign_in.sessions.clear(response)
    response.delete_cookie(NONCE_COOKIE, httponly=True, samesite="lax")
    return response


@router.post("/org", dependencies=[Csrf])
async def switch_org(viewer: ViewerDep, org: Annotated[str, Form(max_length=39)]) -> Response:
    response = RedirectResponse("/board", status_code=303)
    if org in viewer.other_orgs:
        response.set_cookie(ORG_COOKIE, org, httponly=True, samesite="lax", max_age=365 * 86400)
    return response


@router.get("/static/web.css")
async def stylesheet() -> Response:
    css = (resources.files("worksample.web") / "static" / "web.css").read_text()
    return Response(css, media_type="text/css", headers={"Cache-Control": "public, max-age=300"})
