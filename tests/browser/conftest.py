"""The whole service on real sockets for the browser, built as the demo builds it.

``stack`` is ``worksample.demo.stack.start_stack``: the GitHub simulator, the service (sign-in
with GitHub configured), its arq worker and an ATS receiver on free 127.0.0.1 ports, in the demo's
simulated world (org ``acme``: ``grace-lead`` and ``linus-eng``; candidate ``ada-candidate``)
plus ``mallory``, who belongs to no organisation. ``chromium`` is Debian's chromium driven by
Playwright with a fresh profile; pages write screenshots to ``test-artifacts/screenshots/``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import pytest
from playwright.async_api import BrowserContext, Page, async_playwright

from worksample.config import DEFAULT_ARTIFACTS_DIR
from worksample.demo.receiver import PATH as RECEIVER_PATH
from worksample.demo.stack import DemoStack, start_stack

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
OUTSIDER = "mallory"

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian's chromium is not installed at /usr/bin/chromium"
)


@pytest.fixture
async def stack(tmp_path: Path, redis_url: str) -> AsyncIterator[DemoStack]:
    async with AsyncExitStack() as exits:
        running = await start_stack(
            exits,
            workdir=tmp_path,
            redis_url=redis_url,
            artifacts_dir=DEFAULT_ARTIFACTS_DIR,
            key_name="browser tests",
        )
        added = await running.github.post(
            "/_sandbox/users", json={"login": OUTSIDER, "name": "Mallory Outside"}
        )
        assert added.status_code == 201, added.text
        running.world.tokens[OUTSIDER] = added.json()["token"]
        endpoint = await running.api.post(
            "/v1/endpoints", json={"url": running.ats_url + RECEIVER_PATH, "description": "test ATS"}
        )
        assert endpoint.status_code == 201, endpoint.text
        running.receiver.secret = endpoint.json()["secret"]
        yield running


Browse = Callable[[], Awaitable[BrowserContext]]


@pytest.fixture
async def chromium(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Browse]:
    """``await chromium()`` opens a fresh browser profile (its own cookies); all close at the end."""
    async with async_playwright() as playwright, AsyncExitStack() as exits:

        async def open_context() -> BrowserContext:
            context = await playwright.chromium.launch_persistent_context(
                str(tmp_path_factory.mktemp("chromium-profile")),
                executable_path=str(CHROMIUM),
                headless=True,
                args=CHROMIUM_ARGS,
                viewport={"width": 1200, "height": 900},
            )
            exits.push_async_callback(context.close)
            context.set_default_timeout(10_000)
            return context

        yield open_context


async def shoot(page: Page, name: str, **options: Any) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True, **options)
