"""``worksample sandbox ...``: the GitHub simulator on a port (filled in by the simulator issue)."""

from __future__ import annotations

import typer

app = typer.Typer(help="Run the GitHub simulator.", no_args_is_help=True)
