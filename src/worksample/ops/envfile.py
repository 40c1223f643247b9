"""Writing credentials to a ``.env``-style file readable only by its owner.

Values are double-quoted, so the multi-line private key survives ``set -a; . ./.env``, Docker
Compose's ``env_file`` and python-dotenv alike. Keys already in the file that we do not write are
kept as they are.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path

_FORBIDDEN = ('"', "\\", "$", "`")


def _quoted(key: str, value: str) -> str:
    if any(char in value for char in _FORBIDDEN):
        # None of GitHub's credentials contain these; refusing beats writing a file a shell misreads.
        raise ValueError(f"{key}: the value contains a character a .env file cannot hold safely")
    return f'{key}="{value}"'


def _entries(text: str) -> Iterator[tuple[str | None, str]]:
    """Each line with the key whose entry it belongs to (None for comments and blank lines); the
    lines of a multi-line quoted value belong to its key."""
    key: str | None = None
    continued = False
    for line in text.splitlines():
        if continued:
            continued = not line.rstrip().endswith('"')
            yield key, line
            continue
        name, sep, value = line.partition("=")
        key = name.strip().removeprefix("export ").strip() if sep else None
        value = value.strip()
        # An opening quote without its closing one on this line: the value goes on.
        continued = bool(sep) and value.startswith('"') and (len(value) == 1 or not value.endswith('"'))
        yield key, line


def _kept_lines(text: str, replaced: set[str]) -> list[str]:
    """The existing file's lines, minus the entries (possibly multi-line quoted) being replaced."""
    return [line for key, line in _entries(text) if key is None or key not in replaced]


def keys_in_env_file(path: Path) -> set[str]:
    """The keys the file at ``path`` sets (none when it does not exist)."""
    if not path.exists():
        return set()
    return {key for key, _ in _entries(path.read_text()) if key is not None}


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
