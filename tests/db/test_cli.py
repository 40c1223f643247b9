"""``worksample db upgrade | current`` and ``worksample apikey create | revoke`` as a user runs them."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.support.databases import create_pg_database, drop_pg_database, run_blocking, unique_name
from worksample.api.keys import authenticate
from worksample.cli import apikey, db
from worksample.config import Settings
from worksample.db import migrate
from worksample.db.session import create_engine, create_sessionmaker

# Only the groups under test: the whole command is exercised as a process in tests/api/test_serve.py.
cli = typer.Typer()
cli.add_typer(db.app, name="db")
cli.add_typer(apikey.app, name="apikey")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """An empty database, named the way an operator would write it (sync driver names included)."""
    if request.param == "sqlite":
        yield {"WORKSAMPLE_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "WORKSAMPLE_SANDBOX": "1"}
        return
    name = unique_name("ws_test_cli")
    url = run_blocking(create_pg_database(name)).replace("postgresql+asyncpg://", "postgresql://")
    try:
        yield {"WORKSAMPLE_DATABASE_URL": url, "WORKSAMPLE_SANDBOX": "1"}
    finally:
        run_blocking(drop_pg_database(name))


def test_upgrade_then_current(db_env: dict[str, str]) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["db", "current"], env=db_env)
    assert result.exit_code == 0, result.output
    assert "empty (behind head" in result.stdout

    result = runner.invoke(cli, ["db", "upgrade"], env=db_env)
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"database upgraded from empty to {migrate.head_revision()}"

    result = runner.invoke(cli, ["db", "upgrade"], env=db_env)
    assert result.stdout.strip() == f"database already at revision {migrate.head_revision()}"
    result = runner.invoke(cli, ["db", "current"], env=db_env)
    assert result.stdout.strip() == f"{migrate.head_revision()} (up to date)"


def test_bad_database_url_names_the_variable() -> None:
    result = CliRunner().invoke(cli, ["db", "upgrade"], env={"WORKSAMPLE_DATABASE_URL": "mysql://db/x"})
    assert result.exit_code == 2
    assert "WORKSAMPLE_DATABASE_URL: unsupported driver 'mysql'" in result.stderr


async def _org_of(url: str, key: str) -> str | None:
    engine = create_engine(Settings(_env_file=None, database_url=url, sandbox=True))
    try:
        async with create_sessionmaker(engine)() as session:
            org = await authenticate(session, key)
            return org.login if org else None
    finally:
        await engine.dispose()


def test_apikey_create_prints_the_key_alone_and_revoke_stops_it(db_env: dict[str, str]) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"], env=db_env).exit_code == 0
    result = runner.invoke(cli, ["apikey", "create", "--org", "acme", "--name", "greenhouse"], env=db_env)
    assert result.exit_code == 0, result.output
    key = result.stdout.strip()
    assert key.startswith("wsk_")
    assert "\n" not in key
    assert "shown only now" in result.stderr
    url = db_env["WORKSAMPLE_DATABASE_URL"]
    assert asyncio.run(_org_of(url, key)) == "acme"

    prefix = key.split("_")[1]
    result = runner.invoke(cli, ["apikey", "revoke", prefix], env=db_env)
    assert (result.exit_code, result.stdout.strip()) == (0, f"revoked {prefix}")
    assert asyncio.run(_org_of(url, key)) is None
    result = runner.invoke(cli, ["apikey", "revoke", prefix], env=db_env)
    assert result.exit_code == 1
    assert "no active key" in result.stderr


def test_apikey_for_a_bad_login_is_refused(db_env: dict[str, str]) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["db", "upgrade"], env=db_env).exit_code == 0
    result = runner.invoke(cli, ["apikey", "create", "--org", "not a login"], env=db_env)
    assert result.exit_code == 2
    assert "'not a login' is not a GitHub organization login" in result.stderr
    assert result.stdout == ""


def test_apikey_on_an_unmigrated_database_says_to_upgrade(db_env: dict[str, str]) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["apikey", "create", "--org", "acme"], env=db_env)
    assert result.exit_code == 2
    assert "run `worksample db upgrade` first" in result.stderr
    assert result.stdout == ""
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert runner.invoke(cli, ["db", "upgrade"], env=db_env).exit_code == 0
    assert runner.invoke(cli, ["apikey", "create", "--org", "acme"], env=db_env).exit_code == 0


@pytest.mark.parametrize(
    "args", [["db", "current"], ["db", "upgrade"], ["apikey", "create", "--org", "acme"]]
)
def test_an_unreachable_database_is_one_line_not_a_traceback(args: list[str]) -> None:
    # Port 9 (discard) has no PostgreSQL on this machine: the connection is refused at once.
    env = {"WORKSAMPLE_DATABASE_URL": "postgresql://postgres@127.0.0.1:9/none", "WORKSAMPLE_SANDBOX": "1"}
    result = CliRunner().invoke(cli, args, env=env)
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.stderr.startswith("error: the database cannot be used (WORKSAMPLE_DATABASE_URL):")
    assert len(result.stderr.strip().splitlines()) == 1


def test_an_unknown_revision_is_refused_plainly(db_env: dict[str, str]) -> None:
    result = CliRunner().invoke(cli, ["db", "upgrade", "--revision", "nope"], env=db_env)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "nope" in result.stderr
