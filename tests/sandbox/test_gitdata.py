"""Git data and contents: empty-repo 409s, first commit by contents PUT, trees, commits, refs."""

from __future__ import annotations

import base64
import hashlib

from githubkit_schemas.latest.models import ContentFile

from tests.sandbox.conftest import Setup, failure, make_repo, push_file


async def test_empty_repo_answers_409_to_git_data_but_accepts_contents_put(setup: Setup) -> None:
    await make_repo(setup, auto_init=False)
    inst = setup.installation()
    for call in (
        inst.rest.git.async_create_blob("acme", "sample", content="x"),
        inst.rest.git.async_create_tree(
            "acme", "sample", tree=[{"path": "a", "mode": "100644", "type": "blob", "content": "a"}]
        ),
        inst.rest.git.async_get_ref("acme", "sample", "heads/main"),
        inst.rest.git.async_create_ref("acme", "sample", ref="refs/heads/x", sha="0" * 40),
    ):
        answer = await failure(call)
        assert answer.status_code == 409
        assert answer.json()["message"] == "Git Repository is empty."
    empty_content = await failure(inst.rest.repos.async_get_content("acme", "sample", "README.md"))
    assert empty_content.status_code == 404
    first = await inst.rest.repos.async_create_or_update_file_contents(
        "acme", "sample", "README.md", message="first", content=base64.b64encode(b"hello\n").decode()
    )
    assert first.status_code == 201
    assert first.parsed_data.commit.parents == []
    ref = (await inst.rest.git.async_get_ref("acme", "sample", "heads/main")).parsed_data
    assert ref.object_.sha == first.parsed_data.commit.sha


async def test_blob_sha_is_gits(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    blob = await inst.rest.git.async_create_blob(
        "acme", "sample", content=base64.b64encode(b"hi\n").decode(), encoding="base64"
    )
    assert blob.status_code == 201
    assert blob.parsed_data.sha == hashlib.sha1(b"blob 3\0hi\n", usedforsecurity=False).hexdigest()
    got = (await inst.rest.git.async_get_blob("acme", "sample", blob.parsed_data.sha)).parsed_data
    assert base64.b64decode(got.content) == b"hi\n"
    assert got.size == 3


async def test_one_commit_with_many_files_via_trees_and_refs(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    head = (await inst.rest.git.async_get_ref("acme", "sample", "heads/main")).parsed_data.object_.sha
    base_tree = (await inst.rest.git.async_get_commit("acme", "sample", head)).parsed_data.tree.sha
    blob = (await inst.rest.git.async_create_blob("acme", "sample", content="binary-ish")).parsed_data
    tree = (
        await inst.rest.git.async_create_tree(
            "acme",
            "sample",
            base_tree=base_tree,
            tree=[
                {"path": "src/app.py", "mode": "100644", "type": "blob", "content": "print('hi')\n"},
                {"path": "src/data.bin", "mode": "100644", "type": "blob", "sha": blob.sha},
                {"path": "README.md", "mode": "100644", "type": "blob", "sha": None},
            ],
        )
    ).parsed_data
    assert {e.path for e in tree.tree} == {"src"}
    recursive = (await inst.rest.git.async_get_tree("acme", "sample", tree.sha, recursive="1")).parsed_data
    assert {e.path for e in recursive.tree} == {"src", "src/app.py", "src/data.bin"}
    commit = (
        await inst.rest.git.async_create_commit(
            "acme", "sample", message="work sample", tree=tree.sha, parents=[head]
        )
    ).parsed_data
    assert [p.sha for p in commit.parents] == [head]
    updated = (
        await inst.rest.git.async_update_ref("acme", "sample", "heads/main", sha=commit.sha)
    ).parsed_data
    assert updated.object_.sha == commit.sha
    state = (await setup.control.get("/_sandbox/repos/acme/sample")).json()["branches"]["main"]
    assert state["files"] == {"src/app.py": "print('hi')\n", "src/data.bin": "binary-ish"}
    assert state["commits"] == 2


async def test_ref_rules(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    head = (await inst.rest.git.async_get_ref("acme", "sample", "heads/main")).parsed_data.object_.sha
    created = await inst.rest.git.async_create_ref("acme", "sample", ref="refs/heads/feature", sha=head)
    assert created.status_code == 201
    assert created.headers["location"].endswith("/git/refs/heads/feature")
    again = await failure(
        inst.rest.git.async_create_ref("acme", "sample", ref="refs/heads/feature", sha=head)
    )
    assert again.json()["message"] == "Reference already exists"
    bad_name = await failure(inst.rest.git.async_create_ref("acme", "sample", ref="feature", sha=head))
    assert bad_name.status_code == 422
    missing = await failure(
        inst.rest.git.async_create_ref("acme", "sample", ref="refs/heads/y", sha="1" * 40)
    )
    assert missing.json()["message"] == "Object does not exist"
    # A sibling commit is not a fast-forward of main's new head.
    ahead = await push_file(setup, "installation", "a.txt", b"a", branch="feature")
    await push_file(setup, "installation", "b.txt", b"b", branch="main")
    refused = await failure(inst.rest.git.async_update_ref("acme", "sample", "heads/main", sha=ahead.sha))
    assert refused.status_code == 422
    assert refused.json()["message"] == "Update is not a fast forward"
    forced = await inst.rest.git.async_update_ref("acme", "sample", "heads/main", sha=ahead.sha, force=True)
    assert forced.parsed_data.object_.sha == ahead.sha
    unknown = await failure(inst.rest.git.async_update_ref("acme", "sample", "heads/nope", sha=ahead.sha))
    assert unknown.json()["message"] == "Reference does not exist"
    matching = (await inst.rest.git.async_list_matching_refs("acme", "sample", "heads/")).parsed_data
    assert [r.ref for r in matching] == ["refs/heads/feature", "refs/heads/main"]
    assert (await inst.rest.git.async_delete_ref("acme", "sample", "heads/feature")).status_code == 204
    assert (await failure(inst.rest.git.async_get_ref("acme", "sample", "heads/feature"))).status_code == 404


async def test_git_errors_for_bad_objects(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    no_tree = await failure(inst.rest.git.async_create_commit("acme", "sample", message="m", tree="2" * 40))
    assert no_tree.json()["message"] == "Tree SHA does not exist"
    head = (await inst.rest.git.async_get_ref("acme", "sample", "heads/main")).parsed_data.object_.sha
    tree = (await inst.rest.git.async_get_commit("acme", "sample", head)).parsed_data.tree.sha
    no_parent = await failure(
        inst.rest.git.async_create_commit("acme", "sample", message="m", tree=tree, parents=["3" * 40])
    )
    assert no_parent.status_code == 422
    bad_mode = await failure(
        inst.rest.git.async_create_tree(
            "acme", "sample", tree=[{"path": "x", "mode": "100644", "type": "blob", "sha": "4" * 40}]
        )
    )
    assert bad_mode.status_code == 422
    assert (await failure(inst.rest.git.async_get_blob("acme", "sample", "5" * 40))).status_code == 404


async def test_contents_get_and_update(setup: Setup) -> None:
    await make_repo(setup)
    inst = setup.installation()
    readme = (await inst.rest.repos.async_get_content("acme", "sample", "README.md")).parsed_data
    assert isinstance(readme, ContentFile)
    listing = (await inst.rest.repos.async_get_content("acme", "sample", "")).parsed_data
    assert [item.name for item in listing] == ["README.md"]  # type: ignore[union-attr]
    no_sha = await failure(
        inst.rest.repos.async_create_or_update_file_contents(
            "acme", "sample", "README.md", message="m", content=base64.b64encode(b"new").decode()
        )
    )
    assert no_sha.status_code == 422
    stale = await failure(
        inst.rest.repos.async_create_or_update_file_contents(
            "acme",
            "sample",
            "README.md",
            message="m",
            content=base64.b64encode(b"new").decode(),
            sha="6" * 40,
        )
    )
    assert stale.status_code == 409
    updated = await inst.rest.repos.async_create_or_update_file_contents(
        "acme", "sample", "README.md", message="m", content=base64.b64encode(b"new").decode(), sha=readme.sha
    )
    assert updated.status_code == 200
    assert (await failure(inst.rest.repos.async_get_content("acme", "sample", "nope.txt"))).status_code == 404
    no_branch = await failure(
        inst.rest.repos.async_create_or_update_file_contents(
            "acme", "sample", "y", message="m", content=base64.b64encode(b"y").decode(), branch="nope"
        )
    )
    assert no_branch.status_code == 404
