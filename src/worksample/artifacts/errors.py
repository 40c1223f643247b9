"""The artifact catalog's errors, each saying where the problem is and what it is.

Two audiences read these: a recruiter (through the API or CLI) who typed a bad value, and an
author who broke a manifest or a template. The first gets ``VariableError`` with one message per
field, so the API can answer 422 field by field; the second gets ``ArtifactError`` or
``RenderError`` naming the file (and line, where there is one).
"""

from __future__ import annotations

from collections.abc import Mapping


class ArtifactError(Exception):
    """An artifact folder cannot be loaded: the message names the folder or file and the fault."""


class UnknownArtifact(KeyError):
    """No artifact with this id is in the catalog."""

    def __init__(self, artifact_id: str, known: tuple[str, ...] = ()) -> None:
        super().__init__(artifact_id)
        self.artifact_id = artifact_id
        self.known = known

    def __str__(self) -> str:
        # KeyError's own __str__ repr()s its argument; this message is shown to people.
        hint = f" (known: {', '.join(self.known)})" if self.known else ""
        return f"unknown artifact {self.artifact_id!r}{hint}"


class VariableError(ValueError):
    """Recruiter-supplied values are unusable. ``errors`` maps each variable name to why."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        self.errors: dict[str, str] = dict(sorted(errors.items()))
        super().__init__("; ".join(f"{name}: {why}" for name, why in self.errors.items()))


class RenderError(Exception):
    """A template could not be rendered. ``file`` and ``line`` say where (line may be unknown)."""

    def __init__(self, file: str, line: int | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.reason = reason
        where = f"{file}:{line}" if line is not None else file
        super().__init__(f"{where}: {reason}")
