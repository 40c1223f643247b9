"""A stateful GitHub simulator: GitHub's REST routes and webhooks, in memory, for tests and demos.

Build one::

    from worksample.sandbox import create_app
    sim = create_app(webhook_transport=httpx.ASGITransport(app=service))  # or None: real HTTP

Drive it: the control routes under ``/_sandbox`` set up the world, everything else is GitHub's API::

    POST /_sandbox/users {"login": "alice"}                    -> {"id", "login", "token"}  (a PAT)
    POST /_sandbox/orgs {"login": "acme", "members": ["lead"]} -> {"id", "login"}
    POST /_sandbox/apps {"name", "webhook_url", "webhook_secret"} -> {"id", "slug", "private_key"} (PEM)
    POST /_sandbox/installations {"app_id", "account": "acme"} -> {"id"}
    POST /_sandbox/clock {"advance_seconds": 3600}
    POST /_sandbox/webhooks/flush   # wait until every pending webhook delivery has been made
    GET  /_sandbox/calls | /_sandbox/deliveries | /_sandbox/repos/{owner}/{name}

Then point githubkit at it: ``GitHub(AppAuthStrategy(app_id, private_key), base_url="http://sandbox",
async_transport=httpx.ASGITransport(app=sim), http_cache=False, auto_retry=False)``. From Python,
``sim.state.sandbox`` is the live ``Sandbox`` (``await sim.state.sandbox.webhooks.flush()``).
``docs/sandbox.md`` lists every simulated route and behaviour.
"""

from worksample.sandbox.app import create_app
from worksample.sandbox.context import Sandbox
from worksample.sandbox.state import Clock, RateLimitConfig

__all__ = ["Clock", "RateLimitConfig", "Sandbox", "create_app"]
