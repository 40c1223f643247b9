"""Repositories: create, get, archive, delete, generate from a template; privacy."""

from __future__ import annotations

import base64

from tests.sandbox.conftest import Setup, failure, make_repo


async def test_create_private_repo_with_and_without_auto_init(setup: Setup) -> None:
    initialised = await make_repo(setup, "with-readme")
    assert initialised.private is True
    assert initialised.permissions is not None
    assert initialised.permissions.admin is True
    empty = await make_repo(setup, "empty", auto_init=False)
    state = (await setup.control.get("/_sandbox/repos/acme/with-readme")).json()
    assert state["branches"]["main"]["files"] == {"README.md": "# with-readme"}
    assert (await setup.control.get("/_sandbox/repos/acme/empty")).json()["branches"] == {}
    assert empty.default_branch == "main"
    await setup.flush()
    created = setup.receiver.events("repository", "created")
    assert [r.payload["repository"]["name"] for r in created] == ["with-readme", "empty"]


async def test_name_collision_and_bad_input(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    taken = await failure(inst.rest.repos.async_create_in_org("acme", name="sample"))
    assert taken.status_code == 422
    assert taken.json()["errors"][0]["message"] == "name already exists on this account"
    raw = await setup.control.post(
        "/orgs/acme/repos", json={"private": True}, headers={"Authorization": f"token {setup.tokens['lead']}"}
    )
    assert raw.status_code == 422
    assert raw.json()["errors"][0]["field"] == "name"
    bad_team = await failure(inst.rest.repos.async_create_in_org("acme", name="x", team_id=12345))
    assert bad_team.status_code == 422


async def test_team_id_grants_the_team_read(setup: Setup) -> None:
    team = (
        await setup.control.post(
            "/_sandbox/orgs/acme/teams", json={"name": "Reviewers", "members": ["stranger"]}
        )
    ).json()
    inst = setup.installation()
    await inst.rest.repos.async_create_in_org("acme", name="teamed", private=True, team_id=team["id"])
    perm = (
        await inst.rest.repos.async_get_collaborator_permission_level("acme", "teamed", "stranger")
    ).parsed_data
    assert perm.role_name == "read"


async def test_private_repo_is_404_without_access(setup: Setup) -> None:
    await make_repo(setup)
    stranger = setup.user("stranger")
    assert (await failure(stranger.rest.repos.async_get("acme", "sample"))).status_code == 404
    assert (await setup.control.get("/repos/acme/sample")).status_code == 404
    lead = setup.user("lead")
    assert (await lead.rest.repos.async_get("acme", "sample")).parsed_data.name == "sample"


async def test_archive_makes_writes_403_and_fires_webhook(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    archived = (await inst.rest.repos.async_update("acme", "sample", archived=True)).parsed_data
    assert archived.archived is True
    put = await failure(
        inst.rest.repos.async_create_or_update_file_contents(
            "acme", "sample", "x.txt", message="m", content=base64.b64encode(b"x").decode()
        )
    )
    assert put.status_code == 403
    assert put.json()["message"] == "Repository was archived so is read-only."
    assert (
        await failure(inst.rest.repos.async_add_collaborator("acme", "sample", "candidate"))
    ).status_code == 403
    # Reads still work.
    assert (await inst.rest.repos.async_get_content("acme", "sample", "README.md")).status_code == 200
    unarchived = (await inst.rest.repos.async_update("acme", "sample", archived=False)).parsed_data
    assert unarchived.archived is False
    await setup.flush()
    assert len(setup.receiver.events("repository", "archived")) == 1
    assert len(setup.receiver.events("repository", "unarchived")) == 1


async def test_delete_repo_fires_deleted(setup: Setup) -> None:
    repo = await make_repo(setup)
    inst = setup.installation()
    assert (await inst.rest.repos.async_delete("acme", "sample")).status_code == 204
    assert (await failure(inst.rest.repos.async_get("acme", "sample"))).status_code == 404
    await setup.flush()
    deleted = setup.receiver.events("repository", "deleted")
    assert [d.payload["repository"]["id"] for d in deleted] == [repo.id]


async def test_rename_fires_renamed(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    renamed = (await inst.rest.repos.async_update("acme", "sample", name="renamed")).parsed_data
    assert renamed.full_name == "acme/renamed"
    await setup.flush()
    event = setup.receiver.events("repository", "renamed")[0].payload
    assert event["changes"] == {"repository": {"name": {"from": "sample"}}}


async def test_generate_from_template_copies_after_a_delay(setup: Setup) -> None:
    await setup.control.patch("/_sandbox/config", json={"template_copy_delay_seconds": 30})
    inst = setup.installation()
    await inst.rest.repos.async_create_in_org(
        "acme", name="template", private=True, auto_init=True, is_template=True
    )
    generated = await inst.rest.repos.async_create_using_template(
        "acme", "template", owner="acme", name="copy", private=True
    )
    assert generated.status_code == 201
    assert generated.parsed_data.template_repository is not None
    early_content = await failure(inst.rest.repos.async_get_content("acme", "copy", "README.md"))
    assert early_content.status_code == 404
    early_ref = await failure(inst.rest.git.async_get_ref("acme", "copy", "heads/main"))
    assert early_ref.status_code == 409
    assert early_ref.json()["message"] == "Git Repository is empty."
    await setup.control.post("/_sandbox/clock", json={"advance_seconds": 31})
    content = (await inst.rest.repos.async_get_content("acme", "copy", "README.md")).parsed_data
    assert base64.b64decode(content.content) == b"# template"  # type: ignore[union-attr]
    not_template = await failure(inst.rest.repos.async_create_using_template("acme", "copy", name="again"))
    assert not_template.status_code == 422
