"""Web pages for recruiters and reviewers: server-rendered Jinja2, no build step.

Pages: ``/board`` (assignments, counts per status, filters), ``/assignments/new`` (the trigger
form), ``/assignments/{id}`` (timeline, links, score breakdown, ATS deliveries, cancel / extend /
resend), ``/results/{id}`` (Greenhouse's ``partner_profile_url``), ``/review`` (pull requests
waiting for the signed-in engineer), ``/review/{id}`` (the reviewer guide and scorecard format —
the only place the guide is shown), ``/people`` (role grants), ``/sign-in``.

Access (see ``access.py``): sign-in with GitHub through the App's OAuth web flow
(``worksample.auth``); only members of an organisation that installed the App get in (GitHub is
asked with the App's installation token); roles per organisation are ``recruiter`` (board,
trigger, assignment actions, results), ``reviewer`` (queue, guides) and ``admin`` (everything,
plus granting roles). Bootstrap: the first member of an organisation to sign in while it has no
role grants becomes its admin. Every query is scoped by the viewer's organisation; every POST
form carries a CSRF token bound to the session cookie.
"""

from fastapi import APIRouter

from worksample.web import routes_assignment, routes_auth, routes_board, routes_people, routes_review
from worksample.web.deps import install

router = APIRouter(include_in_schema=False)
for _module in (routes_auth, routes_board, routes_assignment, routes_review, routes_people):
    router.include_router(_module.router)

__all__ = ["install", "router"]
