"""Plain issues: created and listed as GitHub's models read them, numbered with pull requests."""

from __future__ import annotations

from typing import Any, cast

from tests.sandbox.conftest import Setup, failure, make_repo


async def test_issue_created_and_listed_with_githubkit_models(setup: Setup) -> None:
    await make_repo(setup)
    gh = setup.installation()
    response = await gh.rest.issues.async_create("acme", "sample", title="Reminder", body="2h left")
    created = response.parsed_data
    assert (created.number, created.title, created.body, created.state) == (1, "Reminder", "2h left", "open")
    assert created.html_url.endswith("/acme/sample/issues/1")
    second = (await gh.rest.issues.async_create("acme", "sample", title="Again")).parsed_data
    assert second.number == 2
    listed = await gh.rest.issues.async_list_for_repo("acme", "sample")
    models: list[Any] = cast(list[Any], listed.parsed_data)  # parsing validates every item
    assert [m.number for m in models] == [2, 1]


async def test_issue_needs_a_title_and_access(setup: Setup) -> None:
    await make_repo(setup)
    gh = setup.installation()
    response = await failure(gh.rest.issues.async_create("acme", "sample", title=" "))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "title"
    response = await failure(gh.rest.issues.async_create("acme", "missing", title="x"))
    assert response.status_code == 404
