"""Sign-in with GitHub through the App's user authorization (the OAuth web flow), reusable.

One :class:`~worksample.auth.flow.SignIn` per app (built in ``create_app``, reached with
``SignInDep``) gives every feature the same three steps:

* ``redirect = sign_in.begin(request, callback_path="/invite/callback", purpose="invite:...")`` —
  a 302 to GitHub's authorize page, with a random ``state`` kept in a signed, short-lived,
  HttpOnly cookie (the CSRF defence of the OAuth flow: a callback without the browser's own state
  cookie is refused);
* ``identity = await sign_in.finish(request)`` in the callback route — checks ``state``, exchanges
  the code (client id and secret) and reads ``GET /user``: a :class:`GitHubIdentity` proven by
  GitHub, and the ``purpose`` given to ``begin``;
* ``sign_in.sessions.set(response, identity)`` / ``.get(request)`` / ``.clear(response)`` — a
  signed, HttpOnly, SameSite=Lax session cookie (Secure when ``public_url`` is https), for pages
  that keep people signed in (recruiters, reviewers).

Lax, not Strict: GitHub's redirect back to the callback is a cross-site top-level navigation, and
a Strict cookie would not come with it.
"""

from worksample.auth.cookies import Session, SessionCookies
from worksample.auth.flow import SignIn, SignInDep, SignInError
from worksample.auth.github_oauth import GitHubIdentity

__all__ = ["GitHubIdentity", "Session", "SessionCookies", "SignIn", "SignInDep", "SignInError"]
