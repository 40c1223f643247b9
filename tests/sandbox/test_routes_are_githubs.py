"""Every GitHub route the simulator serves is a route of GitHub's REST API as githubkit knows it.

The operations are read from githubkit-schemas' generated clients (each documents ``METHOD /path``),
so a typo in a simulated path, or a route GitHub does not have, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import githubkit_schemas.latest as latest

from worksample.sandbox import create_app

# Served on purpose although githubkit has no operation for them, each for a stated reason.
NOT_IN_GITHUBKIT = {
    # Where a renamed repository's old name redirects (recorded in fixtures/github/rest/rename-repository).
    ("GET", "/repositories/{}"),
    ("PATCH", "/repositories/{}"),
    # Deprecated listing still answered by GitHub (recorded in fixtures/github/rest/git-refs).
    ("GET", "/repos/{}/{}/git/refs"),
    ("GET", "/repos/{}/{}/git/refs/"),
    # The root directory listing, with and without the trailing slash (fixtures/github/rest/get-content).
    ("GET", "/repos/{}/{}/contents"),
    ("GET", "/repos/{}/{}/contents/"),
}


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path)


def _githubkit_operations() -> set[tuple[str, str]]:
    rest = Path(latest.__file__).parent.parent / "v2026_03_10" / "rest"
    found: set[tuple[str, str]] = set()
    for source in rest.glob("*.py"):
        for method, path in re.findall(r"^\s+(GET|POST|PUT|PATCH|DELETE) (/\S*)$", source.read_text(), re.M):
            found.add((method, _shape(path)))
    return found


def test_every_served_route_is_a_github_route() -> None:
    known = _githubkit_operations()
    assert len(known) > 500  # the whole REST API, not an empty scan
    served = {
        (method.upper(), _shape(path))
        for path, operations in create_app().openapi()["paths"].items()
        if not path.startswith("/_sandbox")
        for method in operations
    }
    assert len(served) > 60
    # The OAuth web flow lives on github.com, not in the REST API.
    web_flow = {(m, p) for m, p in served if p.startswith("/login/oauth/")}
    assert sorted(served - known - NOT_IN_GITHUBKIT - web_flow) == []
