"""``installation`` and ``installation_repositories`` webhooks, from the simulator to the database."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from tests.conftest import GitHubWorld, run_worker_burst
from worksample.config import Settings
from worksample.db.models import Installation, InstallationRepository
from worksample.db.session import create_engine, create_sessionmaker


async def rows(settings: Settings) -> tuple[list[Installation], list[InstallationRepository]]:
    engine = create_engine(settings)
    try:
        async with create_sessionmaker(engine)() as session:
            installations = list((await session.execute(select(Installation))).scalars())
            repositories = list(
                (
                    await session.execute(select(InstallationRepository).order_by(InstallationRepository.id))
                ).scalars()
            )
            return installations, repositories
    finally:
        await engine.dispose()


async def drain(world: GitHubWorld, settings: Settings) -> None:
    await world.sim.state.sandbox.webhooks.flush()
    await run_worker_burst(settings, github_transport=world.transport, poll_delay=0.05)


async def test_installations_and_their_repositories_are_recorded(
    service_on_world: httpx.AsyncClient, github_world: GitHubWorld, world_settings: Settings
) -> None:
    control = github_world.control
    # A second organisation with the App on selected repositories only (its admin creates one).
    await github_world.add_user("beta-admin")
    response = await control.post("/_sandbox/orgs", json={"login": "beta", "admins": ["beta-admin"]})
    assert response.status_code == 201, response.text
    response = await control.post(
        "/_sandbox/installations",
        json={"app_id": github_world.app_id, "account": "beta", "repository_selection": "selected"},
    )
    assert response.status_code == 201, response.text
    beta_installation = response.json()["id"]
    async with github_world.user_client("beta-admin") as admin:
        created = await admin.post("/orgs/beta/repos", json={"name": "picked", "private": True})
    assert created.status_code == 201, created.text
    picked_id = created.json()["id"]
    response = await control.post(
        f"/_sandbox/installations/{beta_installation}/repositories", json={"add": ["picked"]}
    )
    assert response.status_code == 200, response.text
    await drain(github_world, world_settings)

    installations, repositories = await rows(world_settings)
    accounts = {i.id: (i.account_login, i.deleted_at) for i in installations}
    assert accounts == {
        github_world.installation_id: (github_world.org, None),
        beta_installation: ("beta", None),
    }
    assert [(r.id, r.installation_id, r.full_name, r.removed_at) for r in repositories] == [
        (picked_id, beta_installation, "beta/picked", None)
    ]

    response = await control.post(
        f"/_sandbox/installations/{beta_installation}/repositories", json={"remove": ["picked"]}
    )
    assert response.status_code == 200, response.text
    response = await control.delete(f"/_sandbox/installations/{beta_installation}")
    assert response.status_code == 204, response.text
    await drain(github_world, world_settings)
    installations, repositories = await rows(world_settings)
    deleted = {i.id: i.deleted_at is not None for i in installations}
    assert deleted == {github_world.installation_id: False, beta_installation: True}
    assert [r.removed_at is not None for r in repositories] == [True]
