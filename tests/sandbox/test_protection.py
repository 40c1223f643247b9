"""Branch protection: 404 when none, put, get, delete; reviews-required blocks people's pushes."""

from __future__ import annotations

import base64
from typing import Any

from githubkit_schemas.latest.models import BranchRestrictionPolicy, ProtectedBranchRequiredStatusCheck

from tests.sandbox.conftest import Setup, failure, make_repo

FULL: Any = {
    "required_status_checks": {"strict": True, "contexts": ["ci/test"]},
    "enforce_admins": True,
    "required_pull_request_reviews": {
        "dismissal_restrictions": {"users": ["lead"], "teams": ["graders"]},
        "dismiss_stale_reviews": True,
        "required_approving_review_count": 1,
    },
    "restrictions": {"users": ["lead"], "teams": ["graders"]},
}


async def test_protection_lifecycle(setup: Setup) -> None:
    await setup.control.post("/_sandbox/orgs/acme/teams", json={"name": "Graders", "members": ["lead"]})
    await make_repo(setup)
    inst = setup.installation()
    none = await failure(inst.rest.repos.async_get_branch_protection("acme", "sample", "main"))
    assert none.status_code == 404
    assert none.json()["message"] == "Branch not protected"
    put = await inst.rest.repos.async_update_branch_protection("acme", "sample", "main", data=FULL)
    assert put.status_code == 200
    got = (await inst.rest.repos.async_get_branch_protection("acme", "sample", "main")).parsed_data
    assert isinstance(got.required_status_checks, ProtectedBranchRequiredStatusCheck)
    assert got.required_status_checks.contexts == ["ci/test"]
    assert isinstance(got.restrictions, BranchRestrictionPolicy)
    assert [t.slug for t in got.restrictions.teams] == ["graders"]
    assert (await inst.rest.repos.async_delete_branch_protection("acme", "sample", "main")).status_code == 204
    gone = await failure(inst.rest.repos.async_delete_branch_protection("acme", "sample", "main"))
    assert gone.status_code == 404
    no_branch = await failure(inst.rest.repos.async_get_branch_protection("acme", "sample", "nope"))
    assert no_branch.json()["message"] == "Branch not found"
    bad_team: Any = dict(FULL, restrictions={"users": [], "teams": ["nobody"]})
    refused = await failure(
        inst.rest.repos.async_update_branch_protection("acme", "sample", "main", data=bad_team)
    )
    assert refused.status_code == 422


async def test_required_reviews_block_direct_pushes_by_people(setup: Setup) -> None:
    await make_repo(setup)
    inst, lead = setup.installation(), setup.user("lead")
    minimal: Any = {
        "required_status_checks": None,
        "enforce_admins": False,
        "restrictions": None,
        "required_pull_request_reviews": {"required_approving_review_count": 1},
    }
    await inst.rest.repos.async_update_branch_protection("acme", "sample", "main", data=minimal)
    content = base64.b64encode(b"x").decode()
    blocked = await failure(
        lead.rest.repos.async_create_or_update_file_contents(
            "acme", "sample", "x.txt", message="m", content=content
        )
    )
    assert blocked.status_code == 422
    assert blocked.json()["message"] == "Protected branch update failed for refs/heads/main."
    # The App is not blocked (it may be on the bypass list).
    allowed = await inst.rest.repos.async_create_or_update_file_contents(
        "acme", "sample", "x.txt", message="m", content=content
    )
    assert allowed.status_code == 201
