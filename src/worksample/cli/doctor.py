"""``worksample doctor``: check this deployment's configuration, GitHub App, database and Redis."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer

from worksample.config import ConfigError, load_settings
from worksample.ops.doctor import Check, Outcome, run_checks
from worksample.ops.manifest import ManifestError, load_manifest

app = typer.Typer(help="Check the configuration, the GitHub App installation, the database and Redis.")

_MARKS = {Outcome.OK: "ok  ", Outcome.WARN: "warn", Outcome.FAIL: "FAIL", Outcome.SKIPPED: "skip"}


@app.callback(invoke_without_command=True)
def doctor(
    manifest_path: Annotated[
        Path | None, typer.Option("--manifest", help="The App manifest (default: github_app/manifest.json).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
) -> None:
    """Run every check and say what is wrong in plain words; exits 1 when any check fails."""
    try:
        settings = load_settings()
        manifest = load_manifest(manifest_path)
    except (ConfigError, ManifestError) as exc:
        checks = [Check("configuration", Outcome.FAIL, str(exc))]
    else:
        checks = asyncio.run(run_checks(settings, manifest))
    if as_json:
        typer.echo(json.dumps([c.to_dict() for c in checks], indent=2))
    else:
        for check in checks:
            typer.echo(f"{_MARKS[check.outcome]}  {check.name}: {check.message}")
    failed = [c for c in checks if c.outcome is Outcome.FAIL]
    if not as_json:
        typer.echo(f"\n{len(failed)} problem(s) found." if failed else "\nEverything needed is in place.")
    raise typer.Exit(1 if failed else 0)
