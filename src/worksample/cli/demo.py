"""``worksample demo``: the whole product on this machine, one assignment walked end to end.

Needs no GitHub account and no configuration (the environment is ignored); see
``worksample.demo`` for what runs. Exit status: 0 when every step the build supports completed,
1 when a step failed, 2 when the machine is not ready (a taken port, no Redis), 130 on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import tempfile
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from worksample.config import DEFAULT_ARTIFACTS_DIR
from worksample.demo.errors import DemoError
from worksample.demo.runner import DEFAULT_REDIS_URL, DemoOptions, Running, run_demo
from worksample.demo.steps import StepListener
from worksample.demo.story import plan

app = typer.Typer(help="Walk one assignment end to end against the GitHub simulator.")

Port = Annotated[int, typer.Option(min=0, max=65535, help="0 picks a free port.")]


def _log_to_file() -> Path:
    # The terminal belongs to the progress display: the service's, the worker's and uvicorn's log
    # lines go to a file named in the summary.
    path = Path(tempfile.gettempdir()) / "worksample-demo.log"
    handler = logging.FileHandler(path, mode="w", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return path


@app.callback(invoke_without_command=True)
def demo(
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON summary and nothing else.")] = False,
    serve: Annotated[
        bool, typer.Option("--serve", help="Keep the service, the simulator and the ATS running.")
    ] = False,
    api_port: Port = 0,
    github_port: Port = 0,
    ats_port: Port = 0,
    redis_url: Annotated[
        str,
        typer.Option(help="Redis to use; when it does not answer, a private redis-server is started."),
    ] = DEFAULT_REDIS_URL,
    artifacts_dir: Annotated[
        Path, typer.Option(envvar="WORKSAMPLE_ARTIFACTS_DIR", help="The work samples' folder.")
    ] = DEFAULT_ARTIFACTS_DIR,
    wait_seconds: Annotated[
        float, typer.Option(min=1, max=600, help="How long a step waits for the service.")
    ] = 20.0,
) -> None:
    """Run the service (API, webhook intake, worker) on SQLite against the GitHub simulator and walk
    one assignment: trigger → repository → invitation accepted → pull request → scored review →
    the ATS verifies the signed assignment.scored webhook."""
    console = Console(stderr=as_json)
    options = DemoOptions(
        api_port=api_port,
        github_port=github_port,
        ats_port=ats_port,
        redis_url=redis_url,
        artifacts_dir=artifacts_dir,
        serve=serve,
        wait_seconds=wait_seconds,
        log_file=_log_to_file(),
    )
    try:
        summary = asyncio.run(_stoppable(_run(options, console, as_json=as_json)))
    except DemoError as exc:
        console.print(f"[red]error:[/] {exc}", highlight=False)
        raise typer.Exit(2) from None
    except (KeyboardInterrupt, asyncio.CancelledError):
        console.print("stopped")
        raise typer.Exit(130) from None
    except Exception as exc:
        # A bug, not the machine: the traceback goes to the log, the terminal gets one line.
        logging.getLogger(__name__).exception("demo.crashed")
        console.print(f"[red]error:[/] the demo crashed: {exc!r} (traceback in {options.log_file})")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    raise typer.Exit(1 if summary["failed"] else 0)


async def _stoppable(work: Coroutine[Any, Any, dict[str, Any]]) -> dict[str, Any]:
    """Run ``work`` so that SIGTERM (docker stop, a supervisor) stops the demo as Ctrl-C does.

    The signal cancels the task, so every ``async with`` unwinds in order: the servers, the worker,
    the database engine (aiosqlite's threads would otherwise keep the process alive) and the
    private redis-server all stop. Raising from a plain signal handler instead interrupts
    whatever line is running, clean-up included, and could leave the process hanging at exit.
    """
    task = asyncio.ensure_future(work)
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, task.cancel)
    try:
        return await task
    finally:
        loop.remove_signal_handler(signal.SIGTERM)


async def _run(options: DemoOptions, console: Console, *, as_json: bool) -> dict[str, Any]:
    from worksample.demo.display import Display, show_result

    listeners: list[StepListener] = []
    if as_json:

        def print_json(summary: dict[str, Any], _running: Running) -> None:
            # With --serve the summary is printed while everything keeps running.
            typer.echo(json.dumps(summary, indent=2))

        summary, _running = await run_demo(options, listeners=listeners, on_ready=print_json)
        return summary

    def ready(summary: dict[str, Any], running: Running) -> None:
        display.__exit__()
        show_result(console, summary, running, serving=True)

    with Display(console, total=len(plan().steps)) as display:
        listeners.append(display.on_step)
        summary, running = await run_demo(options, listeners=listeners, on_ready=ready)
    show_result(console, summary, running, serving=False)
    return summary
