"""Secrets we must be able to read back, encrypted at rest: a database dump alone does not give them.

Two kinds are stored: the ATS endpoints' signing secrets (the outbox signs every delivery with
them) and the API key Greenhouse sent us, which authenticates its completion PATCH. Neither can be
hashed, since we need the value itself; both are encrypted with keys from configuration
(``WORKSAMPLE_SECRET_KEYS``) that live outside the database.

Fernet from ``cryptography`` (already installed for the GitHub App's JWTs): AES-128-CBC with an
HMAC-SHA256 over the whole token, so a tampered or truncated value is refused rather than decrypted
to garbage, and a reviewed, maintained implementation instead of our own construction. Each
configured key is stretched with HKDF-SHA256 into one Fernet key per purpose, so a value sealed
for one column does not open as another's. The first configured key seals; every key opens
(``MultiFernet``), which is how a key is rotated: put the new key first, and keep the old one after
it while rows sealed with it remain (``reseal`` rewrites one; rotating an endpoint's secret does).
Rows an older release stored in plain text are sealed by the 0008 migration.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from enum import StrEnum
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from worksample.config import Settings


class Purpose(StrEnum):
    """What a sealed value is; part of its key, so values cannot be moved between columns."""

    ENDPOINT_SECRET = "outbox.endpoint-secret"  # noqa: S105 - a name, not a secret
    GREENHOUSE_KEY = "greenhouse.callback-key"


class UnreadableSecret(RuntimeError):
    """A stored value none of the configured keys opens (a key removed too soon, or tampering)."""


@lru_cache(maxsize=64)
def _fernet(key: str, purpose: Purpose) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=f"worksample:{purpose.value}".encode()
    ).derive(key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


class SecretBox:
    """Seals and opens one purpose's values with the configured keys (the first one seals)."""

    def __init__(self, keys: Sequence[str], purpose: Purpose) -> None:
        if not keys:
            raise ValueError("WORKSAMPLE_SECRET_KEYS: no key to encrypt stored secrets with")
        self.purpose = purpose
        self._fernet = MultiFernet([_fernet(key, purpose) for key in keys])

    @classmethod
    def from_settings(cls, settings: Settings, purpose: Purpose) -> SecretBox:
        return cls(settings.at_rest_keys(), purpose)

    def seal(self, value: str) -> str:
        return self._fernet.encrypt(value.encode("utf-8")).decode("ascii")

    def open(self, stored: str) -> str:
        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeEncodeError):
            raise UnreadableSecret(
                f"a stored {self.purpose.value} does not open with any of WORKSAMPLE_SECRET_KEYS "
                "(was a key removed before the rows it sealed were resealed?)"
            ) from None

    def can_open(self, stored: str) -> bool:
        try:
            self.open(stored)
        except UnreadableSecret:
            return False
        return True

    def reseal(self, stored: str) -> str:
        """The same secret sealed with the first key (after a rotation added a new one)."""
        return self._fernet.rotate(stored.encode("ascii")).decode("ascii")
