"""Process commands refuse a bad option with a usage message before starting anything."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from typer.testing import CliRunner

from worksample.cli import _register, app


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_an_unknown_log_level_is_a_usage_error(command: str) -> None:
    _register()
    result = CliRunner().invoke(app, [command, "--log-level", "chatty"], env={"WORKSAMPLE_SANDBOX": "1"})
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "'chatty' is not one of" in result.output


def test_serve_names_a_missing_session_secret_instead_of_crashing() -> None:
    """OAuth credentials without a session secret: the sign-in pages cannot sign cookies."""
    _register()
    env = {
        "WORKSAMPLE_SANDBOX": "0",
        "WORKSAMPLE_GITHUB_APP_ID": "1",
        "WORKSAMPLE_GITHUB_PRIVATE_KEY": _pem(),
        "WORKSAMPLE_GITHUB_WEBHOOK_SECRET": "a-real-webhook-secret",
        "WORKSAMPLE_GITHUB_CLIENT_ID": "Iv1.0123456789abcdef",
        "WORKSAMPLE_GITHUB_CLIENT_SECRET": "a-real-client-secret",
        # Everything else production asks for is there.
        "WORKSAMPLE_SECRET_KEYS": '["a-real-at-rest-key-0123456789abcdefghij"]',
    }
    result = CliRunner().invoke(app, ["serve", "--port", "1"], env=env)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "WORKSAMPLE_SESSION_SECRET is required" in result.output


def _pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
