"""Every real artifact's rubric renders to a scorecard that round-trips and leaks nothing reviewer-only."""

from __future__ import annotations

from pathlib import Path

import pytest

from worksample.artifacts.catalog import load_catalog
from worksample.artifacts.model import Artifact
from worksample.scoring import parse_scorecard, render_scorecard_comment, render_scorecard_lines

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
CATALOG = load_catalog(ARTIFACTS)


def test_catalog_has_artifacts() -> None:
    assert len(CATALOG) >= 1


@pytest.mark.parametrize("artifact", CATALOG.all(), ids=CATALOG.ids())
def test_rubric_round_trips(artifact: Artifact) -> None:
    rubric = artifact.manifest.rubric
    comment = render_scorecard_comment(rubric)
    for level in (1, 2, 3, 4):
        scores = {c.id: (level + i) % 4 + 1 for i, c in enumerate(rubric.criteria)}
        filled = "\n".join(render_scorecard_lines(rubric, scores))
        result = parse_scorecard(f"Review notes.\n\n{filled}\n", rubric)
        assert result.is_complete, result
        assert result.scores == scores
        assert result.unrecognised == ()
        # By title instead of id, in a table, as some reviewers will write it.
        table = "\n".join(f"| **{c.title}** | {scores[c.id]}/4 |" for c in rubric.criteria)
        assert parse_scorecard("| Criterion | Score |\n|---|---|\n" + table, rubric).scores == scores
    required_only = {c.id: 2 for c in rubric.criteria if c.required}
    assert parse_scorecard("\n".join(render_scorecard_lines(rubric, required_only)), rubric).is_complete
    assert parse_scorecard(comment, rubric).missing_required == tuple(
        c.id for c in rubric.criteria if c.required
    )


@pytest.mark.parametrize("artifact", CATALOG.all(), ids=CATALOG.ids())
def test_scorecard_comment_leaks_no_anchor_or_guide_text(artifact: Artifact) -> None:
    comment = render_scorecard_comment(artifact.manifest.rubric)
    for criterion in artifact.manifest.rubric.criteria:
        for anchor in criterion.anchors.values():
            assert anchor not in comment
    guide_lines = [line.strip() for line in artifact.reviewer_guide.splitlines() if len(line.strip()) > 25]
    assert guide_lines, "the reviewer guide should have content to check against"
    for line in guide_lines:
        assert line not in comment
