"""Everything the simulator does not serve: a loud 404, recorded as not simulated."""

from __future__ import annotations

from fastapi import APIRouter, Request

from worksample.sandbox.errors import GitHubError

router = APIRouter()


@router.api_route(
    "/{path:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"], include_in_schema=False
)
async def not_simulated(request: Request, path: str) -> None:
    request.state.simulated = False
    raise GitHubError(404, f"not simulated: {request.method} {request.url.path}")
