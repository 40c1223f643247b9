"""``worksample worker``: refuses to start without the GitHub App, runs a burst and exits."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from worksample.cli import _register, app


def _pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture
def env(tmp_path: Path, queue_name: str, artifacts_dir: Path) -> dict[str, str]:
    _register()
    return {
        "WORKSAMPLE_SANDBOX": "1",
        "WORKSAMPLE_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'w.db'}",
        "WORKSAMPLE_QUEUE_NAME": queue_name,
        "WORKSAMPLE_ARTIFACTS_DIR": str(artifacts_dir),
        "WORKSAMPLE_GITHUB_API_URL": "http://127.0.0.1:9",
    }


def test_worker_names_the_missing_app_variable(env: dict[str, str]) -> None:
    result = CliRunner().invoke(app, ["worker", "--burst"], env=env)
    assert result.exit_code == 2
    assert "WORKSAMPLE_GITHUB_APP_ID" in result.output


def test_worker_burst_with_an_empty_queue_exits_cleanly(env: dict[str, str]) -> None:
    env = {**env, "WORKSAMPLE_GITHUB_APP_ID": "1", "WORKSAMPLE_GITHUB_PRIVATE_KEY": _pem()}
    runner = CliRunner()
    # Migrated first, as in production: the sweeper queries the database when the worker starts.
    assert runner.invoke(app, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(app, ["worker", "--burst", "--log-level", "warning"], env=env)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
