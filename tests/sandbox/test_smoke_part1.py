from __future__ import annotations

from tests.sandbox.conftest import Setup, make_repo


async def test_installation_flow_and_repo(setup: Setup) -> None:
    gh = setup.github_app()
    installs = (await gh.rest.apps.async_list_installations()).parsed_data
    assert [i.id for i in installs] == [setup.installation_id]
    repo = await make_repo(setup)
    assert repo.private is True
    inst = setup.installation()
    got = (await inst.rest.repos.async_get("acme", "sample")).parsed_data
    assert got.id == repo.id
