"""Invitation links for candidates known only by e-mail: issue, e-mail, and accept after sign-in.

An assignment created without a GitHub login (Greenhouse's "Send Test", or our API with only
``candidate.email``) waits in ``requested`` with no ``candidate_login``; provisioning and its
sweeper leave it alone. :func:`issue_invitation` makes a link ``{public_url}/invite/{token}``
(256 random bits, stored as a SHA-256, one assignment, one use, expiring) and
:func:`email_invitation` sends it. When the candidate has signed in with GitHub on that page,
:func:`accept_invitation` records their login and numeric id; the caller commits and enqueues
provisioning (the same arq job the API uses).
"""

from worksample.invitations.service import (
    InvitationProblem,
    IssuedInvitation,
    accept_invitation,
    email_invitation,
    email_invitation_after_commit,
    find_invitation,
    invitation_link,
    issue_invitation,
)

__all__ = [
    "InvitationProblem",
    "IssuedInvitation",
    "accept_invitation",
    "email_invitation",
    "email_invitation_after_commit",
    "find_invitation",
    "invitation_link",
    "issue_invitation",
]
