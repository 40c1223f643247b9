"""The App's manifest asks for what the code needs: no less (every route it calls is allowed) and no
more (every permission asked for is needed by a route called or an event subscribed to)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.github_app.scan import called_routes, githubkit_route, normalise
from worksample.ops.manifest import LEVELS, covers, load_manifest

GITHUB_APP = Path(__file__).resolve().parents[2] / "github_app"


@pytest.fixture(scope="module")
def route_map() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GITHUB_APP / "routes.json").read_text())
    return data


def _satisfied(alternatives: list[dict[str, str]], granted: dict[str, str]) -> bool:
    return any(all(covers(granted.get(p), level) for p, level in need.items()) for need in alternatives)


def test_the_scan_finds_the_calls_it_must() -> None:
    # A guard on the scanner itself: these calls exist in the provisioning code and doctor.
    routes, _ = called_routes()
    assert "POST /orgs/{}/repos" in routes
    assert "PUT /repos/{}/{}/collaborators/{}" in routes
    assert "GET /app/installations" in routes
    assert githubkit_route("repos", "async_add_collaborator") == (
        "PUT /repos/{owner}/{repo}/collaborators/{username}"
    )


def test_every_called_route_is_mapped_and_allowed_by_the_manifest(route_map: dict[str, Any]) -> None:
    manifest = load_manifest(GITHUB_APP / "manifest.json")
    mapped = {normalise(route): spec for route, spec in route_map["routes"].items()}
    routes, problems = called_routes()
    assert problems == []
    unmapped = {route: sorted(where) for route, where in routes.items() if route not in mapped}
    assert unmapped == {}, "add these routes and their permissions to github_app/routes.json"
    refused = {
        route: mapped[route]["requires"]
        for route in routes
        if not _satisfied(mapped[route]["requires"], manifest.permissions)
    }
    assert refused == {}, "github_app/manifest.json does not grant what these routes need"


def test_every_subscribed_event_is_allowed(route_map: dict[str, Any]) -> None:
    manifest = load_manifest(GITHUB_APP / "manifest.json")
    events = route_map["events"]
    assert sorted(set(manifest.events) - set(events)) == []
    assert [e for e in manifest.events if not _satisfied(events[e]["requires"], manifest.permissions)] == []


def test_the_manifest_asks_for_nothing_unneeded(route_map: dict[str, Any]) -> None:
    manifest = load_manifest(GITHUB_APP / "manifest.json")
    mapped = {normalise(route): spec for route, spec in route_map["routes"].items()}
    routes, _ = called_routes()
    needs: list[list[dict[str, str]]] = [mapped[r]["requires"] for r in routes if r in mapped]
    needs += [route_map["events"][e]["requires"] for e in manifest.events]
    for permission, level in manifest.permissions.items():
        if permission in route_map["always"]:
            continue
        lowered = dict(manifest.permissions)
        lower = LEVELS.index(level) - 1
        if lower < 0:
            del lowered[permission]
        else:
            lowered[permission] = LEVELS[lower]
        # With this permission one level lower, something the code does must stop being allowed.
        assert any(not _satisfied(alternatives, lowered) for alternatives in needs), (
            f"{permission}: {level} is more than any called route or subscribed event needs"
        )


def test_the_route_map_is_well_formed(route_map: dict[str, Any]) -> None:
    # GitHub App permission names (repository and organization ones this map may mention).
    known = {
        "administration",
        "contents",
        "issues",
        "members",
        "metadata",
        "pull_requests",
        "checks",
        "statuses",
        "workflows",
        "organization_administration",
    }
    for route, spec in route_map["routes"].items():
        method, _, path = route.partition(" ")
        assert method in {"GET", "POST", "PUT", "PATCH", "DELETE"}, route
        assert path.startswith("/"), route
        assert spec["auth"] in {"app", "installation", "any", "none"}, route
        assert spec["requires"], route
        assert spec["why"], route
        for alternative in spec["requires"]:
            assert set(alternative) <= known, route
            assert set(alternative.values()) <= set(LEVELS), route


async def test_the_manifests_urls_are_served_by_the_service() -> None:
    from worksample.app import create_app
    from worksample.config import Settings

    public = "https://ws.example.com"
    manifest = load_manifest(GITHUB_APP / "manifest.json").for_public_url(public)
    service = create_app(Settings(_env_file=None, sandbox=True))
    # Asked without the lifespan: a served path fails in its handler or refuses the request, while
    # an unknown one gets the router's own 404 (routers are included lazily, so routes cannot be listed).
    transport = httpx.ASGITransport(app=service, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=public) as client:
        unknown = await client.get("/no-such-route-here")
        paths = [manifest["hook_attributes"]["url"], *manifest["callback_urls"]]
        for url in paths:
            method = "POST" if url == manifest["hook_attributes"]["url"] else "GET"
            answer = await client.request(method, url.removeprefix(public))
            assert (answer.status_code, answer.content) != (unknown.status_code, unknown.content), url


def test_every_sign_in_callback_is_registered_on_the_app() -> None:
    """GitHub sends a sign-in back only to a callback URL the App registered: a page whose
    callback is missing from the manifest could never finish signing anyone in."""
    from worksample.api.invitations import CALLBACK_PATH as INVITATION_CALLBACK
    from worksample.web.routes_auth import CALLBACK_PATH as WEB_CALLBACK

    public = "https://ws.example.com"
    registered = load_manifest(GITHUB_APP / "manifest.json").for_public_url(public)["callback_urls"]
    for path in (WEB_CALLBACK, INVITATION_CALLBACK):
        assert public + path in registered, path
