"""Writing credentials to a ``.env``-style file readable only by its owner.

Values are double-quoted, so the multi-line private key survives ``set -a; . ./.env``, Docker
Compose's ``env_file`` and python-dotenv alike. Keys already in the file that we do not write are
kept as they are.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

_FORBIDDEN = ('"', "\\", "$", "`")


def _quoted(key: str, value: str) -> str:
    if any(char in value for char in _FORBIDDEN):
        # None of GitHub's credentials contain these; refusing beats writing a file a shell misreads.
        raise ValueError(f"{key}: the value contains a character a .env file cannot hold safely")
    return f'{key}="{value}"'


def _kept_lines(text: str, replaced: set[str]) -> list[str]:
    """The existing file's lines, minus the entries (possibly multi-line quoted) being replaced."""
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        if skipping:
            skipping = not line.rstrip().endswith('"')
            continue
        key, sep, value = line.partition("=")
        if sep and key.strip().removeprefix("export ").strip() in replaced:
            value = value.strip()
            # An opening quote without its closing one on this line: the value goes on.
            skipping = value.startswith('"') and (len(value) == 1 or not value.endswith('"'))
            continue
        kept.append(line)
    return kept


def write_env_file(path: Path, values: Mapping[str, str]) -> None:
    """Set ``values`` in the file at ``path`` (created if missing), mode 0600, replaced atomically."""
    existing = path.read_text() if path.exists() else ""
    lines = _kept_lines(existing, set(values))
    while lines and not lines[-1].strip():
        lines.pop()
    if lines:
        lines.append("")
    lines += [_quoted(key, value) for key, value in values.items()]
    tmp = path.with_name(f".{path.name}.tmp")
    descriptor = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    # os.open's mode is filtered by the umask; state it outright.
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
