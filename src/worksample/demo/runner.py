"""Everything the demo starts, in order, and the summary of what happened.

Redis first (the only thing that may be missing), then the service as ``worksample.demo.stack``
builds it (the same for the browser tests); then the story. Everything started is
stopped, in reverse order, when the demo ends — also on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import tempfile
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from worksample.artifacts.catalog import load_catalog
from worksample.artifacts.errors import ArtifactError
from worksample.artifacts.model import Rubric
from worksample.config import DEFAULT_ARTIFACTS_DIR
from worksample.demo.errors import DemoError
from worksample.demo.redis import RedisChoice, choose_redis
from worksample.demo.stack import start_stack
from worksample.demo.steps import StepListener, StepStatus
from worksample.demo.story import ARTIFACT_ID, Story, plan
from worksample.demo.summary import build_summary

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class DemoOptions:
    api_port: int = 0
    github_port: int = 0
    ats_port: int = 0
    redis_url: str = DEFAULT_REDIS_URL
    artifacts_dir: Path = DEFAULT_ARTIFACTS_DIR
    # Keep everything running after the walkthrough, until interrupted.
    serve: bool = False
    # How long a step waits for the service to react before it counts as failed.
    wait_seconds: float = 20.0
    # Where the service's own log lines went (the CLI sets it up); named in the summary.
    log_file: Path | None = None


@dataclass
class Running:
    """What the demo started, for the closing "where to look" and for ``--serve``."""

    api_url: str
    github_url: str
    ats_url: str
    api_key: str
    redis: RedisChoice
    workdir: Path
    log_file: Path | None


def _rubric(path: Path) -> Rubric:
    try:
        catalog = load_catalog(path)
    except ArtifactError as exc:
        raise DemoError(f"cannot load the work samples from {path}: {exc} (set --artifacts-dir)") from None
    if ARTIFACT_ID not in catalog:
        raise DemoError(f"the work sample {ARTIFACT_ID!r} is not in {path} (set --artifacts-dir)")
    return catalog.get(ARTIFACT_ID).manifest.rubric


async def run_demo(
    options: DemoOptions, *, listeners: list[StepListener], on_ready: Any = None
) -> tuple[dict[str, Any], Running]:
    """Run the walkthrough; returns the summary and what ran (already stopped unless ``serve``,
    in which case this returns only when interrupted)."""
    rubric = _rubric(options.artifacts_dir)
    steps = plan()
    steps.listeners.extend(listeners)
    async with AsyncExitStack() as exits:
        workdir = Path(exits.enter_context(tempfile.TemporaryDirectory(prefix="worksample-demo-")))
        redis = await choose_redis(options.redis_url, workdir, exits)
        service = await start_stack(
            exits,
            workdir=workdir,
            redis_url=redis.url,
            artifacts_dir=options.artifacts_dir,
            key_name="demo recruiter",
            # A private Redis is thrown away with everything in it.
            forget_queue=redis.kind == "reachable",
            github_port=options.github_port,
            api_port=options.api_port,
            ats_port=options.ats_port,
        )
        running = Running(
            service.api_url,
            service.github_url,
            service.ats_url,
            service.api_key,
            redis,
            workdir,
            options.log_file,
        )
        story = Story(
            api=service.api,
            github=service.github,
            world=service.world,
            receiver=service.receiver,
            receiver_url=service.ats_url,
            rubric=rubric,
            steps=steps,
            wait_seconds=options.wait_seconds,
        )
        await story.detect()
        started = steps["start"]
        started.status, started.started_at, started.seconds = StepStatus.DONE, 0.0, steps.elapsed()
        started.detail = (
            f"API {service.api_url} · GitHub {service.github_url} · ATS {service.ats_url}"
            f" · Redis ({redis.kind}) {redis.url}"
        )
        steps.notify(started)

        await story.run()
        summary = build_summary(story, running)
        if options.serve:
            if on_ready is not None:
                on_ready(summary, running)
            await asyncio.Event().wait()
    return summary, running
