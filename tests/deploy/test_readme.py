"""The README's generated parts match the code, and the commands it gives exist."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.deploy.test_dockerfile import cli_command_paths
from worksample.config import Settings
from worksample.ops import readme

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_the_generated_blocks_are_up_to_date() -> None:
    assert readme.refresh(README) == README, (
        "README.md is out of date: run `.venv/bin/python -m worksample.ops.readme --write README.md`"
    )


def test_every_setting_is_documented_with_its_variable() -> None:
    assert readme.undocumented() == [], (
        "add a comment above these fields in config.py (or a line in worksample.ops.readme.DESCRIPTIONS)"
    )
    listed = set(re.findall(r"^\| `(WORKSAMPLE_[A-Z0-9_]+)` \|", README, re.M))
    assert listed == {f"WORKSAMPLE_{name.upper()}" for name in Settings.model_fields}


def test_the_worksample_commands_it_shows_exist() -> None:
    commands = cli_command_paths()
    # In code: at a line's start, after a backtick, or after `docker compose exec api`.
    shown = set(re.findall(r"(?:^|`|exec api )worksample ([a-z]+(?: [a-z]+)?)", README, re.M))
    assert shown, "the README shows worksample commands"
    for words in shown:
        parts = tuple(words.split())
        assert parts[:1] in commands, words
        assert parts in commands or parts[:1] in commands, words
    for expected in (("demo",), ("doctor",), ("app", "create"), ("apikey", "create"), ("db", "upgrade")):
        assert expected in commands


def test_the_two_make_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text()
    for target in ("demo", "test"):
        assert re.search(rf"^{target}:", makefile, re.M), target
    assert "make demo" in README
    assert "make test" in README


def test_refresh_refuses_a_readme_without_markers() -> None:
    with pytest.raises(ValueError, match="no settings block"):
        readme.refresh("# nothing here\n")
