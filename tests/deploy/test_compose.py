"""compose.yaml: API + worker + PostgreSQL + Redis, health-checked, sharing one configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.deploy.test_dockerfile import cli_command_paths, is_pinned
from worksample.config import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "compose.yaml").read_text())
    return document


def test_the_four_services_and_the_migration(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert {"api", "worker", "postgres", "redis", "migrate"} <= set(services)
    commands = cli_command_paths()
    for name in ("api", "worker", "migrate"):
        command = services[name]["command"]
        # Every command is one the image's `worksample` entrypoint has.
        words = tuple(w for w in command if not w.startswith("-"))
        assert any(words[: len(path)] == path for path in commands if path), command
    assert services["migrate"]["command"] == ["db", "upgrade"]
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"


def test_every_long_running_service_has_a_health_check(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        if name == "migrate":
            continue
        check = service.get("healthcheck")
        assert check is not None, name
        assert check["test"][0] in {"CMD", "CMD-SHELL"}, name
    assert "/health/ready" in " ".join(compose["services"]["api"]["healthcheck"]["test"])


def test_api_and_worker_share_database_redis_and_queue(compose: dict[str, Any]) -> None:
    api, worker = compose["services"]["api"]["environment"], compose["services"]["worker"]["environment"]
    for key in ("WORKSAMPLE_DATABASE_URL", "WORKSAMPLE_REDIS_URL", "WORKSAMPLE_QUEUE_NAME"):
        assert api[key] == worker[key], key
    # Each variable is one Settings reads, and its value is valid for it.
    fields = {f"WORKSAMPLE_{name.upper()}" for name in Settings.model_fields}
    assert set(api) <= fields
    settings = Settings(_env_file=None, **{k.removeprefix("WORKSAMPLE_").lower(): v for k, v in api.items()})
    assert settings.database_url.startswith("postgresql+asyncpg://")
    assert "@postgres:5432/" in settings.database_url
    assert settings.redis_url == "redis://redis:6379/0"


def test_images_are_pinned(compose: dict[str, Any]) -> None:
    assert is_pinned(compose["services"]["postgres"]["image"], parts=2)
    assert is_pinned(compose["services"]["redis"]["image"])
