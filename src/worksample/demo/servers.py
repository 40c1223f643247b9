"""Serving ASGI apps and running the arq worker as tasks of the demo's event loop.

Each app's lifespan is entered here rather than by uvicorn, so a failure at start-up (say the
artifact folder is broken) reaches the demo as an exception it can report, instead of a log line
and a server that silently never starts.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from contextlib import AsyncExitStack
from typing import Any

import httpx
import uvicorn
from arq import Worker
from fastapi import FastAPI

from worksample.config import Settings
from worksample.demo.errors import DemoError
from worksample.demo.ports import url_of
from worksample.jobs.worker import close_worker, worker_settings

START_TIMEOUT_SECONDS = 10.0


class _Server(uvicorn.Server):
    """uvicorn without its own signal handling: several servers share this process, and Ctrl-C
    belongs to the demo, which stops them all in order."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


async def serve_app(app: Any, sock: socket.socket, stack: AsyncExitStack, *, name: str) -> str:
    """Serve ``app`` on the bound ``sock`` until ``stack`` closes; returns its base URL."""
    if isinstance(app, FastAPI):
        await stack.enter_async_context(app.router.lifespan_context(app))
    # log_config=None: uvicorn's records go to the demo's log file with everything else, not to the
    # terminal the progress display owns.
    config = uvicorn.Config(
        app, lifespan="off", log_config=None, log_level="info", access_log=False, proxy_headers=False
    )
    server = _Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]), name=f"demo-{name}")

    async def stop() -> None:
        server.should_exit = True
        with contextlib.suppress(asyncio.CancelledError):
            await task

    stack.push_async_callback(stop)
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT_SECONDS
    while not server.started:
        if task.done():
            raise DemoError(f"the {name} stopped while starting")
        if asyncio.get_running_loop().time() > deadline:
            raise DemoError(f"the {name} did not start within {START_TIMEOUT_SECONDS:.0f} s")
        await asyncio.sleep(0.01)
    return url_of(sock)


async def run_worker(settings: Settings, stack: AsyncExitStack, **options: Any) -> None:
    """The service's real arq worker (``worksample.jobs.worker``), polling the demo's queue."""
    arguments = worker_settings(settings, **options)
    # The demo owns the process's signals (see _Server).
    arguments["handle_signals"] = False
    worker = Worker(**arguments)
    task = asyncio.create_task(worker.main(), name="demo-worker")

    async def stop() -> None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        await close_worker(worker)

    stack.push_async_callback(stop)
    # A worker that dies at start-up (Redis gone, say) ends its task at once: report it here.
    await asyncio.sleep(0.05)
    if task.done() and not task.cancelled() and task.exception() is not None:
        raise DemoError(f"the worker stopped at start-up: {task.exception()}")


def client(base_url: str, **headers: str) -> httpx.AsyncClient:
    """An HTTP client for one of the demo's servers; closed by the caller."""
    return httpx.AsyncClient(base_url=base_url, headers=headers, timeout=30.0)
