"""Route dependencies: the signed-in viewer with a role, and the CSRF check of POST forms.

Refusals raise :class:`PageRefusal`; ``install`` turns it into an HTML page (a redirect to the
sign-in page for someone not signed in), never the API's JSON.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.responses import RedirectResponse, Response

from worksample.api.deps import SessionDep
from worksample.auth import SignInDep
from worksample.web.access import (
    ORG_COOKIE,
    AccessRefused,
    Memberships,
    Role,
    Viewer,
    choose,
    csrf_ok,
    csrf_token_for,
    member_organizations,
    roles_of,
)
from worksample.web.render import problem


class PageRefusal(Exception):
    def __init__(self, status: int, title: str, message: str, viewer: Viewer | None = None) -> None:
        super().__init__(message)
        self.status, self.title, self.message, self.viewer = status, title, message, viewer


class SignInNeeded(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def memberships(request: Request) -> Memberships:
    found: Memberships | None = getattr(request.app.state, "web_memberships", None)
    if found is None:
        found = Memberships(request.app.state.resources.github)
        request.app.state.web_memberships = found
    return found


async def current_viewer(request: Request, db: SessionDep, sign_in: SignInDep) -> Viewer:
    user = sign_in.sessions.get(request)
    if user is None or not csrf_token_for(request):
        # No session, or one from another page (the candidate's invitation) without the web nonce.
        raise SignInNeeded(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    try:
        orgs = await member_organizations(db, memberships(request), user)
    except AccessRefused as exc:
        raise PageRefusal(503, "Cannot check your membership", str(exc)) from None
    if not orgs:
        raise PageRefusal(
            403,
            "Not a member",
            f"The GitHub account {user.login} is not a member of an organisation that installed this "
            "App. Ask an owner of your organisation to add you, then sign in again.",
        )
    org = choose(orgs, request.cookies.get(ORG_COOKIE))
    roles = await roles_of(db, org.id, user.github_id)
    # End the read transaction before the route starts its own work.
    await db.commit()
    return Viewer(
        github_id=user.github_id,
        login=user.login,
        org_id=org.id,
        org_login=org.login,
        roles=roles,
        csrf_token=csrf_token_for(request),
        other_orgs=tuple(o.login for o in orgs if o.id != org.id),
    )


def need(role: Role) -> Callable[[Viewer], Awaitable[Viewer]]:
    async def check(viewer: Annotated[Viewer, Depends(current_viewer)]) -> Viewer:
        if not viewer.has(role):
            raise PageRefusal(
                403,
                "Not allowed",
                f"This page needs the {role.value} role in {viewer.org_login}. "
                "Ask your organisation's admin to grant it on the People page.",
                viewer,
            )
        return viewer

    return check


async def check_csrf(request: Request) -> None:
    if request.method == "POST":
        form = await request.form()
        token = form.get("csrf_token")
        if not csrf_ok(request, token if isinstance(token, str) else None):
            raise PageRefusal(
                403,
                "Form expired",
                "This form could not be verified (it is from an older sign-in or another site). "
                "Go back, reload the page and submit again.",
            )


ViewerDep = Annotated[Viewer, Depends(current_viewer)]
RecruiterDep = Annotated[Viewer, Depends(need(Role.RECRUITER))]
ReviewerDep = Annotated[Viewer, Depends(need(Role.REVIEWER))]
AdminDep = Annotated[Viewer, Depends(need(Role.ADMIN))]
Csrf = Depends(check_csrf)


def install(app: FastAPI) -> None:
    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, PageRefusal)
        return problem(exc.status, exc.title, exc.message, exc.viewer)

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInNeeded)
        return RedirectResponse(f"/sign-in?next={quote(exc.next_path, safe='')}", status_code=303)

    app.add_exception_handler(PageRefusal, refused)
    app.add_exception_handler(SignInNeeded, sign_in_first)
