"""The assignment's life cycle as pure domain code: statuses, legal transitions, timeline entries."""

from worksample.assignments.state import (
    TERMINAL_STATUSES,
    AssignmentStatus,
    IllegalTransition,
    ReviewerRole,
    TimelineEntry,
    Transition,
    allowed_transitions,
    transition,
)

__all__ = [
    "TERMINAL_STATUSES",
    "AssignmentStatus",
    "IllegalTransition",
    "ReviewerRole",
    "TimelineEntry",
    "Transition",
    "allowed_transitions",
    "transition",
]
