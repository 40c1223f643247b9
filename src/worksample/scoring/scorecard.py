"""What the service writes on the candidate's PR: the scorecard to fill in, and feedback on it.

Both are Markdown for GitHub. The scorecard shows each criterion's id, title, weight and whether it
is required, and the 1–4 scale, but never a criterion's anchors or the reviewer guide: the
candidate can read every comment on their own PR.

The fill-in block is plain ``id: _/4`` lines, the easiest shape to paste into a review body and the
one :func:`~worksample.scoring.parse.parse_scorecard` reads most reliably. Each comment starts with
a hidden HTML marker so the service recognises (and never scores) its own comments.
"""

from __future__ import annotations

from collections.abc import Mapping

from worksample.artifacts.model import MAX_SCORE, MIN_SCORE, Rubric
from worksample.scoring._text import fenced, format_weight, one_line
from worksample.scoring.parse import ScorecardResult, ScorecardStatus

SCORECARD_MARKER = "<!-- worksample:scorecard v1 -->"
FEEDBACK_MARKER = "<!-- worksample:scorecard-feedback v1 -->"

# A conflict can name every line of a long body; the reply shows the first few.
_LINES_SHOWN = 5

# Generic level names; the rubric's per-criterion anchors are reviewer-only and never posted.
_SCALE = {1: "below the bar", 2: "approaching the bar", 3: "meets the bar", 4: "above the bar"}


def is_scorecard_comment(body: str | None) -> bool:
    return SCORECARD_MARKER in (body or "")


def is_feedback_comment(body: str | None) -> bool:
    return FEEDBACK_MARKER in (body or "")


def render_scorecard_lines(rubric: Rubric, scores: Mapping[str, int] | None = None) -> list[str]:
    """``rollback:      _/4   # Rollback plan · weight 2 · required``, one line per criterion.

    Criteria in ``scores`` are filled in; the rest keep the ``_`` placeholder.
    """
    scores = scores or {}
    width = max(len(criterion.id) for criterion in rubric.criteria) + 1
    lines = []
    for criterion in rubric.criteria:
        value = str(scores[criterion.id]) if criterion.id in scores else "_"
        kind = "required" if criterion.required else "optional"
        about = f"{one_line(criterion.title)} · weight {format_weight(criterion.weight)} · {kind}"
        lines.append(f"{criterion.id + ':':<{width}} {value}/{MAX_SCORE}   # {about}")
    return lines


def render_scorecard_comment(rubric: Rubric, *, reviewer_guide_url: str | None = None) -> str:
    """The comment posted on the candidate's PR when it opens."""
    scale = [f"- **{level}** — {_SCALE[level]}" for level in range(MIN_SCORE, MAX_SCORE + 1)]
    parts = [
        SCORECARD_MARKER,
        "### Scorecard",
        "",
        "**Reviewers** — copy the block below into the body of your review (*Files changed → Review "
        f"changes*), replace each `_` with a score from {MIN_SCORE} to {MAX_SCORE}, and submit. "
        "**Approve** records your recommendation as hire, **Request changes** as no hire and "
        "**Comment** as no decision. Optional criteria may stay `_`. You can edit your review later "
        "to change a score.",
        "",
        *scale,
        "",
        fenced(render_scorecard_lines(rubric), "text"),
    ]
    if reviewer_guide_url:
        parts += [
            "",
            f"Reviewers find the reviewer guide in the service (sign-in required): {reviewer_guide_url}",
        ]
    return "\n".join(parts) + "\n"


def _sentence(greeting: str, text: str) -> str:
    return greeting + text if greeting else text[:1].upper() + text[1:]


def _indented(block: str) -> list[str]:
    # Three spaces keep a fenced block inside its numbered list item.
    return ["   " + line for line in block.splitlines()]


def render_scorecard_feedback(
    result: ScorecardResult, rubric: Rubric, *, reviewer_login: str | None = None
) -> str:
    """The reply to a review whose scorecard cannot be recorded, saying exactly what to fix.

    Raises ValueError for a complete scorecard: there is nothing to tell the reviewer.
    """
    if result.status is ScorecardStatus.COMPLETE:
        raise ValueError("the scorecard is complete; there is no feedback to give")
    greeting = f"@{reviewer_login}, " if reviewer_login else ""
    titles = {criterion.id: one_line(criterion.title) for criterion in rubric.criteria}

    if result.status is ScorecardStatus.ABSENT:
        return (
            "\n".join(
                [
                    FEEDBACK_MARKER,
                    _sentence(greeting, "this review has no scorecard")
                    + f", so it was not scored. Edit the review and add "
                    f"this block with a score from {MIN_SCORE} to {MAX_SCORE} for each criterion:",
                    "",
                    fenced(render_scorecard_lines(rubric), "text"),
                ]
            )
            + "\n"
        )

    items: list[list[str]] = []
    for problem in result.problems:
        shown = problem.lines[:_LINES_SHOWN]
        more = len(problem.lines) - len(shown)
        lines = ", ".join(str(line.number) for line in shown) + (f" and {more} more" if more else "")
        label = "Lines" if len(problem.lines) > 1 else "Line"
        items.append(
            [
                f"**{problem.criterion_id}** ({titles[problem.criterion_id]}): {problem.message} "
                f"{label} {lines}:",
                *_indented(fenced([line.text for line in shown])),
            ]
        )
    for missing in result.missing:
        if not missing.required:
            continue
        head = f"**{missing.criterion_id}** ({titles[missing.criterion_id]}) is required and has no score."
        if missing.line is not None:
            items.append(
                [
                    f"{head} Put a score from {MIN_SCORE} to {MAX_SCORE} on line {missing.line.number}:",
                    *_indented(fenced([missing.line.text])),
                ]
            )
        else:
            items.append([f"{head} Add a line `{missing.criterion_id}: N/{MAX_SCORE}` with your score N."])
    needs_fix = {p.criterion_id for p in result.problems} | set(result.missing_required)
    for hint in result.unrecognised:
        if (
            hint.suggestion is not None
            and hint.suggestion not in needs_fix
            and hint.reason.startswith("no score")
        ):
            continue  # prose about a criterion that is scored elsewhere
        guess = f" Did you mean `{hint.suggestion}`?" if hint.suggestion else ""
        items.append(
            [
                f"Line {hint.line.number} was not read as a score: {hint.reason}.{guess}",
                *_indented(fenced([hint.line.text])),
            ]
        )
    if not result.problems and not result.missing_required:
        # Every criterion is optional and all were left blank: nothing is wrong except emptiness.
        items.insert(
            0, [f"No criterion has a score yet: score at least one from {MIN_SCORE} to {MAX_SCORE}."]
        )

    body = [
        FEEDBACK_MARKER,
        _sentence(greeting, "your scorecard was **not recorded yet**")
        + ". Edit your review (or submit a new one) and fix:",
        "",
    ]
    for number, item in enumerate(items, start=1):
        body.append(f"{number}. {item[0]}")
        body.extend(item[1:])
    body += [
        "",
        "Your scorecard as read so far, ready to correct and paste back:",
        "",
        fenced(render_scorecard_lines(rubric, result.scores), "text"),
    ]
    return "\n".join(body) + "\n"
