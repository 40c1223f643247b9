"""``worksample artifacts list | render | lint``: the artifact catalog from a terminal.

Exit codes: 0 success; 1 the catalog itself is broken (lint problems, a template fault);
2 the command's input is wrong (unknown id, bad --var, non-empty --out). Errors are one readable
line each on stderr, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, NoReturn

import typer

from worksample.artifacts.catalog import Catalog, load_catalog
from worksample.artifacts.errors import ArtifactError, RenderError, UnknownArtifact, VariableError
from worksample.artifacts.lint import lint_catalog
from worksample.artifacts.render import render_artifact
from worksample.config import ConfigError, load_settings

EXIT_BROKEN = 1
EXIT_BAD_INPUT = 2

app = typer.Typer(help="Work-sample artifacts: list, render for a candidate, lint.", no_args_is_help=True)

ArtifactsDir = Annotated[
    Path | None,
    typer.Option("--artifacts-dir", help="Catalog folder (default: WORKSAMPLE_ARTIFACTS_DIR)."),
]


def _fail(code: int, *lines: str) -> NoReturn:
    for line in lines:
        typer.echo(f"error: {line}", err=True)
    raise typer.Exit(code)


def _directory(given: Path | None) -> Path:
    if given is not None:
        return given
    try:
        return load_settings().artifacts_dir
    except ConfigError as exc:
        _fail(EXIT_BAD_INPUT, str(exc))


def _catalog(directory: Path | None) -> Catalog:
    path = _directory(directory)
    try:
        return load_catalog(path)
    except ArtifactError as exc:
        _fail(EXIT_BROKEN, str(exc))


@app.command("list")
def list_artifacts(artifacts_dir: ArtifactsDir = None) -> None:
    """Show every artifact: id, time window, profile, title and the variables a recruiter may set."""
    for artifact in _catalog(artifacts_dir).all():
        m = artifact.manifest
        typer.echo(f"{m.id}  [{m.profile}, {m.time_limit_hours} h]  {m.title}")
        for name, variable in m.variables.items():
            kind = f"{variable.type}, default {variable.default!s}"
            typer.echo(f"    --var {name}=...  ({kind}): {variable.description}")


@app.command("render")
def render(
    artifact_id: Annotated[str, typer.Argument(metavar="ID", help="Artifact id, as `list` shows it.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the candidate's tree into.")],
    var: Annotated[
        list[str] | None, typer.Option("--var", metavar="KEY=VALUE", help="Set a variable; repeatable.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Write into a non-empty --out.")] = False,
    artifacts_dir: ArtifactsDir = None,
) -> None:
    """Render an artifact's repository tree as a candidate would receive it."""
    values = _parse_vars(var or [])
    catalog = _catalog(artifacts_dir)
    try:
        tree = render_artifact(catalog.get(artifact_id), values)
    except UnknownArtifact as exc:
        _fail(EXIT_BAD_INPUT, str(exc))
    except VariableError as exc:
        _fail(EXIT_BAD_INPUT, *(f"--var {name}: {why}" for name, why in exc.errors.items()))
    except RenderError as exc:
        _fail(EXIT_BROKEN, str(exc))
    _prepare_out(out, force)
    root = out.resolve()
    for rel, data in tree.items():
        dest = (root / rel).resolve()
        # The renderer already guarantees plain relative paths; writing is where a mistake would
        # hurt, so the containment is checked once more against the real file system.
        if not dest.is_relative_to(root):
            _fail(EXIT_BROKEN, f"refusing to write outside {out}: {rel}")
        try:
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(data)
        except OSError as exc:
            _fail(EXIT_BAD_INPUT, f"--out {out}: cannot write {rel}: {exc.strerror}")
    typer.echo(f"wrote {len(tree)} files to {out}")


@app.command("lint")
def lint(artifacts_dir: ArtifactsDir = None) -> None:
    """Check every artifact: manifest, templates, reviewer guide, and that no reviewer text leaks."""
    directory = _directory(artifacts_dir)
    try:
        problems = lint_catalog(directory)
    except ArtifactError as exc:
        _fail(EXIT_BAD_INPUT, str(exc))
    if problems:
        for problem in problems:
            typer.echo(f"- {problem}", err=True)
        _fail(EXIT_BROKEN, f"{len(problems)} problem(s) in {directory}")
    typer.echo(f"ok: every artifact in {directory} passes lint")


def _parse_vars(pairs: list[str]) -> dict[str, object]:
    values: dict[str, object] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            _fail(EXIT_BAD_INPUT, f"--var {pair!r}: expected KEY=VALUE")
        if key in values:
            _fail(EXIT_BAD_INPUT, f"--var {key}: given more than once")
        values[key] = value
    return values


def _prepare_out(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        _fail(EXIT_BAD_INPUT, f"--out {out}: exists and is not a directory")
    if out.is_dir() and any(out.iterdir()) and not force:
        _fail(EXIT_BAD_INPUT, f"--out {out}: not empty (pass --force to write into it)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        _fail(EXIT_BAD_INPUT, f"--out {out}: cannot create: {exc.strerror}")
