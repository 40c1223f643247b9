"""The simulated GitHub the demo runs against: an organization, its people, and our App.

Set up through the simulator's control routes, as a person would click it together on github.com.
The App is created with the permissions, events and callback URLs of ``github_app/manifest.json``,
so the demo runs with exactly what a real installation would grant.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from typing import Any

import httpx

from worksample.demo.errors import DemoError
from worksample.ops.manifest import ManifestError, load_manifest

ORG = "acme"
LEAD = "grace-lead"
ENGINEER = "linus-eng"
CANDIDATE = "ada-candidate"
APP_NAME = "worksample-demo"
WEBHOOK_PATH = "/github/webhooks"


@dataclass(frozen=True)
class DemoWorld:
    org: str
    app_id: int
    app_slug: str
    private_key: str
    webhook_secret: str
    # The App's OAuth credentials, so people can sign in to the service's pages with GitHub.
    client_id: str
    client_secret: str
    installation_id: int
    # login → personal access token (acts as that person on the simulator's GitHub API).
    tokens: dict[str, str]


async def _post(control: httpx.AsyncClient, path: str, body: dict[str, Any]) -> dict[str, Any]:
    response = await control.post(path, json=body)
    if response.status_code != 201:
        raise DemoError(f"the GitHub simulator refused {path}: {response.status_code} {response.text}")
    result: dict[str, Any] = response.json()
    return result


def _manifest_grants(service_url: str) -> dict[str, Any]:
    try:
        manifest = load_manifest()
    except ManifestError:
        # An installed package without the checkout's github_app/: the simulator's defaults are
        # the same minimum set (and any callback URL).
        return {}
    return {
        "permissions": manifest.permissions,
        "events": ["installation", *manifest.events],
        # The simulator refuses a sign-in whose redirect is not registered, as GitHub does.
        "callback_urls": manifest.for_public_url(service_url)["callback_urls"],
    }


async def build_world(control: httpx.AsyncClient, *, service_url: str) -> DemoWorld:
    """Users, the org and the App (webhooks to ``service_url``), not installed yet."""
    tokens: dict[str, str] = {}
    for login, name in ((LEAD, "Grace Lead"), (ENGINEER, "Linus Engineer"), (CANDIDATE, "Ada Candidate")):
        tokens[login] = (await _post(control, "/_sandbox/users", {"login": login, "name": name}))["token"]
    await _post(control, "/_sandbox/orgs", {"login": ORG, "members": [LEAD, ENGINEER], "admins": [LEAD]})
    webhook_secret = secrets.token_hex(32)
    app = await _post(
        control,
        "/_sandbox/apps",
        {
            "name": APP_NAME,
            "webhook_url": service_url.rstrip("/") + WEBHOOK_PATH,
            "webhook_secret": webhook_secret,
            "owner": ORG,
            **_manifest_grants(service_url),
        },
    )
    return DemoWorld(
        org=ORG,
        app_id=int(app["id"]),
        app_slug=str(app["slug"]),
        private_key=str(app["private_key"]),
        webhook_secret=webhook_secret,
        client_id=str(app["client_id"]),
        client_secret=str(app["client_secret"]),
        installation_id=0,
        tokens=tokens,
    )


async def install_app(control: httpx.AsyncClient, world: DemoWorld) -> DemoWorld:
    """Install the App on the org; done once the service listens, so it hears the ``installation``
    webhook as it would on github.com."""
    installation = await _post(control, "/_sandbox/installations", {"app_id": world.app_id, "account": ORG})
    return replace(world, installation_id=int(installation["id"]))
