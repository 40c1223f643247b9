"""Collaborators and invitations: 201 vs 204, limits, expiry, acceptance, downgrade, removal."""

from __future__ import annotations

import base64

from githubkit.webhooks import parse

from tests.sandbox.conftest import Setup, failure, make_repo


async def test_new_outside_collaborator_gets_an_invitation(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    invited = await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate", permission="push")
    assert invited.status_code == 201
    inv = invited.parsed_data
    assert inv.invitee is not None
    assert inv.invitee.login == "candidate"
    assert invited.headers["location"] == f"http://sandbox/user/repository_invitations/{inv.id}"
    listed = (await inst.rest.repos.async_list_invitations("acme", "sample")).parsed_data
    assert [(i.id, i.permissions) for i in listed] == [(inv.id, "write")]
    # Asking again re-uses the pending invitation.
    again = await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate", permission="pull")
    assert again.status_code == 201
    assert again.parsed_data.id == inv.id
    assert again.parsed_data.permissions == "read"


async def test_existing_access_gets_an_empty_204(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    member = await inst.rest.repos.async_add_collaborator("acme", "sample", "lead", permission="pull")
    assert member.status_code == 204
    assert member.content == b""
    await setup.flush()
    added = setup.receiver.events("member", "added")
    assert [a.payload["member"]["login"] for a in added] == ["lead"]
    unknown = await failure(inst.rest.repos.async_add_collaborator("acme", "sample", "nobody-at-all"))
    assert unknown.status_code == 404


async def test_accepting_fires_member_added_and_grants_access(setup: Setup) -> None:
    await make_repo(setup)
    inst, candidate = setup.installation(), setup.user("candidate")
    assert (await failure(candidate.rest.repos.async_get("acme", "sample"))).status_code == 404
    inv = (await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate")).parsed_data
    # Someone else cannot accept it.
    stranger = setup.user("stranger")
    assert (
        await failure(stranger.rest.repos.async_accept_invitation_for_authenticated_user(inv.id))
    ).status_code == 404
    assert (
        await candidate.rest.repos.async_accept_invitation_for_authenticated_user(inv.id)
    ).status_code == 204
    assert (await candidate.rest.repos.async_get("acme", "sample")).parsed_data.name == "sample"
    perm = (
        await inst.rest.repos.async_get_collaborator_permission_level("acme", "sample", "candidate")
    ).parsed_data
    assert (perm.permission, perm.role_name) == ("write", "write")
    assert (await inst.rest.repos.async_check_collaborator("acme", "sample", "candidate")).status_code == 204
    logins = [c.login for c in (await inst.rest.repos.async_list_collaborators("acme", "sample")).parsed_data]
    assert logins == ["lead", "candidate"]
    await setup.flush()
    added = setup.receiver.events("member", "added")
    assert len(added) == 1
    payload = added[0].payload
    assert payload["member"]["id"] == setup.ids["candidate"]
    assert payload["sender"]["login"] == "candidate"
    assert payload["changes"] == {"permission": {"to": "write"}}
    assert (await inst.rest.repos.async_list_invitations("acme", "sample")).parsed_data == []


async def test_decline_update_and_delete_invitations(setup: Setup) -> None:
    await make_repo(setup)
    inst, candidate = setup.installation(), setup.user("candidate")
    inv = (await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate")).parsed_data
    changed = (
        await inst.rest.repos.async_update_invitation("acme", "sample", inv.id, permissions="admin")
    ).parsed_data
    assert changed.permissions == "admin"
    assert (await inst.rest.repos.async_delete_invitation("acme", "sample", inv.id)).status_code == 204
    assert (await candidate.rest.repos.async_list_invitations_for_authenticated_user()).parsed_data == []
    inv2 = (await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate")).parsed_data
    assert (
        await candidate.rest.repos.async_decline_invitation_for_authenticated_user(inv2.id)
    ).status_code == 204
    assert (await inst.rest.repos.async_list_invitations("acme", "sample")).parsed_data == []


async def test_fifty_invitations_per_repo_per_day(setup: Setup) -> None:
    await setup.control.patch("/_sandbox/config", json={"invitation_limit": 3})
    await make_repo(setup)
    inst = setup.installation()
    for i in range(3):
        await setup.add_user(f"person-{i}")
        assert (
            await inst.rest.repos.async_add_collaborator("acme", "sample", f"person-{i}")
        ).status_code == 201
    # Cancelling does not give the budget back, as on GitHub.
    first = (await inst.rest.repos.async_list_invitations("acme", "sample")).parsed_data[0]
    await inst.rest.repos.async_delete_invitation("acme", "sample", first.id)
    await setup.add_user("person-3")
    over = await failure(inst.rest.repos.async_add_collaborator("acme", "sample", "person-3"))
    assert over.status_code == 422
    assert "limit of 3 invitations" in over.json()["errors"][0]["message"]
    await setup.control.post("/_sandbox/clock", json={"advance_seconds": 86401})
    inst = setup.installation()  # the old token expired with the day that passed
    assert (await inst.rest.repos.async_add_collaborator("acme", "sample", "person-3")).status_code == 201


async def test_default_limit_is_fifty(setup: Setup) -> None:
    config = (await setup.control.get("/_sandbox/config")).json()
    assert config["invitation_limit"] == 50
    assert config["invitation_expiry_seconds"] == 7 * 86400


async def test_invitations_expire_after_seven_days(setup: Setup) -> None:
    await make_repo(setup)
    inst, candidate = setup.installation(), setup.user("candidate")
    inv = (await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate")).parsed_data
    assert inv.expired is False
    await setup.control.post("/_sandbox/clock", json={"advance_seconds": 7 * 86400 + 1})
    inst = setup.installation()
    listed = (await inst.rest.repos.async_list_invitations("acme", "sample")).parsed_data
    assert listed[0].expired is True
    late = await failure(candidate.rest.repos.async_accept_invitation_for_authenticated_user(inv.id))
    assert late.status_code == 404
    # Inviting again replaces the expired invitation with a fresh one.
    fresh = (await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate")).parsed_data
    assert fresh.id != inv.id
    assert fresh.expired is False


async def test_downgrade_takes_effect_on_next_write(setup: Setup) -> None:
    await make_repo(setup)
    inst, candidate = setup.installation(), setup.user("candidate")
    inv = (await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate")).parsed_data
    await candidate.rest.repos.async_accept_invitation_for_authenticated_user(inv.id)
    content = base64.b64encode(b"x").decode()
    ok = await candidate.rest.repos.async_create_or_update_file_contents(
        "acme", "sample", "a.txt", message="m", content=content
    )
    assert ok.status_code == 201
    downgraded = await inst.rest.repos.async_add_collaborator(
        "acme", "sample", "candidate", permission="pull"
    )
    assert downgraded.status_code == 204
    refused = await failure(
        candidate.rest.repos.async_create_or_update_file_contents(
            "acme", "sample", "b.txt", message="m", content=content
        )
    )
    assert refused.status_code == 403
    # Reading still works with pull.
    assert (await candidate.rest.repos.async_get_content("acme", "sample", "a.txt")).status_code == 200


async def test_removing_a_collaborator_cancels_pending_invitations(setup: Setup) -> None:
    await make_repo(setup)
    inst, candidate = setup.installation(), setup.user("candidate")
    inv = (await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate")).parsed_data
    assert (await inst.rest.repos.async_remove_collaborator("acme", "sample", "candidate")).status_code == 204
    assert (await inst.rest.repos.async_list_invitations("acme", "sample")).parsed_data == []
    assert (
        await failure(candidate.rest.repos.async_accept_invitation_for_authenticated_user(inv.id))
    ).status_code == 404
    perm = (
        await inst.rest.repos.async_get_collaborator_permission_level("acme", "sample", "candidate")
    ).parsed_data
    assert perm.permission == "none"
    # Removing someone who had accepted fires member.removed.
    again = (await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate")).parsed_data
    await candidate.rest.repos.async_accept_invitation_for_authenticated_user(again.id)
    await inst.rest.repos.async_remove_collaborator("acme", "sample", "candidate")
    assert (await failure(candidate.rest.repos.async_get("acme", "sample"))).status_code == 404
    await setup.flush()
    removed = setup.receiver.events("member", "removed")
    assert [r.payload["member"]["login"] for r in removed] == ["candidate"]
    parse("member", removed[0].body)


async def test_collaborator_routes_need_admin(setup: Setup) -> None:
    await make_repo(setup)
    inst, candidate = setup.installation(), setup.user("candidate")
    inv = (await inst.rest.repos.async_add_collaborator("acme", "sample", "candidate")).parsed_data
    await candidate.rest.repos.async_accept_invitation_for_authenticated_user(inv.id)
    refused = await failure(candidate.rest.repos.async_add_collaborator("acme", "sample", "stranger"))
    assert refused.status_code == 403
