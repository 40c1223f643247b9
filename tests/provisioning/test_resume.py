"""Crash anywhere, run again: exactly one repository, one commit, one invitation; rate limits waited out."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.provisioning.test_end_to_end import create_assignment
from tests.provisioning.world import CANDIDATE, ORG, World, run_worker
from worksample.config import Settings
from worksample.github.pacing import Budget, PacingPolicy

REPO = f"test-sample-{CANDIDATE}"
# With templates the repository arrives with its content: there is no separate content step.
STEPS = {
    "template": ["repository", "invitation", "reviewer:lead", "reviewer:eng"],
    "direct": ["repository", "content", "invitation", "reviewer:lead", "reviewer:eng"],
}
CRASHES = [(mode, step) for mode, steps in STEPS.items() for step in steps]


class Crash(Exception):
    """Stands for the worker dying after GitHub acted and before the step was recorded."""


async def assert_provisioned_once(service: httpx.AsyncClient, world: World, assignment_id: str) -> None:
    body = (await service.get(f"/v1/assignments/{assignment_id}")).json()
    assert body["status"] == "invited", body
    assert body["repo_url"] == f"http://sandbox/{ORG}/{REPO}"
    repo = await world.repo(REPO)
    assert repo is not None
    # No second repository under a suffixed name.
    assert await world.repo(f"{REPO}-2") is None
    assert repo["branches"][repo["default_branch"]]["commits"] == 1
    assert [i["invitee"] for i in repo["invitations"]] == [CANDIDATE]
    # Read access for the reviewers, whether through the organization or a grant after a crash.
    assert [await world.reads(login, REPO) for login in ("lead", "eng")] == [True, True]
    assert set(repo["collaborators"]) <= {"lead", "eng"}
    assert set(repo["collaborators"].values()) <= {"pull"}
    creates = [c for c in await world.calls() if c["method"] == "POST" and c["path"] == f"/orgs/{ORG}/repos"]
    assert [c["status"] for c in creates if c["status"] == 201] == [201]


@pytest.mark.parametrize(("mode", "step"), CRASHES)
async def test_crash_after_each_step_then_rerun(
    mode: str, step: str, service: httpx.AsyncClient, gh_settings: Settings, world: World
) -> None:
    crashed: list[str] = []

    async def checkpoint(reached: str) -> None:
        if reached == step and not crashed:
            crashed.append(reached)
            raise Crash(f"killed after {reached}")

    assignment_id = await create_assignment(service)
    # The crash fails the job's first try; arq runs the retry in the same burst: the re-run.
    await run_worker(gh_settings, world, checkpoint=checkpoint, use_templates=mode == "template")
    assert crashed == [step]
    await assert_provisioned_once(service, world, assignment_id)


@pytest.mark.parametrize(
    ("mode", "method", "path"),
    [
        ("template", "POST", f"/orgs/{ORG}/repos"),
        ("template", "POST", f"/repos/{ORG}/worksample-template-*/git/commits"),
        ("template", "POST", f"/repos/{ORG}/worksample-template-*/generate"),
        ("direct", "POST", f"/orgs/{ORG}/repos"),
        ("direct", "POST", f"/repos/{ORG}/{REPO}/git/trees"),
        ("direct", "POST", f"/repos/{ORG}/{REPO}/git/commits"),
        ("direct", "PATCH", f"/repos/{ORG}/{REPO}/git/refs/*"),
        ("template", "PUT", f"/repos/{ORG}/{REPO}/collaborators/{CANDIDATE}"),
        ("template", "GET", f"/repos/{ORG}/{REPO}/collaborators/eng/permission"),
    ],
)
async def test_github_errors_on_each_call_are_retried(
    mode: str, method: str, path: str, service: httpx.AsyncClient, gh_settings: Settings, world: World
) -> None:
    await world.fault(method, path, times=2, status=502)
    assignment_id = await create_assignment(service)
    await run_worker(gh_settings, world, use_templates=mode == "template")
    calls = await world.calls()
    assert any(c["status"] == 502 for c in calls), "the fault never fired"
    await assert_provisioned_once(service, world, assignment_id)


async def _limit(world: World, **config: Any) -> None:
    response = await world.control.patch("/_sandbox/config", json=config)
    assert response.status_code == 200, response.text


async def test_secondary_rate_limits_are_waited_out_in_line(
    service: httpx.AsyncClient, gh_settings: Settings, world: World
) -> None:
    """Unpaced writes into a tight limit: GitHub says wait, the transport waits, nothing fails."""
    assignment_id = await create_assignment(service)
    await _limit(world, content_limit_short=3, content_window_short_seconds=1.0)
    await run_worker(gh_settings, world, pacing=PacingPolicy(interval=0, budgets=()))
    limited = [c for c in await world.calls() if c["status"] == 403]
    assert limited, "the limit never triggered: the test proves nothing"
    await assert_provisioned_once(service, world, assignment_id)


async def test_long_rate_limits_defer_the_job_instead_of_failing(
    service: httpx.AsyncClient, gh_settings: Settings, world: World
) -> None:
    """A wait longer than the in-line maximum goes back to arq as Retry(defer=...)."""
    assignment_id = await create_assignment(service)
    # Five writes per 3 s: the largest step (building the template: create, tree, commit, ref)
    # fits in one window. A limit below a step's writes, with no in-line waiting, would make every
    # retry redo the step into the same limit; GitHub's 80 a minute never comes near that.
    await _limit(world, content_limit_short=5, content_window_short_seconds=3.0)
    await run_worker(gh_settings, world, pacing=PacingPolicy(interval=0, budgets=()), max_rate_limit_wait=0)
    assert [c for c in await world.calls() if c["status"] == 403]
    body = (await service.get(f"/v1/assignments/{assignment_id}")).json()
    assert not any(e["kind"] == "assignment.failed" for e in body["timeline"])
    await assert_provisioned_once(service, world, assignment_id)


async def test_far_pacing_slots_requeue_the_job_instead_of_sleeping(
    service: httpx.AsyncClient, gh_settings: Settings, world: World
) -> None:
    """Our own budget (3 writes per 1.5 s here, 500 an hour on GitHub) defers the job via arq."""
    assignment_id = await create_assignment(service)
    await run_worker(
        gh_settings,
        world,
        pacing=PacingPolicy(interval=0, budgets=(Budget(3, 1.5),)),
        max_rate_limit_wait=0.3,
    )
    body = (await service.get(f"/v1/assignments/{assignment_id}")).json()
    assert body["status"] == "invited"
    # Paced, so GitHub never had to refuse anything.
    assert not [c for c in await world.calls() if c["status"] in (403, 429)]
    await assert_provisioned_once(service, world, assignment_id)
