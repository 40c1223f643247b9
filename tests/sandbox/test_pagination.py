"""``page``/``per_page`` on list routes, so githubkit's ``paginate`` (which stops at an empty page) ends."""

from __future__ import annotations

from typing import Any

from tests.sandbox.conftest import Setup, make_repo


async def test_paginate_walks_every_page_and_stops(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    for i in range(35):
        await setup.add_user(f"person-{i}")
        await inst.rest.repos.async_add_collaborator("acme", "sample", f"person-{i}")
    seen = [
        inv.invitee.login
        async for inv in inst.rest.paginate(
            inst.rest.repos.async_list_invitations, owner="acme", repo="sample"
        )
        if inv.invitee is not None
    ]
    assert seen == [f"person-{i}" for i in range(35)]


async def test_page_sizes_and_link_header(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    for i in range(3):
        await setup.add_user(f"p{i}")
        await inst.rest.repos.async_add_collaborator("acme", "sample", f"p{i}")
    first = await inst.rest.repos.async_list_invitations("acme", "sample", per_page=2, page=1)
    assert len(first.parsed_data) == 2
    assert 'rel="next"' in first.headers["link"]
    assert "page=2" in first.headers["link"]
    second = await inst.rest.repos.async_list_invitations("acme", "sample", per_page=2, page=2)
    assert len(second.parsed_data) == 1
    assert 'rel="prev"' in second.headers["link"]
    beyond = await inst.rest.repos.async_list_invitations("acme", "sample", per_page=2, page=3)
    assert beyond.parsed_data == []
    capped = await setup.control.get(
        "/repos/acme/sample/invitations?per_page=1000&page=x",
        headers={"Authorization": f"token {setup.tokens['lead']}"},
    )
    assert len(capped.json()) == 3


async def test_issue_list_paginates_too(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    for i in range(3):
        await inst.rest.issues.async_create("acme", "sample", title=f"issue {i}")
    pages: Any = inst.rest.paginate(
        inst.rest.issues.async_list_for_repo, owner="acme", repo="sample", per_page=2
    )
    titles: list[str] = [issue.title async for issue in pages]
    assert titles == ["issue 2", "issue 1", "issue 0"]
