"""Start-up refuses placeholder secrets outside the sandbox, naming each variable."""

from __future__ import annotations

import pytest

from worksample.config import ConfigError, Settings


def test_missing_secrets_are_named() -> None:
    settings = Settings(_env_file=None, github_webhook_secret="changeme")
    with pytest.raises(ConfigError) as info:
        settings.require_production_secrets()
    message = str(info.value)
    assert "WORKSAMPLE_GITHUB_APP_ID" in message
    assert "WORKSAMPLE_GITHUB_PRIVATE_KEY" in message
    assert "WORKSAMPLE_GITHUB_WEBHOOK_SECRET" in message


def test_sandbox_needs_no_secrets() -> None:
    Settings(_env_file=None, sandbox=True).require_production_secrets()
