"""The walkthrough's steps as data: what each one is, how it went, and what GitHub saw meanwhile."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class StepStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    # The product in this build does not do this yet; the demo says so and carries on.
    NOT_IN_BUILD = "not_in_build"
    FAILED = "failed"


@dataclass
class Step:
    key: str
    title: str
    status: StepStatus = StepStatus.PENDING
    detail: str = ""
    started_at: float | None = None
    seconds: float = 0.0
    # "METHOD path status" of each GitHub API call made while the step ran, by anyone.
    github_calls: list[str] = field(default_factory=list)
    github_actors: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "status": self.status.value,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
            "github_calls": len(self.github_calls),
            "github_calls_by_actor": dict(self.github_actors),
            "github_call_list": self.github_calls,
        }


StepListener = Callable[[Step], None]


@dataclass
class Steps:
    """The ordered steps and the clock they are timed by (seconds since the demo started)."""

    steps: list[Step]
    started: float = field(default_factory=time.monotonic)
    listeners: list[StepListener] = field(default_factory=list)

    def __getitem__(self, key: str) -> Step:
        return next(step for step in self.steps if step.key == key)

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def notify(self, step: Step) -> None:
        for listener in self.listeners:
            listener(step)


def actor_kind(actor: str | None) -> str:
    """The simulator's call actor as who it was: the service (its App or installation) or a person."""
    if actor is None:
        return "anonymous"
    if actor.startswith(("app:", "installation:")):
        return "service"
    return actor
