"""Provisioning: from a requested assignment to a candidate invited to a private repository.

- ``naming``: repository names and the marker that says a repository is ours (pure).
- ``github_calls``: the GitHub side of each step, as plain functions over a githubkit client.
- ``templates``: template repositories of rendered work samples, and the registry that finds them.
- ``reviewer_access``: which reviewers read every repository of the organization already.
- ``service``: ``provision_assignment``: runs the steps in order, each recorded on the assignment
  as it completes so that a re-run (after a crash, a kill or a deferred retry) resumes rather
  than repeats.

GitHub calls per provisioned assignment: one ``generate`` from the template holding the rendered
files (the repository arrives with them in one commit), one invitation, and one read grant per
reviewer who does not read the organization's repositories already (members do, by GitHub's
default base permission; learning it costs one call per reviewer per worker per hour). The
template itself costs four calls (create, tree with every file inline, root commit, forced ref
update) once per distinct rendered content, which is also the path taken for every assignment
when no template registry is configured.
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
