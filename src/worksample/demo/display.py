"""What the person running the demo sees: a line per step as it ends, a progress bar while it runs,
then where to look."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.panel import Panel
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from worksample.demo.runner import Running
from worksample.demo.steps import Step, StepStatus
from worksample.demo.world import LEAD

_MARKS = {
    StepStatus.DONE: "[green]✓[/]",
    StepStatus.NOT_IN_BUILD: "[yellow]–[/]",
    StepStatus.FAILED: "[red]✗[/]",
}


class Display:
    def __init__(self, console: Console, total: int) -> None:
        self.console = console
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self.task = self.progress.add_task("Starting the simulator, the service and the worker…", total=total)

    def __enter__(self) -> Display:
        self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.stop()

    def on_step(self, step: Step) -> None:
        if step.status is StepStatus.RUNNING:
            self.progress.update(self.task, description=escape(step.title) + "…")
            return
        self.progress.advance(self.task)
        started = step.started_at or 0.0
        calls = f"  [dim]GitHub calls: {len(step.github_calls)}[/]" if step.github_calls else ""
        note = " [yellow](not in this build)[/]" if step.status is StepStatus.NOT_IN_BUILD else ""
        self.progress.console.print(
            f"{_MARKS.get(step.status, ' ')} [dim]{started:6.2f}s +{step.seconds:5.2f}s[/] "
            f"[bold]{escape(step.title)}[/]{note}{calls}\n            {escape(step.detail)}"
        )


def show_result(console: Console, summary: dict[str, Any], running: Running, *, serving: bool) -> None:
    urls = summary["urls"]
    score = summary["score"]
    headline = f"Assignment {summary['assignment_id']} is [bold]{summary['status']}[/]" + (
        f" with a score of [bold]{score}[/]/100" if score is not None else ""
    )
    lines = [
        headline,
        f"{summary['github_calls_total']} GitHub API calls in {summary['elapsed_seconds']:.1f} s",
    ]
    if summary["not_in_this_build"]:
        lines.append("[yellow]Not in this build yet:[/] " + ", ".join(summary["not_in_this_build"]))
    if summary["failed"]:
        lines.append("[red]Failed:[/] " + ", ".join(summary["failed"]) + f" (log: {summary.get('log')})")
    if summary["not_reached"]:
        lines.append("[dim]Not reached:[/] " + ", ".join(summary["not_reached"]))
    lines += [
        "",
        f"API docs        {urls['api_docs']}",
        f"Web pages       {urls['web_pages']} (sign in as {LEAD})",
        f"The assignment  curl -H 'Authorization: Bearer {running.api_key}' {urls['assignment']}",
        f"GitHub calls    {urls['github_calls']}",
        f"ATS deliveries  {urls['ats_deliveries']}",
    ]
    lines.append(
        "[green]Everything keeps running; Ctrl-C stops it.[/]"
        if serving
        else "[dim]These stopped with the demo; `worksample demo --serve` keeps them running.[/]"
    )
    console.print(Panel("\n".join(lines), title="worksample demo", expand=False))
    if not serving:
        console.print("The assignment as the API returns it:")
        console.print_json(json.dumps(summary.get("assignment") or {}))
