"""Driving an assignment from request to score through the front doors only.

The recruiter API creates it, the real arq worker provisions it against the simulator, and from
then on every step is something a person does on (simulated) GitHub with their own token — accept
the invitation, open a PR, review, edit, dismiss — whose webhooks reach the service's intake; the
worker then runs the recorded deliveries. Nothing calls a handler directly.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

import httpx
from githubkit import AppAuthStrategy, GitHub
from githubkit.cache import MemCacheStrategy

from tests.conftest import GitHubWorld, run_worker_burst
from tests.support.world import SANDBOX_URL
from worksample.config import Settings

CANDIDATE = "octocat"
LEAD = "lead-eng"
ENGINEER = "second-eng"
STRANGER = "hubot"

FILLED = "Scorecard\n\nclarity: 4/4\nrisk: 2/4\n"


@dataclass
class Flow:
    api: httpx.AsyncClient
    world: GitHubWorld
    settings: Settings
    assignment_id: str = ""
    full_name: str = ""
    pr_number: int = 0
    _app_clients: list[GitHub[Any]] = field(default_factory=list)

    async def drain(self, **options: Any) -> None:
        """Let every pending webhook reach the service, then run the worker until the queue is empty.

        ``options`` go to the worker (``pacing=``, ``max_rate_limit_wait=``, ...)."""
        await self.world.sim.state.sandbox.webhooks.flush()
        # SQLite has one writer: jobs run one at a time there, or a job holding the write lock
        # while it calls GitHub makes the others wait out the busy timeout on a loaded machine.
        # PostgreSQL runs them concurrently, which is what the row locks are for.
        sqlite = self.settings.database_url.startswith("sqlite")
        await run_worker_burst(
            self.settings,
            github_transport=self.world.transport,
            poll_delay=0.05,
            max_jobs=1 if sqlite else 10,
            **options,
        )

    async def create(self, reviewers: list[dict[str, Any]] | None = None) -> str:
        body = {
            "candidate": {"login": CANDIDATE},
            "artifact_id": "test-sample",
            "reviewers": reviewers
            or [{"login": LEAD, "role": "lead"}, {"login": ENGINEER, "role": "engineer"}],
        }
        response = await self.api.post("/v1/assignments", json=body)
        assert response.status_code == 201, response.text
        self.assignment_id = response.json()["id"]
        await self.drain()
        assignment = await self.assignment()
        assert assignment["status"] == "invited", assignment
        self.full_name = assignment["repo_url"].removeprefix("http://sandbox/")
        return self.assignment_id

    async def require_all_reviewers(self) -> None:
        """Set-up: the organisation scores only once every weighted reviewer has. Tests use it for
        activity after the lead's review: a scored assignment's repository is archived (lifecycle),
        and an archived repository takes no more reviews."""
        from sqlalchemy import update

        from worksample.db.models import DEFAULT_SCORING_POLICY, Organization

        policy = {**DEFAULT_SCORING_POLICY, "require_all_reviewers": True}
        await self.sql(update(Organization).where(Organization.login == "acme").values(scoring_policy=policy))

    async def assignment(self) -> dict[str, Any]:
        response = await self.api.get(f"/v1/assignments/{self.assignment_id}")
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def accept(self) -> None:
        async with self.world.user_client(CANDIDATE) as candidate:
            invitations = (await candidate.get("/user/repository_invitations")).json()
            for invitation in invitations:
                response = await candidate.patch(f"/user/repository_invitations/{invitation['id']}")
                assert response.status_code == 204, response.text

    async def open_pr(self, *, branch: str = "answer", draft: bool = False, login: str = CANDIDATE) -> int:
        async with self.world.user_client(login) as user:
            main = (await user.get(f"/repos/{self.full_name}/git/ref/heads/main")).json()
            response = await user.post(
                f"/repos/{self.full_name}/git/refs",
                json={"ref": f"refs/heads/{branch}", "sha": main["object"]["sha"]},
            )
            assert response.status_code == 201, response.text
            response = await user.put(
                f"/repos/{self.full_name}/contents/{branch}.md",
                json={
                    "message": "My answer",
                    "content": base64.b64encode(b"# Plan\n").decode(),
                    "branch": branch,
                },
            )
            assert response.status_code == 201, response.text
            response = await user.post(
                f"/repos/{self.full_name}/pulls",
                json={"title": "Answer", "head": branch, "base": "main", "draft": draft},
            )
            assert response.status_code == 201, response.text
            number: int = response.json()["number"]
        self.pr_number = self.pr_number or number
        return number

    async def review(self, login: str, body: str, event: str = "APPROVE", number: int | None = None) -> int:
        async with self.world.user_client(login) as user:
            response = await user.post(
                f"/repos/{self.full_name}/pulls/{number or self.pr_number}/reviews",
                json={"body": body, "event": event},
            )
        assert response.status_code == 200, response.text
        review_id: int = response.json()["id"]
        return review_id

    async def edit_review(self, login: str, review_id: int, body: str) -> None:
        async with self.world.user_client(login) as user:
            response = await user.put(
                f"/repos/{self.full_name}/pulls/{self.pr_number}/reviews/{review_id}", json={"body": body}
            )
        assert response.status_code == 200, response.text

    def app_client(self) -> GitHub[Any]:
        """The App acting as its installation (what a recruiter's action through the service does)."""
        gh = GitHub(
            AppAuthStrategy(self.world.app_id, self.world.private_key),
            base_url=SANDBOX_URL,
            async_transport=self.world.transport,
            http_cache=False,
            auto_retry=False,
            cache_strategy=MemCacheStrategy(),
        )
        installation = gh.with_auth(gh.auth.as_installation(self.world.installation_id))
        # Kept on the flow: githubkit refuses calls once the client they came from is collected.
        self._app_clients += [gh, installation]
        return installation

    async def dismiss_review(self, review_id: int) -> None:
        """Dismissing takes write access, which reviewers do not have: the App does it."""
        owner, name = self.full_name.split("/")
        response = await self.app_client().rest.pulls.async_dismiss_review(
            owner, name, self.pr_number, review_id, message="Reviewed the wrong revision"
        )
        assert response.status_code == 200

    async def ready_for_review(self, number: int) -> None:
        response = await self.world.control.post(
            f"/_sandbox/repos/{self.full_name}/pulls/{number}/ready_for_review", json={"login": CANDIDATE}
        )
        assert response.status_code in (200, 204), response.text

    async def sql(self, statement: Any) -> Any:
        """Run one statement on the service's database and commit (test set-up and checks only)."""
        from worksample.db.session import create_engine, create_sessionmaker

        engine = create_engine(self.settings)
        try:
            async with create_sessionmaker(engine)() as session:
                result = await session.execute(statement)
                rows = [tuple(row) for row in result.all()] if statement.is_select else None
                await session.commit()
                return rows
        finally:
            await engine.dispose()

    async def reviews_in_db(self) -> list[tuple[int, str, str | None, str | None, int]]:
        """(review id, state, ignored reason, scorecard status, revision) of every stored review."""
        from sqlalchemy import select

        from worksample.db.models import ReviewRow
        from worksample.db.session import create_engine, create_sessionmaker

        engine = create_engine(self.settings)
        try:
            async with create_sessionmaker(engine)() as session:
                rows = (
                    await session.execute(
                        select(ReviewRow)
                        .where(ReviewRow.assignment_id == self.assignment_id)
                        .order_by(ReviewRow.review_id)
                    )
                ).scalars()
                return [(r.review_id, r.state, r.ignored, r.scorecard_status, r.revision) for r in rows]
        finally:
            await engine.dispose()

    async def comments(self) -> list[dict[str, Any]]:
        async with self.world.user_client(LEAD) as user:
            response = await user.get(f"/repos/{self.full_name}/issues/{self.pr_number}/comments")
        assert response.status_code == 200, response.text
        comments: list[dict[str, Any]] = response.json()
        return comments

    async def pull(self) -> dict[str, Any]:
        async with self.world.user_client(LEAD) as user:
            response = await user.get(f"/repos/{self.full_name}/pulls/{self.pr_number}")
        assert response.status_code == 200, response.text
        pull: dict[str, Any] = response.json()
        return pull

    async def fault(self, mode: str, count: int | None = None) -> None:
        body: dict[str, Any] = {"mode": mode}
        if count is not None:
            body["count"] = count
        response = await self.world.control.post("/_sandbox/faults/webhooks", json=body)
        assert response.status_code in (200, 204), response.text
