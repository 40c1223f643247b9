"""Liveness and readiness for load balancers and orchestrators (no authentication)."""

from __future__ import annotations

import logging

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from worksample.api.deps import ResourcesDep

log = logging.getLogger(__name__)
router = APIRouter(tags=["health"])


@router.get("/health", summary="The process is up")
async def live() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/health/ready", summary="The database and Redis answer")
async def ready(resources: ResourcesDep) -> JSONResponse:
    checks: dict[str, str] = {}
    try:
        async with resources.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        log.warning("health.database_down error=%s", exc)
        checks["database"] = "unavailable"
    try:
        await resources.arq_pool.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        log.warning("health.redis_down error=%s", exc)
        checks["redis"] = "unavailable"
    healthy = all(value == "ok" for value in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "unavailable", "checks": checks}, 200 if healthy else 503
    )
