"""No reviewer text (guide sentences, rubric anchors) may reach a candidate's tree."""

from __future__ import annotations

import pytest

from worksample.artifacts.catalog import Catalog
from worksample.artifacts.leaks import find_leaks, reviewer_passages, words
from worksample.artifacts.render import render_artifact

GUIDE = """# Guide

## What the artifact hides
The sunset deploy removes the upstreams, so nothing can bring v1 back after the date.
> the RFC says we will delete the handlers two weeks after the sunset date
A strong answer quotes "we consider this acceptable because v1 is deprecated" and moves on.
"""


@pytest.mark.parametrize("artifact_id", ["api-deprecation-rfc", "db-migration-plan"])
@pytest.mark.parametrize("values", [{}, {"company_name": "Reviewer Guide Inc"}])
def test_rendered_trees_hold_no_reviewer_text(
    catalog: Catalog, artifact_id: str, values: dict[str, str]
) -> None:
    artifact = catalog.get(artifact_id)
    tree = render_artifact(artifact, values)
    assert find_leaks(tree, reviewer_passages(artifact)) == []
    # And the plain check a reviewer would do by hand: no anchor appears verbatim anywhere.
    flat = " ".join(words(b"\n".join(tree.values()).decode("utf-8", "replace")))
    for criterion in artifact.manifest.rubric.criteria:
        for anchor in criterion.anchors.values():
            assert " ".join(words(anchor)) not in flat
    assert "REVIEWER_GUIDE.md" not in tree


def test_a_pasted_guide_sentence_is_found_despite_rewrapping_case_and_markup() -> None:
    tree = {
        "rfc.md": b"Intro.\n\nThe **sunset deploy** removes the\nupstreams, so NOTHING can bring v1 back.\n"
    }
    leaks = find_leaks(tree, [("REVIEWER_GUIDE.md", GUIDE)])
    assert [(leak.file, leak.source) for leak in leaks] == [("rfc.md", "REVIEWER_GUIDE.md")]
    assert "removes the upstreams so nothing" in leaks[0].excerpt


def test_a_whole_guide_sentence_is_reported_as_that_sentence() -> None:
    tree = {
        "rfc.md": b"- the sunset deploy REMOVES the upstreams, so nothing can bring v1 back after the date!\n"
    }
    leaks = find_leaks(tree, [("REVIEWER_GUIDE.md", GUIDE)])
    assert [leak.excerpt for leak in leaks] == [
        "The sunset deploy removes the upstreams, so nothing can bring v1 back after the date."
    ]


def test_a_phrase_inside_a_longer_sentence_is_found() -> None:
    tree = {"plan.md": b"As noted, nothing can bring v1 back after the date, which is fine.\n"}
    assert len(find_leaks(tree, [("guide", GUIDE)])) == 1


def test_a_rubric_anchor_is_found() -> None:
    anchor = "Designs a staged retirement: scheduled brownouts before the date and a flag that restores v1."
    tree = {"README.md": b"Tip: designs a staged retirement - scheduled brownouts before the date!\n"}
    assert len(find_leaks(tree, [("rubric rollback level 4", anchor)])) == 1


def test_quoted_material_in_the_guide_is_exempt() -> None:
    tree = {
        "rfc.md": b"The RFC says we will delete the handlers two weeks after the sunset date.\n"
        b"We consider this acceptable because v1 is deprecated.\n"
    }
    assert find_leaks(tree, [("guide", GUIDE)]) == []


def test_short_common_phrases_are_not_leaks() -> None:
    assert find_leaks({"a.md": b"## Red flags\n\nWhat the artifact hides\n"}, [("guide", GUIDE)]) == []


def test_binary_files_are_skipped() -> None:
    assert find_leaks({"img.png": b"\x89PNG\xff\xfe"}, [("guide", GUIDE)]) == []
