"""``worksample doctor`` against the simulator: a healthy deployment, then one misconfiguration at a
time, each reported in plain words."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pydantic import SecretStr

from tests.github_app.conftest import ServedSimulator
from tests.support.databases import migrate_to_head
from worksample.config import Settings
from worksample.ops.doctor import Check, Outcome, run_checks
from worksample.ops.manifest import load_manifest

MANIFEST = load_manifest(Path(__file__).resolve().parents[2] / "github_app" / "manifest.json")
FULL = MANIFEST.permissions
EVENTS = ["installation", *MANIFEST.events]


async def _app(simulator: ServedSimulator, name: str, **extra: Any) -> dict[str, Any]:
    body = {"name": name, "webhook_secret": "s" * 32, "permissions": FULL, "events": EVENTS} | extra
    return await simulator.post("/_sandbox/apps", body)


async def _settings(
    simulator: ServedSimulator, app: dict[str, Any], tmp_path: Path, **changes: Any
) -> Settings:
    database = tmp_path / "doctor.db"
    if not database.exists():
        await migrate_to_head(f"sqlite+aiosqlite:///{database}")
    values: dict[str, Any] = {
        "database_url": f"sqlite+aiosqlite:///{database}",
        "redis_url": "redis://127.0.0.1:6379/0",
        "github_api_url": simulator.url,
        "github_web_url": simulator.url,
        "github_app_id": app["id"],
        "github_private_key": SecretStr(str(app["private_key"])),
        "github_webhook_secret": SecretStr("s" * 32),
        "secret_keys": (SecretStr("k" * 43),),
        "public_url": "https://ws.example.com",
    } | changes
    return Settings(_env_file=None, **values)


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {check.name: check for check in checks}


async def test_a_healthy_deployment_passes(served_simulator: ServedSimulator, tmp_path: Path) -> None:
    app = await _app(served_simulator, "healthy")
    await served_simulator.post("/_sandbox/installations", {"app_id": app["id"], "account": "acme"})
    checks = await run_checks(await _settings(served_simulator, app, tmp_path), MANIFEST)
    assert [c for c in checks if c.outcome is not Outcome.OK] == []
    assert "the App is healthy" in _by_name(checks)["GitHub API"].message


async def test_not_installed_says_where_to_install(served_simulator: ServedSimulator, tmp_path: Path) -> None:
    app = await _app(served_simulator, "lonely")
    checks = _by_name(await run_checks(await _settings(served_simulator, app, tmp_path), MANIFEST))
    assert checks["installation"].outcome is Outcome.FAIL
    assert f"{served_simulator.url}/apps/lonely/installations/new" in checks["installation"].message


async def test_an_installation_missing_a_permission(
    served_simulator: ServedSimulator, tmp_path: Path
) -> None:
    weaker = dict(FULL, administration="read")
    del weaker["issues"]
    app = await _app(served_simulator, "weak", permissions=weaker)
    await served_simulator.post("/_sandbox/installations", {"app_id": app["id"], "account": "acme"})
    checks = _by_name(await run_checks(await _settings(served_simulator, app, tmp_path), MANIFEST))
    problem = checks["installation on acme"]
    assert problem.outcome is Outcome.FAIL
    assert "administration write (grants read)" in problem.message
    assert "issues write (grants none)" in problem.message
    assert "/organizations/acme/settings/installations/" in problem.message


async def test_a_private_key_of_another_app_is_refused(
    served_simulator: ServedSimulator, tmp_path: Path
) -> None:
    app, other = await _app(served_simulator, "mine"), await _app(served_simulator, "theirs")
    settings = await _settings(
        served_simulator, app, tmp_path, github_private_key=SecretStr(str(other["private_key"]))
    )
    checks = _by_name(await run_checks(settings, MANIFEST))
    assert checks["GitHub API"].outcome is Outcome.FAIL
    assert "GitHub refused the App's credentials" in checks["GitHub API"].message
    assert f"WORKSAMPLE_GITHUB_APP_ID ({app['id']})" in checks["GitHub API"].message


async def test_unreachable_github_database_and_redis(
    served_simulator: ServedSimulator, tmp_path: Path
) -> None:
    app = await _app(served_simulator, "island")
    empty = tmp_path / "empty.db"
    settings = await _settings(
        served_simulator,
        app,
        tmp_path,
        github_api_url="http://127.0.0.1:9",
        database_url=f"sqlite+aiosqlite:///{empty}",
        redis_url="redis://127.0.0.1:9/0",
    )
    checks = _by_name(await run_checks(settings, MANIFEST))
    assert "cannot reach the GitHub API at http://127.0.0.1:9" in checks["GitHub API"].message
    assert "run `worksample db upgrade`" in checks["database"].message
    assert checks["redis"].outcome is Outcome.FAIL
    assert "cannot reach Redis" in checks["redis"].message


async def test_a_broken_private_key_skips_github(served_simulator: ServedSimulator, tmp_path: Path) -> None:
    app = await _app(served_simulator, "broken")
    garbled = "-----BEGIN RSA PRIVATE KEY-----\nnot base64\n-----END RSA PRIVATE KEY-----\n"
    settings = await _settings(served_simulator, app, tmp_path, github_private_key=SecretStr(garbled))
    checks = _by_name(await run_checks(settings, MANIFEST))
    assert checks["private key"].outcome is Outcome.FAIL
    assert "cannot be read" in checks["private key"].message
    assert checks["GitHub API"].outcome is Outcome.SKIPPED


def test_cli_names_missing_configuration(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WORKSAMPLE_")}
    env["WORKSAMPLE_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path}/x.db"
    result = subprocess.run(
        [str(Path(sys.executable).with_name("worksample")), "doctor"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 1
    assert (
        "FAIL  configuration: missing or placeholder configuration: WORKSAMPLE_GITHUB_APP_ID" in result.stdout
    )
    assert "run `worksample db upgrade`" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr
    as_json = subprocess.run(
        [str(Path(sys.executable).with_name("worksample")), "doctor", "--json"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert as_json.returncode == 1
    outcomes = {c["check"]: c["outcome"] for c in json.loads(as_json.stdout)}
    assert outcomes["configuration"] == "fail"
    assert outcomes["GitHub API"] == "skipped"
