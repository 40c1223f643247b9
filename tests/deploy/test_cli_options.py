"""Process commands refuse a bad option with a usage message before starting anything."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from worksample.cli import _register, app


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_an_unknown_log_level_is_a_usage_error(command: str) -> None:
    _register()
    result = CliRunner().invoke(app, [command, "--log-level", "chatty"], env={"WORKSAMPLE_SANDBOX": "1"})
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "'chatty' is not one of" in result.output
