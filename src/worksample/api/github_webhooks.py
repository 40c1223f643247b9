"""``POST /github/webhooks``: verify, record, enqueue, answer — in milliseconds.

Order matters and each step refuses with its own status: a non-JSON content type (415), missing
GitHub headers (400), a body over 25 MB (413, from ``Content-Length`` when sent, else while the body
streams in — it is never read whole first), a bad signature over the raw bytes (401, nothing
stored), malformed JSON (400). Events no handler wants are acknowledged and named as ignored; the
rest are recorded by ``X-GitHub-Delivery`` (a redelivery keeps its GUID, so a second copy is
answered "duplicate" and nothing more happens) and committed before the job is enqueued. Should
the enqueue fail, the worker's sweeper finds the unprocessed row later.

This is the hottest route, so it costs two round trips: one autocommitted ``INSERT … ON CONFLICT
DO NOTHING RETURNING`` (a single statement is its own transaction, committed when it answers) on
an engine of its own, and one Redis script for the job (``jobs.webhooks.enqueue_delivery``).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import Insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from worksample.api.deps import Resources
from worksample.api.errors import ApiError
from worksample.config import Settings
from worksample.db.models import GitHubDelivery
from worksample.db.session import create_engine
from worksample.github.handlers import router as handlers
from worksample.github.signatures import verify
from worksample.jobs.webhooks import enqueue_delivery

log = logging.getLogger(__name__)

WEBHOOK_PATH = "/github/webhooks"
# GitHub does not deliver payloads over 25 MB; anything larger is not from GitHub.
MAX_WEBHOOK_BYTES = 25 * 1024 * 1024
MAX_DELIVERY_ID_LENGTH = 64
REQUIRED_HEADERS = ("X-GitHub-Event", "X-GitHub-Delivery", "X-Hub-Signature-256")

router = APIRouter(tags=["github"])


async def _read_body(request: Request) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise ApiError(400, "bad_request", "Content-Length is not a number") from None
        if size > MAX_WEBHOOK_BYTES:
            raise _too_large()
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > MAX_WEBHOOK_BYTES:
            raise _too_large()
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large() -> ApiError:
    return ApiError(413, "payload_too_large", f"webhook bodies are at most {MAX_WEBHOOK_BYTES} bytes")


def _secrets(resources: Resources) -> list[str]:
    settings = resources.settings
    found = [
        s.get_secret_value()
        for s in (settings.github_webhook_secret, settings.github_webhook_secret_previous)
        if s
    ]
    if not found:
        # Without a secret nothing can be verified, and unverified input is never accepted.
        raise ApiError(503, "not_configured", "no GitHub webhook secret is configured")
    return found


def create_webhook_engine(settings: Settings) -> AsyncEngine:
    """The intake's engine (built once, in the app's lifespan).

    Autocommit, as its one statement needs no BEGIN and COMMIT around it; and no ``pool_pre_ping``,
    which on asyncpg is three more round trips per request (BEGIN, an empty query, ROLLBACK). A
    connection that died while pooled is handled the optimistic way instead: see :func:`_record`.
    """
    return create_engine(settings, isolation_level="AUTOCOMMIT", pool_pre_ping=False)


_INSERTS: dict[str, Insert] = {}


def _insert_delivery(dialect: str) -> Insert:
    """``INSERT … ON CONFLICT (delivery_id) DO NOTHING RETURNING id``, built once per dialect."""
    statement = _INSERTS.get(dialect)
    if statement is None:
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = (
            insert(GitHubDelivery)
            .on_conflict_do_nothing(index_elements=["delivery_id"])
            .returning(GitHubDelivery.id)
        )
        _INSERTS[dialect] = statement
    return statement


async def _record(engine: AsyncEngine, values: dict[str, Any]) -> bool:
    """Insert (and so commit) the delivery; True when it is new, or might be ours (see below).

    A pooled connection the database closed (a restart, an idle timeout) fails on first use; the
    pool then drops it and every connection older, and the statement is tried once more on a fresh
    one. GitHub does not redeliver a failed delivery by itself, so failing the request would lose
    it. Had the first try committed before the connection broke, the retry finds the row: that is
    answered as new, not duplicate, because enqueueing again is harmless (the job id is the
    delivery id) and not enqueueing could leave the delivery for the sweeper.
    """
    statement = _insert_delivery(engine.dialect.name)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(statement, values)).first() is not None
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
        log.warning("webhook.connection_lost delivery=%s error=%r", values["delivery_id"], exc.orig)
    async with engine.connect() as connection:
        await connection.execute(statement, values)
    return True


def _id_of(data: dict[str, Any], key: str) -> int | None:
    """``data[key]["id"]`` when it is a number (``installation``, ``repository``)."""
    found = data.get(key)
    value = found.get("id") if isinstance(found, dict) else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None


@router.post(WEBHOOK_PATH, status_code=202, summary="GitHub App webhook deliveries")
async def receive_github_webhook(request: Request) -> JSONResponse:
    resources: Resources = request.app.state.resources
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise ApiError(
            415, "unsupported_media_type", "set the App's webhook content type to application/json"
        )
    missing = [name for name in REQUIRED_HEADERS if not request.headers.get(name)]
    if missing:
        raise ApiError(400, "bad_request", f"missing header(s): {', '.join(missing)}")
    event = request.headers["X-GitHub-Event"]
    delivery_id = request.headers["X-GitHub-Delivery"]
    if len(delivery_id) > MAX_DELIVERY_ID_LENGTH or len(event) > 64:
        raise ApiError(400, "bad_request", "X-GitHub-Delivery or X-GitHub-Event is too long")
    secrets = _secrets(resources)
    body = await _read_body(request)
    if not verify(request.headers["X-Hub-Signature-256"], body, secrets):
        log.warning("webhook.bad_signature delivery=%s event=%s", delivery_id, event)
        raise ApiError(401, "bad_signature", "X-Hub-Signature-256 does not match the body")
    try:
        text = body.decode("utf-8")
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError):
        raise ApiError(400, "bad_request", "the body is not valid UTF-8 JSON") from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", "the body is not a JSON object")
    action = data.get("action") if isinstance(data.get("action"), str) else None
    if not handlers.handles(event, action):
        return JSONResponse(
            {
                "status": "ignored",
                "event": event,
                "action": action,
                "reason": "not an event this App handles",
            },
            status_code=200,
        )
    installation_id = _id_of(data, "installation")
    inserted = await _record(
        resources.webhook_engine,
        {
            "delivery_id": delivery_id,
            "event": event,
            "action": action,
            "installation_id": installation_id,
            # Erasing a candidate finds their repository's deliveries by it (lifecycle.scrub).
            "repository_id": _id_of(data, "repository"),
            "body": text,
            "attempts": 0,
        },
    )
    if not inserted:
        return JSONResponse({"status": "duplicate", "delivery": delivery_id}, status_code=200)
    try:
        await enqueue_delivery(resources.arq_pool, delivery_id, queue_name=resources.settings.queue_name)
    except Exception as exc:
        log.warning("webhook.enqueue_failed delivery=%s error=%r", delivery_id, exc)
    return JSONResponse({"status": "queued", "delivery": delivery_id}, status_code=202)
