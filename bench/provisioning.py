"""Provisioning benchmark: GitHub calls per assignment, and throughput under secondary limits.

Runs the real stack in one process: the recruiter API takes N assignment requests, then the real
arq worker (real Redis, random queue name, SQLite database) provisions them against the GitHub
simulator, whose secondary limit on content-creating requests is scaled down from GitHub's 80 a
minute to ``--limit`` per ``--window`` seconds so the run takes about a minute.

It prints, from the simulator's call log:

- GitHub calls per provisioned assignment, split into the API's intake check (it looks the
  candidate's login up) and provisioning itself, with a breakdown by route;
- the fastest time the limits allow for the content-creating requests provisioning made (request
  k can go no earlier than request k-limit plus one window: floor((n-1)/limit) windows), divided
  by the time the worker took;
- how many assignments failed and how many requests GitHub answered with a rate-limit 403/429.

Usage: ``.venv/bin/python bench/provisioning.py [--assignments 200] [--limit 80] [--window 6]``.
Exit status 1 when an assignment did not end ``invited`` or a request was rate limited.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import re
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
from pydantic import SecretStr
from sqlalchemy import func, select

from worksample.api.keys import create_api_key
from worksample.app import create_app
from worksample.config import DEFAULT_ARTIFACTS_DIR, Settings
from worksample.db import migrate
from worksample.db.models import Assignment
from worksample.db.session import create_engine, create_sessionmaker, session_scope
from worksample.github.pacing import Budget, PacingPolicy
from worksample.jobs.worker import build_worker, close_worker
from worksample.sandbox import RateLimitConfig
from worksample.sandbox import create_app as create_simulator
from worksample.sandbox.ratelimit import is_content_creating

BASE = "http://sandbox"
ORG = "bench-org"
REVIEWERS = ("lead-eng", "second-eng")
ARTIFACT = "api-deprecation-rfc"
# The pacer's window is this much longer than the simulator's: the pacer counts a write when it
# leaves, the simulator when it arrives, a few milliseconds later (more on a loaded machine, since
# one event loop runs API, worker and simulator here).
WINDOW_MARGIN = 1.02


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--assignments", type=int, default=200)
    parser.add_argument("--limit", type=int, default=80, help="content-creating requests per window")
    parser.add_argument("--window", type=float, default=6.0, help="seconds (GitHub: 60)")
    parser.add_argument("--max-jobs", type=int, default=10, help="concurrent jobs in the worker")
    parser.add_argument("--margin", type=float, default=WINDOW_MARGIN, help="pacer window / simulator window")
    parser.add_argument("--no-templates", action="store_true", help="create and fill every repository")
    parser.add_argument(
        "--base-permission",
        default="read",
        choices=("none", "read"),
        help="the org's base permission: read (GitHub's default) lets the reviewers, members, read every "
        "repository without a grant; none makes every assignment grant them read",
    )
    parser.add_argument("--intake-concurrency", type=int, default=20, help="API requests in flight at once")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    return parser.parse_args()


def route_of(method: str, path: str) -> str:
    """The call's route with names folded, for the breakdown."""
    if re.match(r"^/repos/[^/]+/worksample-template-", path):
        path = re.sub(r"^/repos/[^/]+/[^/]+", "/repos/{org}/{template}", path)
    else:
        path = re.sub(r"^/repos/[^/]+/[^/]+", "/repos/{org}/{repo}", path)
    path = re.sub(r"/collaborators/[^/]+(/permission)?$", r"/collaborators/{user}\1", path)
    path = re.sub(r"^/users/[^/]+$", "/users/{user}", path)
    path = re.sub(r"/\d+(/|$)", r"/{id}\1", path)
    path = re.sub(r"^/orgs/[^/]+", "/orgs/{org}", path)
    return f"{method} {path}"


async def build_world(sim: Any, candidates: list[str], base_permission: str = "read") -> tuple[int, str]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim), base_url=BASE) as control:
        for login in (*REVIEWERS, *candidates):
            (await control.post("/_sandbox/users", json={"login": login})).raise_for_status()
        org = {"login": ORG, "members": list(REVIEWERS), "default_permission": base_permission}
        (await control.post("/_sandbox/orgs", json=org)).raise_for_status()
        app = (await control.post("/_sandbox/apps", json={"name": "worksample-bench"})).json()
        installation = {"app_id": app["id"], "account": ORG}
        (await control.post("/_sandbox/installations", json=installation)).raise_for_status()
        return int(app["id"]), str(app["private_key"])


async def calls(sim: Any) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim), base_url=BASE) as control:
        data: list[dict[str, Any]] = (await control.get("/_sandbox/calls")).json()
        return data


def request_body(login: str) -> dict[str, Any]:
    return {
        "candidate": {"login": login},
        "artifact_id": ARTIFACT,
        "reviewers": [{"login": REVIEWERS[0], "role": "lead"}, {"login": REVIEWERS[1], "role": "engineer"}],
    }


async def run(args: argparse.Namespace) -> int:
    limits = RateLimitConfig(
        content_limit_short=args.limit,
        content_window_short_seconds=args.window,
        # Only the per-minute limit is scaled; the hourly one would otherwise end the run early.
        content_limit_long=10**6,
        primary_limit=10**6,
    )
    sim = create_simulator(base_url=BASE, rate_limits=limits)
    candidates = [f"candidate-{i:04d}" for i in range(args.assignments)]
    app_id, private_key = await build_world(sim, candidates, args.base_permission)

    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            _env_file=None,
            database_url=f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}",
            redis_url=args.redis_url,
            queue_name=f"arq:bench:{uuid.uuid4().hex}",
            artifacts_dir=DEFAULT_ARTIFACTS_DIR,
            sandbox=True,
            github_app_id=app_id,
            github_private_key=SecretStr(private_key),
            github_api_url=BASE,
        )
        engine = create_engine(settings)
        await migrate.upgrade(engine)
        sessions = create_sessionmaker(engine)
        async with session_scope(sessions) as session:
            key = (await create_api_key(session, ORG)).key

        # 1. The recruiter API takes the requests (and enqueues one job each).
        service = create_app(settings, github_transport=httpx.ASGITransport(app=sim))
        async with (
            service.router.lifespan_context(service),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=service),
                base_url="http://worksample.bench",
                headers={"Authorization": f"Bearer {key}"},
            ) as api,
        ):
            # Concurrent, as a busy ATS sends them. The first goes alone: it learns the org's
            # installation, which a deployed service has from the installation webhook already.
            gate = asyncio.Semaphore(args.intake_concurrency)

            async def request(login: str) -> bool:
                async with gate:
                    response = await api.post("/v1/assignments", json=request_body(login))
                if response.status_code != 201:
                    print(f"API refused {login}: {response.status_code} {response.text}", file=sys.stderr)
                return response.status_code == 201

            if not await request(candidates[0]):
                return 1
            if not all(await asyncio.gather(*(request(login) for login in candidates[1:]))):
                return 1
        intake_calls = len(await calls(sim))

        # 2. The worker provisions them, paced to the simulator's scaled limit.
        # Budget only, no spacing: after a lull the pacer catches up with a burst. GitHub's own
        # one-second spacing would cap us at 60 writes a minute, below the limit being measured.
        window = args.window * args.margin
        pacing = PacingPolicy(interval=0.0, budgets=(Budget(args.limit, window),))
        worker = build_worker(
            settings,
            burst=True,
            github_transport=httpx.ASGITransport(app=sim),
            pacing=pacing,
            max_jobs=args.max_jobs,
            poll_delay=0.05,
            use_templates=not args.no_templates,
        )
        started = time.monotonic()
        try:
            await worker.main()
        finally:
            await close_worker(worker)
        elapsed = time.monotonic() - started

        async with session_scope(sessions) as session:
            rows = await session.execute(select(Assignment.status, func.count()).group_by(Assignment.status))
            statuses: dict[str, int] = {row[0]: row[1] for row in rows.all()}
        await engine.dispose()

    log = await calls(sim)
    provisioning = log[intake_calls:]
    n = args.assignments
    content = [c for c in provisioning if is_content_creating(c["method"], c["path"])]
    limited = [c for c in log if c["status"] in (403, 429)]
    fastest = ((len(content) - 1) // args.limit) * args.window if content else 0.0
    routes = collections.Counter(route_of(c["method"], c["path"]) for c in log)

    print(f"assignments: {n}  final statuses: {dict(sorted(statuses.items()))}")
    print(
        f"templates: {'off' if args.no_templates else 'on'}  reviewers per assignment: {len(REVIEWERS)}"
        f"  (org members; base permission: {args.base_permission})"
    )
    print("GitHub calls per provisioned assignment:")
    print(f"  API intake (candidate and reviewer login checks): {intake_calls / n:.2f}")
    print(f"  provisioning (worker):              {len(provisioning) / n:.2f}")
    print(f"  total:                              {len(log) / n:.2f}   (goal <= 5; GitHub Classroom ~9)")
    print("calls by route:")
    for route, count in sorted(routes.items(), key=lambda item: -item[1]):
        print(f"  {count:6d}  {route}")
    print(f"secondary limit: {args.limit} content-creating requests per {args.window:g} s")
    print(f"content-creating requests while provisioning: {len(content)}")
    print(f"fastest time the limit allows: {fastest:.1f} s   time taken: {elapsed:.1f} s")
    print(f"efficiency (fastest / taken): {fastest / elapsed if elapsed else 0:.3f}   (goal >= 0.9)")
    if content:
        # Where the time went: a window with fewer than `limit` writes had too little demand
        # (jobs busy elsewhere: database, rendering, a starved CPU), not too little budget.
        start = content[0]["at"]
        per_window = collections.Counter(int((c["at"] - start) // args.window) for c in content)
        windows = [per_window.get(i, 0) for i in range(max(per_window) + 1)]
        print(f"content-creating requests per {args.window:g} s window: {windows}")
    print(f"load average while it ran: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"requests answered 403/429 (rate limited): {len(limited)}")
    failed = n - statuses.get("invited", 0)
    print(f"assignments not invited: {failed}")
    return 0 if failed == 0 and not limited else 1


def main() -> None:
    sys.exit(asyncio.run(run(parse_args())))


if __name__ == "__main__":
    main()
