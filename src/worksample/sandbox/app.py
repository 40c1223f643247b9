"""``create_app()``: the simulator as one FastAPI application.

The middleware here is the front desk every API call passes: it resolves the caller, applies rate
limits and injected faults, stamps GitHub's headers and records the call. The routers hold the rest.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable

import httpx
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from worksample.sandbox import (
    apps,
    collaborators,
    comments,
    contents,
    control,
    gitdata,
    inspect_routes,
    issues,
    manifests,
    not_simulated,
    oauth,
    protection,
    pulls,
    repos,
    reviews,
    users,
)
from worksample.sandbox.auth import Actor, resolve_actor
from worksample.sandbox.context import Sandbox, sandbox_of
from worksample.sandbox.errors import GitHubError, github_error_handler, request_validation_handler
from worksample.sandbox.records import Call
from worksample.sandbox.state import Clock, RateLimitConfig, SandboxConfig


def _bucket_key(actor: Actor | None) -> str:
    if actor is None:
        return "anonymous"
    if actor.installation is not None:
        return f"installation:{actor.installation.id}"
    if actor.user is not None:
        return f"user:{actor.user.id}"
    assert actor.app is not None
    return f"app:{actor.app.id}"


def _treat_body_as_json(request: Request) -> None:
    """GitHub reads a request body as JSON when no content type says otherwise (the recorded
    octokit exchanges send none); a declared type (the OAuth form posts) is left alone."""
    if not any(k == b"content-type" for k, _ in request.scope["headers"]):
        request.scope["headers"] = [*request.scope["headers"], (b"content-type", b"application/json")]


async def _front_desk(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    sandbox = sandbox_of(request)
    request.state.actor = None
    request.state.simulated = True
    if request.url.path.startswith("/_sandbox"):
        return await call_next(request)
    world = sandbox.world
    method, path = request.method, request.url.path
    _treat_body_as_json(request)
    actor: Actor | None = None
    key = "anonymous"
    response: Response
    try:
        actor = resolve_actor(world, request.headers.get("authorization"))
        request.state.actor = actor
        key = _bucket_key(actor)
        sandbox.limiter.admit(key, method, path, world.now())
    except GitHubError as exc:
        response = JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)
    else:
        try:
            fault = sandbox.faults.take(method, path)
            if fault is not None and fault.latency_seconds > 0:
                await asyncio.sleep(fault.latency_seconds)
            if fault is not None and fault.status is not None:
                if fault.after:
                    done = await call_next(request)
                    # Read to its end (the route has then run); its answer is replaced below.
                    body = getattr(done, "body_iterator", None)
                    if body is not None:
                        async for _ in body:
                            pass
                error = GitHubError(fault.status, fault.message)
                response = JSONResponse(error.body(), status_code=error.status)
            else:
                response = await call_next(request)
        finally:
            sandbox.limiter.release(key)
    for name, value in sandbox.limiter.headers(key, world.now()).items():
        response.headers.setdefault(name, value)
    response.headers.setdefault("x-github-media-type", "github.v3; format=json")
    response.headers["x-github-request-id"] = uuid.uuid4().hex[:20].upper()
    world.calls.append(
        Call(
            seq=len(world.calls) + 1,
            method=method,
            path=path,
            status=response.status_code,
            actor=actor.label if actor is not None else None,
            simulated=bool(request.state.simulated),
            at=world.now(),
        )
    )
    return response


def create_app(
    *,
    webhook_transport: httpx.AsyncBaseTransport | None = None,
    base_url: str = "http://sandbox",
    rate_limits: RateLimitConfig | None = None,
    template_copy_delay_seconds: float = 0.0,
    clock: Clock | None = None,
) -> FastAPI:
    """Build a fresh simulator. ``webhook_transport`` routes deliveries in-process (tests pass
    ``httpx.ASGITransport(app=service)``); without it they go over the network to each App's URL."""
    config = SandboxConfig(
        base_url=base_url,
        template_copy_delay_seconds=template_copy_delay_seconds,
        rate_limits=rate_limits or RateLimitConfig(),
    )
    app = FastAPI(
        title="worksample GitHub simulator",
        docs_url="/_sandbox/docs",
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        openapi_url="/_sandbox/openapi.json",
    )
    app.state.sandbox = Sandbox(config, clock or Clock(), webhook_transport)
    app.add_exception_handler(GitHubError, github_error_handler)
    app.add_exception_handler(RequestValidationError, request_validation_handler)
    app.middleware("http")(_front_desk)
    for module in (
        control,
        inspect_routes,
        apps,
        users,
        repos,
        gitdata,
        contents,
        collaborators,
        pulls,
        reviews,
        comments,
        protection,
        issues,
        oauth,
        manifests,
    ):
        app.include_router(module.router)
    # Last, so it only catches what nothing above serves.
    app.include_router(not_simulated.router)
    return app
