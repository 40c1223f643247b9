"""Template repositories: built once per rendered content, then one generate call per candidate."""

from __future__ import annotations

import httpx

from tests.provisioning.test_end_to_end import REQUEST, create_assignment
from tests.provisioning.world import ORG, World, run_worker
from worksample.config import Settings


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
    # Per candidate: one generate, one invitation, one grant per reviewer; nothing else writes.
    writes = [c for c in calls if c["method"] != "GET" and "/access_tokens" not in c["path"]]
    template_writes = 2 * 4
    assert len(writes) == template_writes + 3 * (1 + 1 + 2)
