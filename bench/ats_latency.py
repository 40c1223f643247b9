"""ATS latency benchmark: from a review submitted on (simulated) GitHub to the ATS holding the
verified ``assignment.scored`` event.

Runs the real stack in one process: the GitHub simulator, the service app (its webhook intake
receives the simulator's deliveries), the real arq worker (not burst: its every-second outbox
dispatcher cron runs) on a random queue in the shared Redis, a SQLite database, and an ATS: a real
HTTP server on 127.0.0.1 that verifies every delivery with the ``standardwebhooks`` package and
validates it against the event's published JSON Schema before counting it.

Set-up (not timed): an endpoint is registered through the API, ``--assignments`` assignments are
requested through the API and provisioned, each candidate accepts and opens a pull request. Then,
``--concurrency`` at a time, the lead reviewer submits a review whose body is a complete scorecard;
the clock runs from just before that request until the ATS holds the verified scored event for
that assignment. The pipeline timed: the simulator's webhook → intake → ``github.webhook`` job →
scoring → outbox row → dispatcher claim (every second) → ``outbox.deliver`` job → HTTP POST.

Usage: ``.venv/bin/python bench/ats_latency.py [--assignments 50] [--concurrency 1]``.
Prints p50 / p95 / max; exit status 1 when an assignment's event did not arrive or did not verify.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import ipaddress
import json
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the test support package: the simulated world and the receiver

from tests.outbox.ats import running_worker  # noqa: E402
from tests.outbox.receiver import running  # noqa: E402
from tests.support.databases import create_pg_database, drop_pg_database, unique_name  # noqa: E402
from tests.support.world import SERVICE_URL, build_world, install_app  # noqa: E402

from worksample.api.keys import create_api_key  # noqa: E402
from worksample.app import create_app  # noqa: E402
from worksample.artifacts.catalog import load_catalog  # noqa: E402
from worksample.config import DEFAULT_ARTIFACTS_DIR, Settings  # noqa: E402
from worksample.db import migrate  # noqa: E402
from worksample.db.session import create_engine, create_sessionmaker, session_scope  # noqa: E402
from worksample.outbox.events import validate_payload  # noqa: E402
from worksample.scoring.scorecard import render_scorecard_lines  # noqa: E402

ARTIFACT = "api-deprecation-rfc"
LEAD, ENGINEER = "lead-eng", "second-eng"


@dataclass
class Ats:
    """The ATS: verifies each delivery, keeps when each assignment's scored event arrived."""

    secret: str = ""
    port: int = 0
    release: asyncio.Event = field(default_factory=asyncio.Event)
    scored_at: dict[str, float] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            payload = Webhook(self.secret).verify(body, headers)
            validate_payload(payload["type"], payload)
        # Any refusal at all is counted, and answered 400.
        except Exception as exc:
            self.rejected.append(f"{type(exc).__name__}: {exc}")
            status = 400
        else:
            if payload["type"] == "assignment.scored":
                self.scored_at.setdefault(payload["data"]["assignment_id"], time.monotonic())
            status = 204
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": b""})


def scorecard() -> str:
    rubric = load_catalog(DEFAULT_ARTIFACTS_DIR).get(ARTIFACT).manifest.rubric
    return "\n".join(render_scorecard_lines(rubric, {c.id: 3 for c in rubric.criteria}))


async def wait_until(condition: Any, within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not await condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not happen within {within:g} s")
        await asyncio.sleep(0.1)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def run(args: argparse.Namespace) -> int:
    world = await build_world()
    ats = Ats()
    candidates = [f"cand-{i:03d}" for i in range(args.assignments)]
    for login in candidates:
        await world.add_user(login)
    database = unique_name("ws_bench_ats")
    with tempfile.TemporaryDirectory() as tmp:
        if args.sqlite:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        else:
            url = await create_pg_database(database)
        try:
            return await run_on(args, world, ats, candidates, url)
        finally:
            if not args.sqlite:
                await drop_pg_database(database)


async def run_on(args: argparse.Namespace, world: Any, ats: Ats, candidates: list[str], url: str) -> int:
    settings = world.settings(
        Settings(
            _env_file=None,
            database_url=url,
            redis_url=args.redis_url,
            queue_name=f"arq:bench-ats:{uuid.uuid4().hex}",
            artifacts_dir=DEFAULT_ARTIFACTS_DIR,
            sandbox=True,
            github_write_interval_seconds=0.0,
            outbox_allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),),
        )
    )
    engine = create_engine(settings)
    await migrate.upgrade(engine)
    async with session_scope(create_sessionmaker(engine)) as session:
        key = (await create_api_key(session, world.org)).key
    await engine.dispose()
    service = create_app(settings, github_transport=world.transport)
    async with (
        service.router.lifespan_context(service),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=service),
            base_url=SERVICE_URL,
            headers={"Authorization": f"Bearer {key}"},
        ) as api,
        running(ats),  # type: ignore[arg-type]  # serves any ASGI callable with port and release
        running_worker(settings, world.transport),
    ):
        world.webhook_target.target = httpx.ASGITransport(app=service)
        await install_app(world)
        return await measure(args, world, api, ats, candidates)


async def measure(
    args: argparse.Namespace, world: Any, api: httpx.AsyncClient, ats: Ats, logins: list[str]
) -> int:
    endpoint = (await api.post("/v1/endpoints", json={"url": f"{ats.base_url}/ats"})).json()
    ats.secret = endpoint["secret"]
    reviewers = [{"login": LEAD, "role": "lead"}, {"login": ENGINEER, "role": "engineer"}]
    ids: dict[str, str] = {}
    for login in logins:
        body = {"candidate": {"login": login}, "artifact_id": ARTIFACT, "reviewers": reviewers}
        response = await api.post("/v1/assignments", json=body)
        response.raise_for_status()
        ids[login] = response.json()["id"]

    async def statuses() -> dict[str, dict[str, Any]]:
        return {login: (await api.get(f"/v1/assignments/{i}")).json() for login, i in ids.items()}

    async def all_in(status: str) -> bool:
        return all(a["status"] == status for a in (await statuses()).values())

    await wait_until(lambda: all_in("invited"), 600, "provisioning")
    repos = {login: a["repo_url"].removeprefix("http://sandbox/") for login, a in (await statuses()).items()}
    for login in logins:
        async with world.user_client(login) as candidate:
            for invitation in (await candidate.get("/user/repository_invitations")).json():
                (await candidate.patch(f"/user/repository_invitations/{invitation['id']}")).raise_for_status()
            await open_pr(candidate, repos[login])
    await wait_until(lambda: all_in("submitted"), 600, "submission")

    card = scorecard()
    latencies: dict[str, float] = {}
    gate = asyncio.Semaphore(args.concurrency)

    async def review(login: str) -> None:
        async with gate, world.user_client(LEAD) as lead:
            started = time.monotonic()
            response = await lead.post(
                f"/repos/{repos[login]}/pulls/1/reviews", json={"body": card, "event": "APPROVE"}
            )
            response.raise_for_status()
            arrived = ids[login]
            await wait_until(_has(ats, arrived), args.timeout, f"the scored event of {login}")
            latencies[login] = ats.scored_at[arrived] - started

    await asyncio.gather(*(review(login) for login in logins))
    values = [latencies[login] * 1000 for login in logins]
    rejected = len(ats.rejected)
    print(f"assignments: {len(values)}  concurrency: {args.concurrency}  rejected deliveries: {rejected}")
    print("review submitted on GitHub → verified assignment.scored at the ATS (ms):")
    print(
        f"  p50 {percentile(values, 0.5):.0f}  p95 {percentile(values, 0.95):.0f}  "
        f"max {max(values):.0f}  mean {statistics.fmean(values):.0f}"
    )
    print(json.dumps({"p50_ms": round(percentile(values, 0.5)), "p95_ms": round(percentile(values, 0.95))}))
    return 1 if ats.rejected or len(values) != len(logins) else 0


def _has(ats: Ats, assignment_id: str) -> Any:
    async def check() -> bool:
        return assignment_id in ats.scored_at

    return check


async def open_pr(user: httpx.AsyncClient, repo: str) -> None:
    main = (await user.get(f"/repos/{repo}/git/ref/heads/main")).json()
    sha = main["object"]["sha"]
    (
        await user.post(f"/repos/{repo}/git/refs", json={"ref": "refs/heads/answer", "sha": sha})
    ).raise_for_status()
    content = {"message": "My answer", "content": base64.b64encode(b"# RFC\n").decode(), "branch": "answer"}
    (await user.put(f"/repos/{repo}/contents/answer.md", json=content)).raise_for_status()
    pull = {"title": "Answer", "head": "answer", "base": "main"}
    (await user.post(f"/repos/{repo}/pulls", json=pull)).raise_for_status()


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignments", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=1, help="reviews in flight at once")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for one event")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    parser.add_argument(
        "--sqlite", action="store_true", help="a SQLite file instead of a fresh PostgreSQL database"
    )
    args = parser.parse_args()
    if args.assignments < 1 or args.concurrency < 1:
        parser.error("--assignments and --concurrency must be at least 1")
    return args


if __name__ == "__main__":
    sys.exit(asyncio.run(run(parse_args())))
