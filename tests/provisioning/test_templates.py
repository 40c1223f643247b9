"""Template repositories: built once per rendered content, then one generate call per candidate."""

from __future__ import annotations

import httpx

from tests.provisioning.test_end_to_end import REQUEST, create_assignment
from tests.provisioning.world import ORG, World, run_worker
from worksample.config import Settings
from worksample.github.client import GitHubApp
from worksample.github.pacing import LocalWritePacer, PacingPolicy


def _request(login: str, company: str = "Globex") -> dict[str, object]:
    return {**REQUEST, "candidate": {"login": login}, "variables": {"company": company, "seats": 42}}


async def test_same_content_shares_one_template_other_content_gets_its_own(
    service: httpx.AsyncClient, gh_settings: Settings, world: World
) -> None:
    for login in ("cand-2", "cand-3"):
        await world.add_user(login)
    ids = [
        await create_assignment(service, _request("cand-1")),
        await create_assignment(service, _request("cand-2")),
        await create_assignment(service, _request("cand-3", company="Initech")),
    ]
    await run_worker(gh_settings, world)

    for assignment_id in ids:
        assert (await service.get(f"/v1/assignments/{assignment_id}")).json()["status"] == "invited"
    calls = await world.calls()
    created = [c for c in calls if c["method"] == "POST" and c["path"] == f"/orgs/{ORG}/repos"]
    generated = [c for c in calls if c["path"].endswith("/generate")]
    # Two distinct renderings → two templates; three candidates → three generated repositories.
    assert [c["status"] for c in created] == [201, 201]
    assert [c["status"] for c in generated] == [201, 201, 201]
    cand3 = await world.repo("test-sample-cand-3")
    assert cand3 is not None
    readme = cand3["branches"][cand3["default_branch"]]["files"]["README.md"]
    assert readme.startswith("# Initech API deprecation")
    assert cand3["branches"][cand3["default_branch"]]["commits"] == 1
    # Per candidate: one generate, one invitation; nothing else writes. The reviewers read every
    # repository of the organization already, which the worker asked GitHub once per reviewer.
    writes = [c for c in calls if c["method"] != "GET" and "/access_tokens" not in c["path"]]
    template_writes = 2 * 4
    assert len(writes) == template_writes + 3 * (1 + 1)
    asked = sorted(c["path"].split("/")[-2] for c in calls if c["path"].endswith("/permission"))
    assert asked == ["eng", "lead"]


async def test_template_deleted_on_github_is_rebuilt(
    service: httpx.AsyncClient, gh_settings: Settings, world: World
) -> None:
    await world.add_user("cand-2")
    first = await create_assignment(service, _request("cand-1"))
    await run_worker(gh_settings, world)
    calls = await world.calls()
    template = next(c["path"] for c in calls if c["path"].endswith("/generate")).removesuffix("/generate")

    # Someone tidies the organization and deletes the template; the registry still names it.
    github = GitHubApp(
        app_id=world.app_id,
        private_key=world.private_key,
        base_url="http://sandbox",
        pacer=LocalWritePacer(PacingPolicy(interval=0, budgets=())),
        transport=world.transport,
    )
    owner, name = template.removeprefix("/repos/").split("/")
    await github.installation(world.installation_id).rest.repos.async_delete(owner, name)

    second = await create_assignment(service, _request("cand-2"))
    await run_worker(gh_settings, world)
    for assignment_id in (first, second):
        assert (await service.get(f"/v1/assignments/{assignment_id}")).json()["status"] == "invited"
    generates = [c["status"] for c in await world.calls() if c["path"].endswith("/generate")]
    assert generates == [201, 404, 201]
    repo = await world.repo("test-sample-cand-2")
    assert repo is not None
    assert repo["branches"][repo["default_branch"]]["files"]["README.md"].startswith("# Globex")
