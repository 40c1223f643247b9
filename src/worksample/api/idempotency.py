"""``Idempotency-Key``: a retried request gets the first answer, not a second assignment.

Follows the IETF httpapi idempotency-key draft: the same key with the same request replays the
stored response (marked ``Idempotent-Replayed: true``); the same key with a different request is a
client bug and answers 422; keys are scoped to the organisation, so tenants cannot collide.
The record is written in the transaction that creates the assignment, so either both exist or
neither, and the unique (organisation, key) constraint settles two concurrent first attempts.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.api.errors import ApiError
from worksample.db.models import IdempotencyRecord

REPLAY_HEADER = "Idempotent-Replayed"


def request_fingerprint(body: BaseModel) -> str:
    """A hash of the request as parsed, so that key order and whitespace do not count as a change."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def find_record(session: AsyncSession, organization_id: int, key: str) -> IdempotencyRecord | None:
    query = select(IdempotencyRecord).where(
        IdempotencyRecord.organization_id == organization_id, IdempotencyRecord.key == key
    )
    return (await session.scalars(query)).one_or_none()


def replay(record: IdempotencyRecord, *, endpoint: str, fingerprint: str) -> JSONResponse:
    """The stored answer, or 422 when the key was first used for a different request."""
    if record.endpoint != endpoint or record.fingerprint != fingerprint:
        raise ApiError(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was already used with a different request; "
            "use a new key for a new request, or resend exactly the first request",
        )
    return JSONResponse(
        record.response_body, status_code=record.response_status, headers={REPLAY_HEADER: "true"}
    )


def new_record(
    *,
    organization_id: int,
    key: str,
    endpoint: str,
    fingerprint: str,
    assignment_id: str | None,
    status: int,
    body: dict[str, Any],
) -> IdempotencyRecord:
    return IdempotencyRecord(
        organization_id=organization_id,
        key=key,
        endpoint=endpoint,
        fingerprint=fingerprint,
        assignment_id=assignment_id,
        response_status=status,
        response_body=body,
    )
