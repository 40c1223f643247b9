"""Loading artifact folders: the real catalog, and every way a folder can be wrong."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.artifacts.conftest import ArtifactFactory
from worksample.artifacts.catalog import MAX_FILE_BYTES, Catalog, load_catalog
from worksample.artifacts.errors import ArtifactError, UnknownArtifact


def test_real_catalog_holds_both_work_samples_sorted(catalog: Catalog) -> None:
    ids = [a.id for a in catalog.all()]
    # A new work sample is one more folder: it must not have to edit this test.
    assert {"api-deprecation-rfc", "db-migration-plan"} <= set(ids)
    assert ids == sorted(ids)
    rfc = catalog.get("api-deprecation-rfc")
    assert rfc.manifest.profile == "api-platform-tpm"
    assert "rfc/0042-retire-v1.md.j2" in rfc.files
    assert "REVIEWER_GUIDE.md" not in rfc.files
    for artifact in catalog.all():
        criteria = artifact.manifest.rubric.criteria
        assert 4 <= len(criteria) <= 7
        assert all(c.weight > 0 and sorted(c.anchors) == [1, 2, 3, 4] for c in criteria)


def test_unknown_artifact_is_a_key_error_naming_the_known_ids(catalog: Catalog) -> None:
    with pytest.raises(KeyError) as caught:
        catalog.get("nope")
    assert isinstance(caught.value, UnknownArtifact)
    assert str(caught.value) == f"unknown artifact 'nope' (known: {', '.join(catalog.ids())})"
    assert "api-deprecation-rfc, db-migration-plan" in str(caught.value)


def test_duplicate_ids_are_refused(catalog: Catalog) -> None:
    rfc = catalog.get("api-deprecation-rfc")
    with pytest.raises(ArtifactError, match="appears twice"):
        Catalog([rfc, rfc])


def test_missing_directory_is_named(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError, match=r"does-not-exist: artifacts directory does not exist"):
        load_catalog(tmp_path / "does-not-exist")


def test_hidden_and_underscore_folders_are_skipped(make_artifact: ArtifactFactory) -> None:
    root = make_artifact()
    (root / ".cache").mkdir()
    (root / "_drafts").mkdir()
    assert load_catalog(root).ids() == ("sample",)


def test_toml_syntax_error_names_file_and_line(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(manifest='id = "sample"\ntitle = "x\n')
    with pytest.raises(ArtifactError, match=r"^sample/artifact.toml: not valid TOML: .*line 2"):
        load_catalog(root)


def test_schema_errors_name_the_field(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(criteria=(("alpha", 0),))
    with pytest.raises(ArtifactError) as caught:
        load_catalog(root)
    assert "sample/artifact.toml: rubric.criteria.0.weight: Input should be greater than 0" in str(
        caught.value
    )


def test_missing_anchor_level_is_refused(make_artifact: ArtifactFactory) -> None:
    root = make_artifact()
    manifest = root / "sample" / "artifact.toml"
    manifest.write_text(
        manifest.read_text().replace('4 = "Level four for bravo', '5 = "Level four for bravo')
    )
    with pytest.raises(ArtifactError, match=r"anchors must cover exactly levels \[1, 2, 3, 4\]"):
        load_catalog(root)


def test_id_must_match_folder(make_artifact: ArtifactFactory) -> None:
    root = make_artifact()
    (root / "sample").rename(root / "other-name")
    with pytest.raises(
        ArtifactError, match=r"other-name/artifact.toml: id 'sample' must equal the folder name"
    ):
        load_catalog(root)


def test_invalid_default_is_refused(make_artifact: ArtifactFactory) -> None:
    root = make_artifact()
    manifest = root / "sample" / "artifact.toml"
    manifest.write_text(manifest.read_text().replace('default = "2027-01-04"', 'default = "next week"'))
    with pytest.raises(ArtifactError, match=r"default of variables.start is invalid: must be a date"):
        load_catalog(root)


def test_missing_reviewer_guide_is_refused(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(guide=None)
    with pytest.raises(ArtifactError, match=r"sample/REVIEWER_GUIDE.md: missing"):
        load_catalog(root)


def test_symlink_in_tree_is_refused(make_artifact: ArtifactFactory, tmp_path: Path) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("not for candidates")
    root = make_artifact()
    os.symlink(secret, root / "sample" / "repo" / "notes.md")
    with pytest.raises(ArtifactError, match=r"sample/repo/notes.md: symbolic links are not allowed"):
        load_catalog(root)


def test_two_files_rendering_to_one_path_are_refused(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(extra_files={"plan.md": "plain"})
    with pytest.raises(
        ArtifactError, match=r"sample/repo/plan.md.j2: renders to 'plan.md', as does 'plan.md'"
    ):
        load_catalog(root)


def test_template_that_is_not_utf8_is_refused(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(extra_files={"bad.md.j2": b"caf\xe9\n"})
    with pytest.raises(ArtifactError, match=r"sample/repo/bad.md.j2: not UTF-8 text"):
        load_catalog(root)


@pytest.mark.parametrize("name", ["artifact.toml", "REVIEWER_GUIDE.md"])
def test_an_oversized_manifest_or_guide_is_refused(make_artifact: ArtifactFactory, name: str) -> None:
    root = make_artifact()
    path = root / "sample" / name
    with path.open("a") as grown:
        grown.write("\n# padding\n" * (MAX_FILE_BYTES // 10))
    with pytest.raises(ArtifactError, match=rf"sample/{name}: larger than {MAX_FILE_BYTES} bytes"):
        load_catalog(root)
