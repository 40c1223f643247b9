"""``lint``: the real catalog is clean, and each kind of problem is reported readably."""

from __future__ import annotations

from pathlib import Path

from tests.artifacts.conftest import GUIDE, TREE, ArtifactFactory
from worksample.artifacts.lint import lint_catalog
from worksample.config import DEFAULT_ARTIFACTS_DIR


def messages(root: Path) -> list[str]:
    return [str(p) for p in lint_catalog(root)]


def test_the_real_catalog_passes_lint() -> None:
    assert messages(DEFAULT_ARTIFACTS_DIR) == []


def test_a_good_sample_passes(make_artifact: ArtifactFactory) -> None:
    assert messages(make_artifact()) == []


def test_an_empty_catalog_is_a_problem(tmp_path: Path) -> None:
    assert messages(tmp_path) == [f"{tmp_path}: no artifact folders found"]


def test_leaked_guide_text_is_reported_with_the_file(make_artifact: ArtifactFactory) -> None:
    leaked = " ".join(f"strong{i}" for i in range(40, 52))
    root = make_artifact(extra_files={"notes/hint.md": f"Hint: {leaked.upper()}\n"})
    found = messages(root)
    assert len(found) == 1
    assert found[0].startswith("sample: notes/hint.md contains reviewer text from REVIEWER_GUIDE.md:")


def test_leaked_anchor_is_reported(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(extra_files={"hint.md": "Level four for bravo: fixes it, sequences it, and says.\n"})
    found = messages(root)
    assert len(found) == 1
    assert found[0].startswith("sample: hint.md contains reviewer text from rubric bravo level 4: ")


def test_tree_and_guide_problems_are_all_listed(make_artifact: ArtifactFactory) -> None:
    files = {k: v for k, v in TREE.items() if k != "RESPONSE.md"}
    files["README.md.j2"] = "# {{ company_name }}\n\nNo instructions here.\n"
    guide = GUIDE.replace("## Red flags", "## Notes").replace("charlie scored 2", "")
    found = messages(make_artifact(files=files, guide=guide))
    assert "sample: README.md does not contain the manifest's instructions" in found
    assert "sample: rendered tree has no RESPONSE.md template for the candidate's answer" in found
    assert "sample: REVIEWER_GUIDE.md has no section for red flags" in found
    assert "sample: REVIEWER_GUIDE.md never mentions rubric criterion 'charlie'" in found


def test_short_guide_and_thin_rubric_are_reported(make_artifact: ArtifactFactory) -> None:
    found = messages(make_artifact(guide="# Guide\n\nalpha bravo\n", criteria=(("alpha", 1), ("bravo", 1))))
    assert "sample: rubric has 2 criteria; keep it between 3 and 8" in found
    assert any(m.startswith("sample: REVIEWER_GUIDE.md has 3 words") for m in found)


def test_a_broken_folder_does_not_hide_the_others(make_artifact: ArtifactFactory) -> None:
    root = make_artifact("good-one")
    make_artifact("bad-one", guide=None)
    assert messages(root) == [
        "bad-one: bad-one/REVIEWER_GUIDE.md: missing (every artifact needs a reviewer guide)"
    ]


def test_a_template_that_fails_with_defaults_is_reported(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(extra_files={"x.md.j2": "\n\n{{ missing }}\n"})
    assert messages(root) == [
        "sample: does not render with its defaults: "
        "sample/repo/x.md.j2:3: UndefinedError: 'missing' is undefined"
    ]
