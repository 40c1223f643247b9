"""``X-Hub-Signature-256`` checks: HMAC-SHA256 of the exact body, compared in constant time.

During a secret rotation GitHub signs with the new secret only, but deliveries signed before the
switch may still arrive (or be redelivered), so the previous secret is accepted too until removed.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

PREFIX = "sha256="


def sign(secret: str, body: bytes) -> str:
    return PREFIX + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(header: str, body: bytes, secrets: Iterable[str]) -> bool:
    """True when ``header`` is the signature of ``body`` under one of ``secrets``.

    Every secret is tried (no early return on a match) so the time taken does not say which one
    matched; a header that is not ``sha256=<64 hex>`` is refused before any HMAC is computed.
    """
    if not header.startswith(PREFIX) or len(header) != len(PREFIX) + 64:
        return False
    matched = False
    for secret in secrets:
        if secret:
            matched |= hmac.compare_digest(sign(secret, body).encode(), header.encode())
    return matched
