"""Provisioning: from a requested assignment to a candidate invited to a private repository.

- ``naming``: repository names and the marker that says a repository is ours (pure).
- ``github_calls``: the GitHub side of each step, as plain functions over a githubkit client.
- ``service``: ``provision_assignment``: runs the steps in order, each recorded on the assignment
  as it completes so that a re-run (after a crash, a kill or a deferred retry) resumes rather
  than repeats.

Calls per provisioned assignment on the normal path: create the repository (``auto_init``), one
tree with every file inline, one root commit, one forced ref update (so the history is exactly
that one commit), one invitation: five; plus one grant per reviewer (see ``service``).
"""

from worksample.provisioning.errors import ProvisioningFailed
from worksample.provisioning.service import (
    AssignmentNotFound,
    ProvisionOutcome,
    fail_assignment,
    provision_assignment,
)

__all__ = [
    "AssignmentNotFound",
    "ProvisionOutcome",
    "ProvisioningFailed",
    "fail_assignment",
    "provision_assignment",
]
