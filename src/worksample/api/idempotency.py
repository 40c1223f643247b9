"""``Idempotency-Key``: a retried request gets the first answer, not a second assignment.

Follows the IETF httpapi idempotency-key draft: the same key with the same request replays the
stored response (marked ``Idempotent-Replayed: true``); the same key with a different request is a
client bug and answers 422; keys are scoped to the organisation, so tenants cannot collide.
The record is written in the transaction that creates the assignment, so either both exist or
neither, and the unique (organisation, key) constraint settles two concurrent first attempts.

Records are kept ``Settings.idempotency_retention_hours`` (24 h, as Stripe does): long enough for
any retry, short enough that a key may be used again and the table does not grow for ever. An
expired record no longer counts (it is deleted when its key comes back), and the worker's hourly
``idempotency.purge`` deletes the rest.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from worksample.api.errors import ApiError
from worksample.db.models import IdempotencyRecord

REPLAY_HEADER = "Idempotent-Replayed"


def request_fingerprint(body: BaseModel) -> str:
    """A hash of the request as parsed, so that key order and whitespace do not count as a change."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def find_record(
    session: AsyncSession, organization_id: int, key: str, *, now: datetime, retention: timedelta
) -> IdempotencyRecord | None:
    """The key's record while it is retained; an older one is deleted, which frees the key."""
    query = select(IdempotencyRecord).where(
        IdempotencyRecord.organization_id == organization_id, IdempotencyRecord.key == key
    )
    record = (await session.scalars(query)).one_or_none()
    if record is None or record.created_at > now - retention:
        return record
    # A statement, not session.delete: a concurrent request may have deleted it already.
    await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record.id))
    return None


async def purge_expired(session: AsyncSession, *, now: datetime, retention: timedelta) -> int:
    """Delete every record older than the retention; how many went."""
    result = await session.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.created_at <= now - retention)
    )
    return int(getattr(result, "rowcount", 0) or 0)


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
    created_at: datetime,
) -> IdempotencyRecord:
    return IdempotencyRecord(
        created_at=created_at,
        organization_id=organization_id,
        key=key,
        endpoint=endpoint,
        fingerprint=fingerprint,
        assignment_id=assignment_id,
        response_status=status,
        response_body=body,
    )
