"""Finding every GitHub REST route the service's code calls, as ``METHOD /path/{}``.

Two ways the code reaches GitHub: githubkit's generated methods (``gh.rest.repos.async_get``),
resolved to their route by reading the method's own source (githubkit builds ``url = f"/repos/..."``
and calls ``arequest("GET", url, ...)``), and raw ``arequest("METHOD", "/path")`` calls. Any other
``arequest`` use cannot be checked, so it is reported as a problem.
"""

from __future__ import annotations

import inspect
import re
from collections import defaultdict
from pathlib import Path

from githubkit import GitHub

SRC = Path(__file__).resolve().parents[2] / "src" / "worksample"
# The simulator serves GitHub's routes rather than calling them.
EXCLUDED = ("sandbox",)

GITHUBKIT_CALL = re.compile(r"\brest\s*\.\s*([a-z_]+)\s*\.\s*([a-z_]+)\s*\(")
RAW_CALL = re.compile(r"\barequest\(\s*\"([A-Z]+)\"\s*,\s*f?\"(/[^\"]*)\"")
ANY_RAW = re.compile(r"\barequest\(")
_URL = re.compile(r"url = f?\"([^\"]+)\"")
_METHOD = re.compile(r"arequest\(\s*\"([A-Z]+)\"")
_PLACEHOLDER = re.compile(r"\{[^}]*\}")


def normalise(route: str) -> str:
    """``PUT /repos/{owner}/{repo}`` and ``PUT /repos/{o}/{name}`` are the same route."""
    return _PLACEHOLDER.sub("{}", route)


def source_files() -> list[Path]:
    return sorted(path for path in SRC.rglob("*.py") if path.relative_to(SRC).parts[0] not in EXCLUDED)


def githubkit_route(group: str, method: str) -> str:
    """``METHOD /path`` of githubkit's ``rest.<group>.<method>``."""
    client = GitHub("unused-token")
    function = getattr(getattr(client.rest, group), method)
    source = inspect.getsource(function)
    url, verb = _URL.search(source), _METHOD.search(source)
    if url is None or verb is None:
        raise LookupError(f"cannot read the route of rest.{group}.{method} from githubkit's source")
    return f"{verb.group(1)} {url.group(1)}"


def called_routes() -> tuple[dict[str, set[str]], list[str]]:
    """Normalised route → the places calling it; and the calls that could not be resolved."""
    routes: dict[str, set[str]] = defaultdict(set)
    problems: list[str] = []
    for path in source_files():
        text = path.read_text()
        where = str(path.relative_to(SRC))
        for match in GITHUBKIT_CALL.finditer(text):
            group, method = match.groups()
            try:
                route = githubkit_route(group, method)
            except (AttributeError, LookupError) as exc:
                problems.append(f"{where}: rest.{group}.{method}: {exc}")
                continue
            routes[normalise(route)].add(f"{where} (rest.{group}.{method})")
        raw = {m.start() for m in RAW_CALL.finditer(text)}
        for match in RAW_CALL.finditer(text):
            routes[normalise(f"{match.group(1)} {match.group(2)}")].add(f"{where} (arequest)")
        for match in ANY_RAW.finditer(text):
            if match.start() not in raw:
                line = text.count("\n", 0, match.start()) + 1
                problems.append(f"{where}:{line}: arequest without a literal method and path")
    return routes, problems
