"""The GitHub App's definition, read from ``github_app/manifest.json`` (data, not code).

GitHub permission levels are ordered (``read`` < ``write`` < ``admin``); ``covers`` answers whether
a granted level is enough for a required one, the question both ``doctor`` and the
manifest-permissions test ask.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from worksample.config import REPO_ROOT

MANIFEST_NAME = "manifest.json"
LEVELS = ("read", "write", "admin")
PUBLIC_URL_PLACEHOLDER = "{public_url}"


class ManifestError(RuntimeError):
    """The manifest file is missing or not a usable App manifest; the message says which."""


def default_manifest_path() -> Path:
    """``github_app/manifest.json`` of the checkout, else of the working directory (the image
    copies ``github_app/`` next to where it runs)."""
    for base in (REPO_ROOT, Path.cwd()):
        candidate = base / "github_app" / MANIFEST_NAME
        if candidate.is_file():
            return candidate
    return REPO_ROOT / "github_app" / MANIFEST_NAME


def covers(granted: str | None, required: str) -> bool:
    if granted not in LEVELS:
        return False
    return LEVELS.index(granted) >= LEVELS.index(required)


@dataclass(frozen=True)
class AppManifest:
    raw: dict[str, Any]

    @property
    def permissions(self) -> dict[str, str]:
        return dict(self.raw["default_permissions"])

    @property
    def events(self) -> list[str]:
        return list(self.raw["default_events"])

    def missing_grants(self, granted: Mapping[str, str]) -> dict[str, tuple[str, str | None]]:
        """Permission → (asked, granted) for each one the grant does not cover."""
        return {
            name: (level, granted.get(name))
            for name, level in self.permissions.items()
            if not covers(granted.get(name), level)
        }

    def for_public_url(self, public_url: str, **overrides: Any) -> dict[str, Any]:
        """The manifest as posted to GitHub: ``{public_url}`` filled in, then ``overrides`` applied."""
        text = json.dumps(self.raw).replace(PUBLIC_URL_PLACEHOLDER, public_url.rstrip("/"))
        filled: dict[str, Any] = json.loads(text)
        filled.update(overrides)
        return filled


def load_manifest(path: Path | None = None) -> AppManifest:
    path = path or default_manifest_path()
    try:
        raw = json.loads(path.read_text())
    except OSError as exc:
        raise ManifestError(f"cannot read the App manifest {path}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ManifestError(f"the App manifest {path} is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ManifestError(f"the App manifest {path} is not a JSON object")
    problems = []
    if not isinstance(raw.get("name"), str) or not raw["name"]:
        problems.append("'name' must be a non-empty string")
    permissions = raw.get("default_permissions")
    if not isinstance(permissions, dict) or not all(
        isinstance(k, str) and v in LEVELS for k, v in permissions.items()
    ):
        problems.append(f"'default_permissions' must map permission names to one of {', '.join(LEVELS)}")
    events = raw.get("default_events")
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        problems.append("'default_events' must be a list of event names")
    if problems:
        raise ManifestError(f"the App manifest {path}: " + "; ".join(problems))
    return AppManifest(raw)
