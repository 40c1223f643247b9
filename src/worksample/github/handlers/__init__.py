"""Every webhook handler, one module per GitHub event, composed here into the one router.

The intake asks this router whether an (event, action) is handled before recording a delivery;
the ``github.webhook`` job runs the recorded delivery through it.
"""

from __future__ import annotations

from worksample.github.handlers import (
    installation,
    issue_comment,
    member,
    pull_request,
    pull_request_review,
    repository,
)
from worksample.github.routing import Router

router = Router(
    installation.router,
    issue_comment.router,
    member.router,
    pull_request.router,
    pull_request_review.router,
    repository.router,
)

__all__ = ["router"]
