"""The ``worksample`` command, composed from one sub-application per concern.

Each concern keeps its commands in its own module here and is added in one place below, so a
new command group is one module and one line.
"""

from __future__ import annotations

import typer

app = typer.Typer(
    name="worksample",
    help="Work-sample assignments for hiring, run as a GitHub App.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def _register() -> None:
    # Imported here, not at module top, so `worksample --help` stays fast and a broken optional
    # group cannot stop the others from loading in tests that import this module.
    from worksample.cli import sandbox

    app.add_typer(sandbox.app, name="sandbox")

    from worksample.cli import artifacts

    app.add_typer(artifacts.app, name="artifacts")

    from worksample.cli import apikey, db, serve

    app.add_typer(serve.app, name="serve")
    app.add_typer(db.app, name="db")
    app.add_typer(apikey.app, name="apikey")

    from worksample.cli import worker

    app.add_typer(worker.app, name="worker")

    from worksample.cli import demo

    app.add_typer(demo.app, name="demo")

    from worksample.cli import app_manifest, doctor

    app.add_typer(doctor.app, name="doctor")
    app.add_typer(app_manifest.app, name="app")


def main() -> None:
    _register()
    app()
