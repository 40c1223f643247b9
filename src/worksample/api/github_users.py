"""Asking GitHub whether a login exists, as the App's installation on the organisation.

A small function on purpose: it belongs with the GitHub client code and can move there as is.
Only ``GET /users/{login}`` is used (one read, no pacing needed), and the numeric id it returns
is what people are keyed by from then on.
"""

from __future__ import annotations

from dataclasses import dataclass

from githubkit.exception import RequestFailed

from worksample.github.client import InstallationClient


@dataclass(frozen=True)
class GitHubUser:
    id: int
    # As GitHub spells it (the request may have used another case).
    login: str
    type: str


class UnknownGitHubUser(LookupError):
    def __init__(self, login: str) -> None:
        super().__init__(f"GitHub has no user named {login!r}")
        self.login = login


async def lookup_user(client: InstallationClient, login: str) -> GitHubUser:
    """Raises ``UnknownGitHubUser`` on 404; other GitHub failures propagate as ``RequestFailed``."""
    try:
        response = await client.rest.users.async_get_by_username(login)
    except RequestFailed as exc:
        if exc.response.status_code == 404:
            raise UnknownGitHubUser(login) from exc
        raise
    data = response.parsed_data
    return GitHubUser(id=data.id, login=data.login, type=data.type)
