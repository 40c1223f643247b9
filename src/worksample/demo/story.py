"""The scripted walkthrough: one assignment from the recruiter's request to the ATS's verified score.

Each step does what a person (or their ATS) does, through the same front doors they use: the
service's API with an API key, GitHub's REST API with the candidate's and the lead engineer's
tokens. The service reacts on its own — its worker provisions, its webhook intake hears GitHub —
and the step waits for the consequence to show in the API.

A step the product in this build cannot complete yet (say, no webhook intake) is marked
``not_in_build`` with a sentence saying what is missing; the people's own GitHub actions still
happen, so the demo runs as far as the product goes.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

from worksample.artifacts.model import Rubric
from worksample.demo import people
from worksample.demo.errors import DemoError
from worksample.demo.receiver import PATH as RECEIVER_PATH
from worksample.demo.receiver import AtsReceiver
from worksample.demo.steps import Step, Steps, StepStatus, actor_kind
from worksample.demo.world import CANDIDATE, LEAD, WEBHOOK_PATH, DemoWorld
from worksample.scoring import render_scorecard_comment

ARTIFACT_ID = "api-deprecation-rfc"
STOPPED = {"failed", "cancelled", "expired"}
ENDPOINTS_ROUTE = "/v1/endpoints"
SCORED_EVENT = "assignment.scored"


def plan() -> Steps:
    return Steps(
        [
            Step("start", "API, webhook intake, worker, GitHub simulator and ATS receiver started"),
            Step("github", "GitHub organization, people and the App installed"),
            Step("endpoint", "ATS endpoint registered through the API"),
            Step("trigger", "Recruiter triggers the assignment through the API"),
            Step("provision", "Repository provisioned and the candidate invited"),
            Step("accept", "Candidate accepts the invitation"),
            Step("submit", "Candidate opens a pull request with a response"),
            Step("review", "Lead engineer reviews with a filled scorecard"),
            Step("ats", f"ATS receives and verifies {SCORED_EVENT}"),
        ]
    )


class StoryStopped(Exception):
    """A step failed; the ones after it cannot run."""


@dataclass
class Story:
    api: httpx.AsyncClient  # the service, with the recruiter's API key
    github: httpx.AsyncClient  # the simulator: control routes and anonymous reads
    world: DemoWorld
    receiver: AtsReceiver
    receiver_url: str
    rubric: Rubric
    steps: Steps
    wait_seconds: float = 20.0
    assignment: dict[str, Any] = field(default_factory=dict)
    capabilities: set[str] = field(default_factory=set)
    pull: dict[str, Any] = field(default_factory=dict)
    endpoint_route: str | None = None
    detected: bool = False

    # ------------------------------------------------------------------ plumbing

    async def _calls(self) -> list[dict[str, Any]]:
        response = await self.github.get("/_sandbox/calls")
        response.raise_for_status()
        calls: list[dict[str, Any]] = response.json()
        return calls

    @asynccontextmanager
    async def _step(self, key: str) -> AsyncIterator[Step]:
        step = self.steps[key]
        step.status, step.started_at = StepStatus.RUNNING, self.steps.elapsed()
        self.steps.notify(step)
        before = len(await self._calls())
        try:
            yield step
        except DemoError as exc:
            step.status, step.detail = StepStatus.FAILED, str(exc)
        finally:
            # Webhook deliveries the step caused are part of it (and may cause more GitHub calls).
            await self.github.post("/_sandbox/webhooks/flush")
            for call in (await self._calls())[before:]:
                step.github_calls.append(f"{call['method']} {call['path']} {call['status']}")
                step.github_actors[actor_kind(call.get("actor"))] += 1
            step.seconds = self.steps.elapsed() - step.started_at
            if step.status is StepStatus.RUNNING:
                step.status = StepStatus.DONE
            self.steps.notify(step)
        if step.status is StepStatus.FAILED:
            raise StoryStopped(key)

    def person(self, login: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(
            base_url=str(self.github.base_url),
            headers={"Authorization": f"token {self.world.tokens[login]}"},
            timeout=30.0,
        )

    async def _assignment(self) -> dict[str, Any]:
        response = await self.api.get(f"/v1/assignments/{self.assignment['id']}")
        if response.status_code != 200:
            raise DemoError(f"reading the assignment: {response.status_code} {response.text[:300]}")
        self.assignment = response.json()
        return self.assignment

    async def _wait_status(self, wanted: set[str]) -> dict[str, Any]:
        deadline = asyncio.get_running_loop().time() + self.wait_seconds
        while True:
            current = await self._assignment()
            if current["status"] in wanted:
                return current
            if current["status"] in STOPPED:
                reason = current.get("failure_reason") or "no reason given"
                raise DemoError(f"the assignment went {current['status']}: {reason}")
            if asyncio.get_running_loop().time() > deadline:
                waited = f"{self.wait_seconds:.0f} s"
                awaited = " or ".join(sorted(wanted))
                raise DemoError(f"still {current['status']} after {waited} (waiting for {awaited})")
            await asyncio.sleep(0.1)

    def _not_in_build(self, step: Step, done_on_github: str, missing: str) -> None:
        step.status = StepStatus.NOT_IN_BUILD
        step.detail = f"{done_on_github}; {missing}"

    # ------------------------------------------------------------------ the story

    async def detect(self) -> None:
        """What this build of the service offers, from its own OpenAPI document."""
        paths = (await self.api.get("/openapi.json")).json().get("paths", {})
        if "post" in paths.get(WEBHOOK_PATH, {}):
            self.capabilities.add("intake")
        self.endpoint_route = ENDPOINTS_ROUTE if "post" in paths.get(ENDPOINTS_ROUTE, {}) else None
        self.detected = True

    async def run(self) -> None:
        if not self.detected:
            await self.detect()
        endpoint_route = self.endpoint_route
        try:
            async with self._step("github") as step:
                step.detail = (
                    f"org {self.world.org}, App {self.world.app_slug} (id {self.world.app_id}) "
                    f"installed as {self.world.installation_id}"
                )
            async with self._step("endpoint") as step:
                await self._register_endpoint(step, endpoint_route)
            async with self._step("trigger") as step:
                await self._trigger(step)
            async with self._step("provision") as step:
                current = await self._wait_status({"invited"})
                step.detail = f"{current['repo_url']} · {CANDIDATE} invited"
            async with self._step("accept") as step:
                await self._accept(step)
            async with self._step("submit") as step:
                await self._submit(step)
            async with self._step("review") as step:
                await self._review(step)
            async with self._step("ats") as step:
                await self._ats(step)
        except StoryStopped:
            pass
        if self.assignment.get("id"):
            # The summary reports the final state, not the one the last step saw.
            await self._assignment()

    async def _register_endpoint(self, step: Step, route: str | None) -> None:
        if route is None:
            self._not_in_build(step, "skipped", "this build's API has no ATS endpoint routes yet")
            return
        # No event_types: every event, so the ATS sees the whole story, not only the score.
        response = await self.api.post(
            route, json={"url": self.receiver_url + RECEIVER_PATH, "description": "demo ATS"}
        )
        if response.status_code not in (200, 201):
            raise DemoError(f"registering the ATS endpoint: {response.status_code} {response.text[:300]}")
        body = response.json()
        self.receiver.secret = body.get("secret")
        self.capabilities.add("ats")
        step.detail = f"{body.get('id')} → {self.receiver_url}{RECEIVER_PATH}"

    async def _trigger(self, step: Step) -> None:
        request = {
            "candidate": {"login": CANDIDATE, "name": "Ada Candidate", "email": "ada@example.com"},
            "artifact_id": ARTIFACT_ID,
            "variables": {"company_name": "Acme"},
            "reviewers": [{"login": LEAD, "role": "lead"}],
            "external_ids": {"greenhouse_application_id": "demo-1"},
        }
        response = await self.api.post("/v1/assignments", json=request, headers={"Idempotency-Key": "demo-1"})
        if response.status_code != 201:
            raise DemoError(f"the API refused the assignment: {response.status_code} {response.text[:500]}")
        self.assignment = response.json()
        step.detail = f"assignment {self.assignment['id']} ({ARTIFACT_ID}) is {self.assignment['status']}"

    async def _accept(self, step: Step) -> None:
        owner, repo = people.split_repo_url(self.assignment["repo_url"])
        async with self.person(CANDIDATE) as candidate:
            await people.accept_invitation(candidate, owner, repo)
        if "intake" not in self.capabilities:
            self._not_in_build(step, "accepted on GitHub", "this build has no webhook intake to hear it")
            return
        current = await self._wait_status({"accepted", "submitted", "in_review", "scored"})
        step.detail = f"the service recorded it: {current['status']}"

    async def _submit(self, step: Step) -> None:
        owner, repo = people.split_repo_url(self.assignment["repo_url"])
        async with self.person(CANDIDATE) as candidate:
            self.pull = await people.open_pull_request(candidate, owner, repo)
        if "intake" not in self.capabilities:
            opened = f"PR #{self.pull['number']} opened"
            self._not_in_build(step, opened, "this build has no webhook intake to hear it")
            return
        current = await self._wait_status({"submitted", "in_review", "scored"})
        step.detail = f"{current.get('pr_url') or self.pull['html_url']} · {current['status']}"

    async def _review(self, step: Step) -> None:
        owner, repo = people.split_repo_url(self.assignment["repo_url"])
        number = int(self.pull["number"])
        async with self.person(LEAD) as lead:
            scorecard = await self._wait_scorecard(lead, owner, repo, number)
            posted = scorecard is not None
            # Without the service's comment, the lead fills in the same scorecard the service would post.
            body, scores = people.fill_scorecard(scorecard or render_scorecard_comment(self.rubric))
            await people.submit_review(lead, owner, repo, number, body)
        filled = ", ".join(f"{k} {v}" for k, v in scores.items())
        if "intake" not in self.capabilities:
            self._not_in_build(step, f"approved with {filled}", "no webhook intake to score it in this build")
            return
        if not posted:
            waited = f"{self.wait_seconds:.0f} s"
            raise DemoError(f"the service posted no scorecard on PR #{number} within {waited}")
        current = await self._wait_status({"scored"})
        step.detail = f"approved with {filled} → score {current.get('score')}"

    async def _wait_scorecard(
        self, lead: httpx.AsyncClient, owner: str, repo: str, number: int
    ) -> str | None:
        if "intake" not in self.capabilities:
            return None
        deadline = asyncio.get_running_loop().time() + self.wait_seconds
        while asyncio.get_running_loop().time() < deadline:
            found = await people.find_scorecard(lead, owner, repo, number)
            if found is not None:
                return found
            await asyncio.sleep(0.1)
        return None

    async def _ats(self, step: Step) -> None:
        if "ats" not in self.capabilities:
            self._not_in_build(step, "skipped", "no ATS endpoint could be registered in this build")
            return
        delivery = await self.receiver.wait_for(SCORED_EVENT, seconds=self.wait_seconds)
        if delivery is None:
            raise DemoError(f"no verified {SCORED_EVENT} within {self.wait_seconds:.0f} s")
        received = self.receiver.deliveries
        verified = sum(d.verified for d in received)
        kinds = ", ".join(d.event_type or "?" for d in received if d.verified)
        step.detail = f"{verified} of {len(received)} deliveries verified with standardwebhooks: {kinds}"
