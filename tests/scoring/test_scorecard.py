"""The scorecard comment shows what reviewers need and nothing reviewer-only; feedback says what to fix."""

from __future__ import annotations

import re

import pytest

from tests.scoring.builders import ANCHORS, RUBRIC, criterion, make_rubric
from worksample.scoring import (
    FEEDBACK_MARKER,
    SCORECARD_MARKER,
    is_feedback_comment,
    is_scorecard_comment,
    parse_scorecard,
    render_scorecard_comment,
    render_scorecard_feedback,
    render_scorecard_lines,
)


def _filled(comment: str, values: list[str]) -> str:
    """What a reviewer does: take the fenced block and replace each ``_`` with a score."""
    block = comment.split("```text\n", 1)[1].split("\n```", 1)[0]
    lines = block.splitlines()
    assert len(lines) == len(values)
    return "\n".join(line.replace("_/4", f"{value}/4", 1) for line, value in zip(lines, values, strict=True))


def test_comment_lists_every_criterion_with_id_title_weight_and_kind() -> None:
    comment = render_scorecard_comment(RUBRIC)
    assert comment.startswith(SCORECARD_MARKER)
    assert is_scorecard_comment(comment)
    assert not is_feedback_comment(comment)
    assert "rollback: _/4   # Rollback plan · weight 2 · required" in comment
    assert "comms:    _/4   # Stakeholder communication · weight 1 · required" in comment
    assert "obs:      _/4   # Observability · weight 0.5 · optional" in comment
    for level in range(1, 5):
        assert f"- **{level}** — " in comment


def test_comment_never_shows_anchors_or_guide_text() -> None:
    comment = render_scorecard_comment(RUBRIC, reviewer_guide_url="https://ws.example/assignments/7/guide")
    for anchor in ANCHORS.values():
        assert anchor not in comment
    assert "ANCHOR" not in comment
    assert "https://ws.example/assignments/7/guide" in comment


def test_multiline_titles_stay_on_one_template_line() -> None:
    rubric = make_rubric(criterion("design", "API design\nand   naming"))
    assert render_scorecard_lines(rubric) == ["design: _/4   # API design and naming · weight 1 · required"]


def test_rendered_template_is_incomplete_until_filled_and_round_trips() -> None:
    comment = render_scorecard_comment(RUBRIC)
    # The comment itself (all placeholders) is a scorecard with nothing scored yet.
    assert parse_scorecard(comment, RUBRIC).missing_required == ("rollback", "comms")
    result = parse_scorecard(_filled(comment, ["4", "1", "3"]), RUBRIC)
    assert result.is_complete
    assert result.scores == {"rollback": 4, "comms": 1, "obs": 3}
    assert result.unrecognised == ()
    skipped = parse_scorecard(_filled(comment, ["2", "2", "_"]), RUBRIC)
    assert skipped.is_complete
    assert skipped.scores == {"rollback": 2, "comms": 2}


def test_quoting_the_whole_comment_adds_no_noise() -> None:
    comment = render_scorecard_comment(RUBRIC, reviewer_guide_url="https://ws.example/g")
    quoted = "\n".join("> " + line for line in comment.splitlines())
    result = parse_scorecard(quoted + "\n\nrollback: 3\ncomms: 4\n", RUBRIC)
    assert result.is_complete
    assert result.unrecognised == ()


def test_feedback_names_each_problem_and_shows_the_line() -> None:
    body = "rollback: 2.5\ncomms: 3\ncomms: 4\nobs: 9\nrollbak: 3"
    result = parse_scorecard(body, RUBRIC)
    reply = render_scorecard_feedback(result, RUBRIC, reviewer_login="alice")
    assert reply.startswith(FEEDBACK_MARKER)
    assert is_feedback_comment(reply)
    assert not is_scorecard_comment(reply)
    assert "@alice, your scorecard was **not recorded yet**" in reply
    assert "**rollback** (Rollback plan): `2.5` is not a whole number" in reply
    assert "Line 1:\n   ```\n   rollback: 2.5\n   ```" in reply
    assert "comms is scored 3 and 4 on different lines; keep one. Lines 2, 3:" in reply
    assert "**obs** (Observability): `9` is out of range" in reply
    assert "Line 5 was not read as a score: not a criterion of this rubric. Did you mean `rollback`?" in reply
    # The ready-to-paste block keeps nothing invalid: every criterion here needs the reviewer.
    assert "rollback: _/4" in reply
    assert "comms:    _/4" in reply


def test_feedback_for_missing_required_points_at_placeholder_or_asks_for_a_line() -> None:
    result = parse_scorecard("rollback: _/4\nobs: 2", RUBRIC)
    reply = render_scorecard_feedback(result, RUBRIC)
    assert reply.startswith(FEEDBACK_MARKER + "\nYour scorecard")
    assert (
        "**rollback** (Rollback plan) is required and has no score. Put a score from 1 to 4 on line 1:"
        in (reply)
    )
    assert "**comms** (Stakeholder communication) is required and has no score. Add a line `comms: N/4`" in (
        reply
    )
    assert "obs:      2/4" in reply  # what was read is kept in the block to paste back
    assert "optional" not in reply.split("Your scorecard as read")[0]


def test_feedback_for_a_review_without_scorecard_offers_the_template() -> None:
    reply = render_scorecard_feedback(parse_scorecard("LGTM", RUBRIC), RUBRIC, reviewer_login="bob")
    assert "@bob, this review has no scorecard" in reply
    assert "rollback: _/4" in reply


def test_feedback_for_a_complete_scorecard_is_refused() -> None:
    with pytest.raises(ValueError, match="complete"):
        render_scorecard_feedback(parse_scorecard("rollback: 1\ncomms: 1", RUBRIC), RUBRIC)


def test_echoed_reviewer_text_cannot_break_out_of_its_code_block() -> None:
    result = parse_scorecard("rollback: 7 ```` @everyone <b>x</b>\ncomms: 2", RUBRIC)
    reply = render_scorecard_feedback(result, RUBRIC)
    fences = re.findall(r"^ *(`{3,})$", reply, flags=re.MULTILINE)
    assert "`````" in fences  # one longer than the four backticks inside
    # Every fence that opens a block is closed by one of the same length.
    opened = re.findall(r"^ *(`{3,})\w*$", reply, flags=re.MULTILINE)
    assert len(opened) % 2 == 0


def test_only_prose_hints_about_criteria_needing_a_fix_are_repeated() -> None:
    result = parse_scorecard("rollback: solid\nrollback: 3\ncomms: nice\n", RUBRIC)
    reply = render_scorecard_feedback(result, RUBRIC)
    assert "Line 3 was not read as a score: no score from 1 to 4 after comms" in reply
    assert "Line 1" not in reply  # rollback is scored on line 2; its prose line is not a problem


def test_a_conflict_over_many_lines_shows_the_first_few() -> None:
    body = "\n".join(f"rollback: {1 + i % 2}" for i in range(40)) + "\ncomms: 2"
    reply = render_scorecard_feedback(parse_scorecard(body, RUBRIC), RUBRIC)
    assert "Lines 1, 2, 3, 4, 5 and 35 more:" in reply
    assert reply.count("rollback: 1\n") + reply.count("rollback: 2\n") <= 6  # 5 shown + the paste block


def test_feedback_when_only_optional_criteria_were_left_blank() -> None:
    rubric = make_rubric(criterion("a", "Alpha", required=False), criterion("b", "Beta", required=False))
    result = parse_scorecard("a: _/4\nb: n/a", rubric)
    assert result.found
    assert not result.is_complete
    reply = render_scorecard_feedback(result, rubric)
    assert "1. No criterion has a score yet: score at least one from 1 to 4." in reply
