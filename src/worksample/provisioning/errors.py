"""The one error provisioning raises on purpose: a reason the recruiter must see."""

from __future__ import annotations


class ProvisioningFailed(Exception):
    """Provisioning cannot succeed by retrying (unknown artifact, GitHub refused for good, ...).

    ``reason`` is stored on the assignment as its failure reason.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
