"""Scorecard parsing and weighting: pure functions and immutable values, no I/O.

The GitHub handlers call into this package after every review event:

* :func:`render_scorecard_comment` — the comment posted on the candidate's PR;
* :func:`parse_scorecard` — a review body → :class:`ScorecardResult` (never raises);
* :func:`render_scorecard_feedback` — the reply when a reviewer's scorecard cannot be recorded;
* :func:`score_assignment` — all review records seen so far → :class:`AssignmentScore`, whose
  ``to_dict()`` is the ``assignment.scored`` event's data.
"""

from worksample.scoring.outcome import (
    AssignmentScore,
    CriterionBreakdown,
    CriterionScore,
    ReviewerResult,
    ReviewerStatus,
    score_assignment,
)
from worksample.scoring.parse import (
    Missing,
    Problem,
    ScorecardResult,
    ScorecardStatus,
    SourceLine,
    Unrecognised,
    parse_scorecard,
)
from worksample.scoring.reviews import ReviewerReviews, ReviewRecord, ReviewState, combine, parse_review_state
from worksample.scoring.scorecard import (
    FEEDBACK_MARKER,
    SCORECARD_MARKER,
    is_feedback_comment,
    is_scorecard_comment,
    render_scorecard_comment,
    render_scorecard_feedback,
    render_scorecard_lines,
)
from worksample.scoring.weighting import (
    Recommendation,
    Reviewer,
    ReviewerRole,
    ScoringPolicy,
    recommendation_from_state,
    reviewer_score,
)

__all__ = [
    "FEEDBACK_MARKER",
    "SCORECARD_MARKER",
    "AssignmentScore",
    "CriterionBreakdown",
    "CriterionScore",
    "Missing",
    "Problem",
    "Recommendation",
    "ReviewRecord",
    "ReviewState",
    "Reviewer",
    "ReviewerResult",
    "ReviewerReviews",
    "ReviewerRole",
    "ReviewerStatus",
    "ScorecardResult",
    "ScorecardStatus",
    "ScoringPolicy",
    "SourceLine",
    "Unrecognised",
    "combine",
    "is_feedback_comment",
    "is_scorecard_comment",
    "parse_review_state",
    "parse_scorecard",
    "recommendation_from_state",
    "render_scorecard_comment",
    "render_scorecard_feedback",
    "render_scorecard_lines",
    "reviewer_score",
    "score_assignment",
]
