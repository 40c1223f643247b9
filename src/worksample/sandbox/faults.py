"""Injected failures: the next N calls matching a method and a path pattern answer 5xx or stall.

Patterns are shell-style globs on the concrete path (``/repos/acme/*/collaborators/*``), so a
test can target one repository or every one.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass


@dataclass
class RouteFault:
    method: str  # "*" for any
    path: str  # glob
    remaining: int
    status: int | None  # None: only latency
    latency_seconds: float
    message: str
    # The call is carried out and only then answered with ``status``: GitHub did the write, the
    # client never heard (a proxy's 502 after the fact), so a retry meets what it already did.
    after: bool = False


class Faults:
    def __init__(self) -> None:
        self.routes: list[RouteFault] = []

    def add(self, fault: RouteFault) -> None:
        self.routes.append(fault)

    def reset(self) -> None:
        self.routes.clear()

    def take(self, method: str, path: str) -> RouteFault | None:
        """The first armed fault for this call, consuming one of its uses."""
        for fault in self.routes:
            if fault.remaining <= 0:
                continue
            if fault.method not in ("*", method) or not fnmatch.fnmatchcase(path, fault.path):
                continue
            fault.remaining -= 1
            return fault
        return None
