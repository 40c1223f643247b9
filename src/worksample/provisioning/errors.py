"""What provisioning raises on purpose: a reason the recruiter must see, or a run overtaken."""

from __future__ import annotations

from worksample.assignments import AssignmentStatus


class ProvisioningFailed(Exception):
    """Provisioning cannot succeed by retrying (unknown artifact, GitHub refused for good, ...).

    ``reason`` is stored on the assignment as its failure reason.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Superseded(RuntimeError):
    """The assignment left provisioning (a cancel) while a run was working on it."""

    def __init__(self, status: AssignmentStatus) -> None:
        super().__init__(f"the assignment is {status.value} now")
        self.status = status
