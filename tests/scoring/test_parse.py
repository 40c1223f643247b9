"""parse_scorecard reads what reviewers actually type, and says precisely what it could not read."""

from __future__ import annotations

import pytest

from tests.scoring.builders import RUBRIC, criterion, make_rubric
from worksample.scoring import ScorecardStatus, parse_scorecard


@pytest.mark.parametrize(
    "body",
    [
        "rollback: 3\ncomms: 2",
        "rollback: 3/4\ncomms: 2/4",
        "rollback: 3 / 4\ncomms: 2 of 4",
        "rollback: 3.0\ncomms: 2,0",
        "ROLLBACK: 3\nComms: 2",
        "Rollback plan: 3\nSTAKEHOLDER COMMUNICATION: 2",
        "**rollback**: 3\n**comms:** 2",
        "`rollback`: 3\n`Comms` = 2",
        "- rollback - 3\n* comms = 2",
        "1. rollback: 3\n2) comms: 2",
        "- [x] rollback: 3\n- [ ] comms: 2",
        "> rollback: 3\n> > comms: 2",
        "__rollback__: 3\n_comms_: 2",
        "rollback | 3\ncomms | 2",
        "rollback — 3\ncomms – 2",
        "rollback => 3\ncomms: **2**/4",
        "| rollback | 3 |\n| comms | 2 |",
        "| Criterion | Score |\n|---|:---:|\n| Rollback plan | 3 |\n| `comms` | 2/4 |",
        "| Criterion | Weight | Score | Notes |\n|--|--|--|--|\n"
        "| rollback | 2 | 3 | ok |\n| comms | 1 | 2 | meh |",
        "rollback: 3   # Rollback plan · weight 2 · required\ncomms: 2/4 (could be clearer)",
        "rollback: 3 - solid staging\ncomms: 2.",
        "rollback:3\ncomms:2",
        "rollback:\t3\n\n\ncomms :  2   ",
        "Great work overall!\n\nrollback: 3\nSome prose: the comms were weak.\ncomms: 2\n\nThanks",
        "```text\nrollback: 3/4   # Rollback plan\ncomms:    2/4\nobs:      _/4\n```",
    ],
)
def test_accepted_forms(body: str) -> None:
    result = parse_scorecard(body, RUBRIC)
    assert result.scores == {"rollback": 3, "comms": 2}, result
    assert result.is_complete
    assert result.status is ScorecardStatus.COMPLETE
    assert result.missing_optional == ("obs",)
    assert not result.problems


def test_plain_review_is_absent_not_incomplete() -> None:
    for body in ("LGTM", "", None, "Looks good to me, ship it!\n\nNice tests.", "Rollback: looks solid"):
        result = parse_scorecard(body, RUBRIC)
        assert result.status is ScorecardStatus.ABSENT, body
        assert not result.found
        assert not result.is_complete


def test_partial_scorecard_is_incomplete_with_missing_required() -> None:
    result = parse_scorecard("rollback: 3", RUBRIC)
    assert result.status is ScorecardStatus.INCOMPLETE
    assert result.missing_required == ("comms",)
    assert result.scores == {"rollback": 3}
    assert result.missing[0].line is None  # nowhere in the body


def test_template_placeholder_is_missing_and_points_at_its_line() -> None:
    result = parse_scorecard("rollback: 4/4\ncomms: _/4\nobs: _/4", RUBRIC)
    assert result.status is ScorecardStatus.INCOMPLETE
    assert result.missing_required == ("comms",)
    assert result.missing_optional == ("obs",)
    comms = result.missing[0]
    assert comms.line is not None
    assert (comms.line.number, comms.line.text) == (2, "comms: _/4")
    assert not result.problems


@pytest.mark.parametrize("blank", ["_/4", "_", "?", "n/a", "N/A", "skip", "-", "", "_ / 4  # Observability"])
def test_optional_criterion_may_be_left_unscored(blank: str) -> None:
    result = parse_scorecard(f"rollback: 3\ncomms: 3\nobs: {blank}", RUBRIC)
    assert result.is_complete
    assert result.scores == {"rollback": 3, "comms": 3}


@pytest.mark.parametrize(
    ("value", "kind", "fragment"),
    [
        ("5", "out_of_range", "`5` is out of range"),
        ("0", "out_of_range", "`0` is out of range"),
        ("-1", "out_of_range", "`-1` is out of range"),
        ("0/4", "out_of_range", "out of range"),
        ("100", "out_of_range", "from 1 to 4"),
        ("9" * 5000, "out_of_range", "…` is out of range"),
        ("2.5", "not_integer", "`2.5` is not a whole number"),
        ("2,5", "not_integer", "not a whole number"),
        ("3/5", "bad_scale", "not on the 1–4 scale"),
        ("3 out of 10", "bad_scale", "out of 4"),
        ("3 things", "unclear", "could not read one score"),
        ("3-4", "unclear", "could not read one score"),
        ("3, 4", "unclear", "could not read one score"),
    ],
)
def test_invalid_values_name_criterion_value_and_line(value: str, kind: str, fragment: str) -> None:
    result = parse_scorecard(f"rollback: 3\n\ncomms: {value}", RUBRIC)
    assert result.status is ScorecardStatus.INCOMPLETE
    assert not result.is_complete
    (problem,) = result.problems
    assert problem.criterion_id == "comms"
    assert problem.kind == kind
    assert fragment in problem.message
    assert problem.lines[0].number == 3
    assert "comms" not in result.scores
    assert result.missing_required == ()  # reported once, as the problem, not also as missing


def test_invalid_optional_value_blocks_completion() -> None:
    result = parse_scorecard("rollback: 3\ncomms: 3\nobs: 7", RUBRIC)
    assert not result.is_complete
    assert [p.criterion_id for p in result.problems] == ["obs"]


def test_conflicting_duplicates_are_a_problem_listing_both_lines() -> None:
    result = parse_scorecard("rollback: 3\ncomms: 2\nRollback plan: 4", RUBRIC)
    (problem,) = result.problems
    assert problem.kind == "conflict"
    assert [line.number for line in problem.lines] == [1, 3]
    assert "3 and 4" in problem.message
    assert not result.is_complete


def test_agreeing_duplicates_and_a_template_quote_are_fine() -> None:
    body = "> rollback: _/4\n> comms: _/4\n\nrollback: 3\ncomms: 2\nrollback: 3/4"
    result = parse_scorecard(body, RUBRIC)
    assert result.is_complete
    assert result.scores == {"rollback": 3, "comms": 2}


def test_unknown_score_lines_are_ignored_but_kept_as_hints() -> None:
    body = "rollbak: 3\nrollback: 3\ncomms: 2\nOverall: 4/4\nAt the end: I spent 2 hours on this"
    result = parse_scorecard(body, RUBRIC)
    assert result.is_complete
    hints = {hint.line.number: hint for hint in result.unrecognised}
    assert hints[1].suggestion == "rollback"
    assert hints[4].suggestion is None
    assert 5 not in hints  # a sentence, not a mistyped criterion


def test_prose_about_a_criterion_is_a_hint_not_a_score() -> None:
    result = parse_scorecard("rollback: three\ncomms: 2", RUBRIC)
    assert result.missing_required == ("rollback",)
    (hint,) = result.unrecognised
    assert hint.suggestion == "rollback"
    assert hint.line.number == 1


def test_longest_label_wins_and_ids_beat_titles() -> None:
    rubric = make_rubric(
        criterion("comms", "Comms plan"),
        criterion("plan", "Comms"),  # its title equals the other's id
        criterion("roll", "Roll"),
    )
    result = parse_scorecard("comms plan: 1\ncomms: 2\nrollback: 4\nroll: 3\nplan: 4", rubric)
    # "comms plan: 1" is the title of "comms": a conflict with "comms: 2", not a score for "plan";
    # "rollback: 4" is not "roll" (no separator after the label) but a near miss of it.
    assert [(p.criterion_id, p.kind) for p in result.problems] == [("comms", "conflict")]
    assert result.scores == {"plan": 4, "roll": 3}
    assert [(h.line.number, h.suggestion) for h in result.unrecognised] == [(3, "roll")]


def test_ids_with_dashes_and_titles_with_punctuation() -> None:
    rubric = make_rubric(
        criterion("timeline-comms", "Timeline, SDK cycle: and how clients find out"),
        criterion("slo-operations", "SLO, capacity and operational impact", required=False),
    )
    result = parse_scorecard("timeline-comms - 4\nslo, capacity and OPERATIONAL impact: 2\n", rubric)
    assert result.scores == {"timeline-comms": 4, "slo-operations": 2}
    title_form = parse_scorecard("Timeline, SDK cycle: and how clients find out: 3", rubric)
    assert title_form.scores == {"timeline-comms": 3}


def test_score_column_header_ends_with_the_table() -> None:
    body = "| Criterion | Score |\n|-|-|\n| rollback | 3 |\n\nrollback | 3 | 2\ncomms: 2"
    result = parse_scorecard(body, RUBRIC)
    # The second "rollback" line is outside the table: "3 | 2" is two numbers, which is unclear.
    assert [(p.criterion_id, p.kind) for p in result.problems] == [("rollback", "unclear")]


def test_long_lines_are_shortened_when_echoed() -> None:
    result = parse_scorecard("comms: 9\nrollback: " + "7" * 1000, RUBRIC)
    assert all(len(line.text) <= 200 for p in result.problems for line in p.lines)


def test_unicode_digits_are_not_scores() -> None:
    result = parse_scorecard("rollback: ٣\ncomms: ３", RUBRIC)
    assert result.scores == {}
    assert result.missing_required == ("rollback", "comms")


def test_hints_are_capped_for_huge_bodies() -> None:
    # GitHub allows 65,536 characters in a review body; a wall of "x: 3" lines stays cheap.
    result = parse_scorecard("x: 3\n" * 13_000 + "rollback: 3\ncomms: 1", RUBRIC)
    assert result.is_complete
    assert len(result.unrecognised) == 20
