"""Greenhouse's Assessment Partner contract, the domain side (the routes are ``api/greenhouse.py``).

* tests ↔ artifacts: ``partner_test_id`` is the artifact id, ``partner_test_name`` its title;
  ``partner_interview_id`` is our assignment id.
* :func:`send_test` — an assignment without a GitHub login, reviewers from the organisation's
  defaults (:mod:`.reviewers`), and an invitation link e-mailed to the candidate.
* :func:`greenhouse_status` (``test_status``) — ``complete`` once scored, the weighted score, flat metadata.
* :func:`deliver_completions` — the body-less PATCH to Greenhouse's ``url`` once scored: sent right
  after the job that scored, retried on the outbox's schedule by the ``greenhouse.completions`` job
  (every minute). Greenhouse's API key, which authenticates it, is stored encrypted until then.

Authentication: Greenhouse sends one of the organisation's API keys (``worksample apikey
create``) as the Basic user name with an empty password — the same keys as the recruiter API,
so one key names one organisation everywhere.
"""

from worksample.greenhouse.completion import CompletionRun, deliver_completions
from worksample.greenhouse.reviewers import DefaultReviewers, NoDefaultReviewers, reviewers_for
from worksample.greenhouse.send import SentTest, send_test
from worksample.greenhouse.status import greenhouse_status

__all__ = [
    "CompletionRun",
    "DefaultReviewers",
    "NoDefaultReviewers",
    "SentTest",
    "deliver_completions",
    "greenhouse_status",
    "reviewers_for",
    "send_test",
]
