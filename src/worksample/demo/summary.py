"""The demo's one-JSON summary: what the assignment ended as, what each step cost, what the ATS got."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from worksample.demo.steps import StepStatus
from worksample.demo.story import SCORED_EVENT

if TYPE_CHECKING:
    from worksample.demo.runner import Running
    from worksample.demo.story import Story


def _breakdown(story: Story) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Per-criterion and per-reviewer results, from the verified ``assignment.scored`` event (what
    the ATS was told) or, without one, from the assignment as the API shows it."""
    scored = next(
        (d for d in story.receiver.deliveries if d.verified and d.event_type == SCORED_EVENT and d.data), None
    )
    source: dict[str, Any] = scored.data if scored is not None and scored.data else story.assignment
    scoring = source.get("scoring") if isinstance(source.get("scoring"), dict) else source
    criteria = scoring.get("criteria") if isinstance(scoring, dict) else None
    reviewers = scoring.get("reviewers") if isinstance(scoring, dict) else None
    return (
        [c for c in criteria or [] if isinstance(c, dict) and "score" in c],
        [r for r in reviewers or [] if isinstance(r, dict) and "score" in r],
    )


def build_summary(story: Story, running: Running) -> dict[str, Any]:
    assignment = story.assignment
    criteria, reviewers = _breakdown(story)
    steps = [step.to_dict() for step in story.steps.steps]
    assignment_id = assignment.get("id")
    return {
        "assignment_id": assignment_id,
        "status": assignment.get("status"),
        "score": assignment.get("score"),
        "criteria": criteria,
        "reviewers": reviewers,
        "repo_url": assignment.get("repo_url"),
        "pr_url": assignment.get("pr_url") or story.pull.get("html_url"),
        "steps": steps,
        "github_calls_total": sum(step["github_calls"] for step in steps),
        "ats_deliveries": [delivery.summary() for delivery in story.receiver.deliveries],
        "completed": all(step.status is StepStatus.DONE for step in story.steps.steps),
        "failed": [s.key for s in story.steps.steps if s.status is StepStatus.FAILED],
        "not_in_this_build": [s.key for s in story.steps.steps if s.status is StepStatus.NOT_IN_BUILD],
        "not_reached": [s.key for s in story.steps.steps if s.status is StepStatus.PENDING],
        "elapsed_seconds": round(story.steps.elapsed(), 3),
        "redis": running.redis.kind,
        "log": str(running.log_file) if running.log_file else None,
        "assignment": assignment,
        # A throwaway key for the demo's own organization, so the URLs below can be opened.
        "api_key": running.api_key,
        "urls": {
            "api_docs": f"{running.api_url}/docs",
            # The recruiters' and reviewers' pages; sign in through the simulator's GitHub.
            "web_pages": f"{running.api_url}/board",
            "assignment": f"{running.api_url}/v1/assignments/{assignment_id}" if assignment_id else None,
            "github_simulator": running.github_url,
            "github_calls": f"{running.github_url}/_sandbox/calls",
            "ats_deliveries": f"{running.ats_url}/ats/webhooks",
        },
    }
