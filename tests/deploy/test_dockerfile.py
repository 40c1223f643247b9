"""The Dockerfile, checked without ``docker build``: a pinned base, a non-root user, and an
entrypoint and commands that exist in the package it installs."""

from __future__ import annotations

import re
import tomllib
from importlib import import_module
from pathlib import Path
from typing import Any

import pytest
import typer

from tests.deploy.dockerfile import Stage, read_dockerfile
from worksample import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return read_dockerfile(ROOT / "Dockerfile")


def cli_command_paths() -> set[tuple[str, ...]]:
    """Every command path of ``worksample`` (``("serve",)``, ``("db", "upgrade")``, ...)."""
    cli._register()
    root = typer.main.get_command(cli.app)
    paths: set[tuple[str, ...]] = set()

    def walk(command: Any, prefix: tuple[str, ...]) -> None:
        # typer vendors its own click, so groups are recognised by shape, not by class.
        paths.add(prefix)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*prefix, name))

    walk(root, ())
    return paths


def is_pinned(image: str, *, parts: int = 3) -> bool:
    """An exact release or a digest, never a moving tag. An exact release has ``parts`` version
    numbers: three for Python and Redis (``3.11.7``), two for PostgreSQL (``16.4``)."""
    if "@sha256:" in image:
        return True
    tag = image.rpartition(":")[2] if ":" in image.rpartition("/")[2] else ""
    return bool(re.match(r"\.".join([r"\d+"] * parts) + r"(?![.\d])", tag))


@pytest.mark.parametrize(
    ("image", "pinned"),
    [
        ("python:3.11.7-slim-bookworm", True),
        ("python@sha256:" + "a" * 64, True),
        ("python:3.11-slim", False),
        ("python:latest", False),
        ("python", False),
        ("registry:5000/python", False),
        ("python:3.11.7.1", False),
    ],
)
def test_what_counts_as_pinned(image: str, pinned: bool) -> None:
    assert is_pinned(image) is pinned


def test_every_base_image_is_pinned(stages: list[Stage]) -> None:
    names = {s.name for s in stages if s.name}
    for stage in stages:
        assert stage.image in names or is_pinned(stage.image), stage.image


def test_the_runtime_runs_as_a_fixed_non_root_user(stages: list[Stage]) -> None:
    user = stages[-1].last("USER")
    assert user is not None, "the final stage must switch away from root"
    name = user.arguments.split(":")[0]
    assert name not in {"root", "0"}
    # Numeric, so an orchestrator can verify runAsNonRoot without reading /etc/passwd.
    assert name.isdigit()
    assert int(name) >= 1000


def test_the_entrypoint_is_the_packages_console_script(stages: list[Stage]) -> None:
    runtime = stages[-1]
    entrypoint = runtime.last("ENTRYPOINT")
    assert entrypoint is not None
    assert entrypoint.exec_form() == ["worksample"]
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    module, _, function = scripts["worksample"].partition(":")
    assert callable(getattr(import_module(module), function))
    # The build stage installs the package into the venv the runtime stage puts first on PATH.
    build = stages[0]
    assert any("pip install" in run.arguments for run in build.all("RUN"))
    env = " ".join(e.arguments for e in runtime.all("ENV"))
    assert "PATH=/opt/worksample/bin:$PATH" in env


def test_the_default_command_serves_on_the_exposed_port(stages: list[Stage]) -> None:
    runtime = stages[-1]
    command = runtime.last("CMD")
    assert command is not None
    args = command.exec_form()
    assert (args[0],) in cli_command_paths()
    assert args[args.index("--port") + 1] == runtime.last("EXPOSE").arguments  # type: ignore[union-attr]
    # Inside a container the server must listen beyond loopback.
    assert args[args.index("--host") + 1] == "0.0.0.0"  # noqa: S104


def test_what_the_image_copies_exists_and_artifacts_are_found(stages: list[Stage]) -> None:
    for stage in stages:
        for copy in stage.all("COPY"):
            parts = [p for p in copy.arguments.split() if not p.startswith("--")]
            if any(p.startswith("--from") for p in copy.arguments.split()):
                continue
            for source in parts[:-1]:
                assert (ROOT / source).exists(), source
    env = " ".join(e.arguments for e in stages[-1].all("ENV"))
    artifacts = re.search(r"WORKSAMPLE_ARTIFACTS_DIR=(\S+)", env)
    assert artifacts is not None
    copied = [c.arguments.split()[-1] for c in stages[-1].all("COPY")]
    assert artifacts.group(1) in copied
    # github_app/ lands in the working directory, where the manifest is looked up.
    workdir = stages[-1].last("WORKDIR")
    assert workdir is not None
    assert f"{workdir.arguments}/github_app" in copied


def test_the_reader_refuses_what_it_cannot_read(tmp_path: Path) -> None:
    bad = tmp_path / "Dockerfile"
    bad.write_text("RUN echo hi\n")
    with pytest.raises(ValueError, match="before the first FROM"):
        read_dockerfile(bad)
    bad.write_text("FROM x:1.2.3\nRUN a \\\n")
    with pytest.raises(ValueError, match="continued line"):
        read_dockerfile(bad)
