"""What the candidate and the lead engineer do on GitHub, through its REST API with their own tokens.

Exactly the calls a person's client makes (``gh``, an IDE, the web UI's API calls): nothing here
touches the simulator's control routes, so the service sees these actions only through GitHub's
webhooks, as in production.
"""

from __future__ import annotations

import base64
import re
from typing import Any

import httpx

from worksample.demo.errors import DemoError
from worksample.scoring import SCORECARD_MARKER

RESPONSE_BRANCH = "response"
RESPONSE_PATH = "RESPONSE.md"
RESPONSE_TEXT = """# Response to RFC-0042

## Recommendation

No-go as written. Go once the sunset can be reversed for a week and the three largest clients have
migrated in staging; the serializer unification moves out of this plan.

## What must change before this ships

1. A rollback: v1 keeps answering behind a flag for seven days after the sunset.
2. Client outreach by traffic, largest first, with named owners.
3. The announcement gives 90 days, not 45.

## Revised plan

Brownouts of 1 h, then 4 h, then 24 h in the last three weeks; the sunset moves five weeks later.
"""
# The demo lead engineer's scores, applied to the rubric's criteria in order.
DEMO_SCORES = (4, 3, 3, 4, 2, 3, 4)
_FILL_LINE = re.compile(r"^(?P<id>[A-Za-z0-9_.-]+):(?P<pad>\s*)_/(?P<max>\d+)(?P<rest>.*)$")


def _check(response: httpx.Response, what: str, *expected: int) -> Any:
    if response.status_code not in expected:
        raise DemoError(f"GitHub refused {what}: {response.status_code} {response.text[:300]}")
    return response.json() if response.content else None


def split_repo_url(repo_url: str) -> tuple[str, str]:
    """``http://host/owner/name`` → (owner, name)."""
    owner, name = repo_url.rstrip("/").split("/")[-2:]
    return owner, name


async def accept_invitation(candidate: httpx.AsyncClient, owner: str, repo: str) -> int:
    invitations = _check(await candidate.get("/user/repository_invitations"), "listing invitations", 200)
    for invitation in invitations:
        if invitation["repository"]["full_name"].lower() == f"{owner}/{repo}".lower():
            _check(
                await candidate.patch(f"/user/repository_invitations/{invitation['id']}"),
                "accepting the invitation",
                204,
            )
            return int(invitation["id"])
    raise DemoError(f"the candidate has no invitation to {owner}/{repo}")


async def open_pull_request(candidate: httpx.AsyncClient, owner: str, repo: str) -> dict[str, Any]:
    """A branch with the candidate's answer in RESPONSE.md, and a pull request from it."""
    base = f"/repos/{owner}/{repo}"
    info = _check(await candidate.get(base), "reading the repository", 200)
    default = info["default_branch"]
    head = _check(await candidate.get(f"{base}/git/ref/heads/{default}"), "reading the branch", 200)
    _check(
        await candidate.post(
            f"{base}/git/refs", json={"ref": f"refs/heads/{RESPONSE_BRANCH}", "sha": head["object"]["sha"]}
        ),
        "creating the branch",
        201,
    )
    current = await candidate.get(f"{base}/contents/{RESPONSE_PATH}", params={"ref": RESPONSE_BRANCH})
    body: dict[str, Any] = {
        "message": "My response to RFC-0042",
        "content": base64.b64encode(RESPONSE_TEXT.encode()).decode(),
        "branch": RESPONSE_BRANCH,
    }
    if current.status_code == 200:
        body["sha"] = current.json()["sha"]
    _check(await candidate.put(f"{base}/contents/{RESPONSE_PATH}", json=body), "committing", 200, 201)
    pull: dict[str, Any] = _check(
        await candidate.post(
            f"{base}/pulls",
            json={
                "title": "Response to RFC-0042",
                "head": RESPONSE_BRANCH,
                "base": default,
                "body": "My review of the RFC and a revised plan.",
            },
        ),
        "opening the pull request",
        201,
    )
    return pull


async def find_scorecard(reviewer: httpx.AsyncClient, owner: str, repo: str, number: int) -> str | None:
    """The scorecard comment the service posted on the pull request, if it has."""
    comments = _check(
        await reviewer.get(f"/repos/{owner}/{repo}/issues/{number}/comments"), "reading comments", 200
    )
    for comment in comments:
        if SCORECARD_MARKER in (comment.get("body") or ""):
            return str(comment["body"])
    return None


def fill_scorecard(scorecard: str) -> tuple[str, dict[str, int]]:
    """The review body a lead engineer writes: the scorecard's fill-in lines with a score each."""
    lines: list[str] = []
    scores: dict[str, int] = {}
    for line in scorecard.splitlines():
        match = _FILL_LINE.match(line.strip())
        if match is None:
            continue
        score = min(DEMO_SCORES[len(scores) % len(DEMO_SCORES)], int(match["max"]))
        scores[match["id"]] = score
        lines.append(f"{match['id']}:{match['pad']}{score}/{match['max']}{match['rest']}")
    if not scores:
        raise DemoError("the scorecard has no lines to fill in")
    body = "\n".join(
        ["Strong answer: a clear no-go with conditions and a workable plan.", "", "```text", *lines, "```"]
    )
    return body, scores


async def submit_review(
    reviewer: httpx.AsyncClient, owner: str, repo: str, number: int, body: str
) -> dict[str, Any]:
    review: dict[str, Any] = _check(
        await reviewer.post(
            f"/repos/{owner}/{repo}/pulls/{number}/reviews", json={"event": "APPROVE", "body": body}
        ),
        "submitting the review",
        200,
    )
    return review
