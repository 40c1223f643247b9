"""GitHub's error answers: ``{"message", "documentation_url", "status"}`` plus ``errors`` for 422s."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

DOCS = "https://docs.github.com/rest"


class GitHubError(Exception):
    """Raised anywhere in a route; rendered the way GitHub renders the same failure."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        errors: list[Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors
        self.headers = headers or {}
        self.extra: dict[str, Any] = {}

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"message": self.message, **self.extra}
        if self.errors is not None:
            body["errors"] = self.errors
        body["documentation_url"] = DOCS
        body["status"] = str(self.status)
        return body


def not_found() -> GitHubError:
    return GitHubError(404, "Not Found")


def validation_failed(resource: str, field: str, code: str = "invalid", **extra: Any) -> GitHubError:
    return GitHubError(
        422, "Validation Failed", errors=[{"resource": resource, "field": field, "code": code, **extra}]
    )


async def github_error_handler(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, GitHubError)
    status = exc.status
    if status == 301 and request.method not in ("GET", "HEAD"):
        status = 307
    return JSONResponse(exc.body(), status_code=status, headers=exc.headers)


async def request_validation_handler(request: Request, exc: Exception) -> JSONResponse:
    # GitHub answers a malformed body with 422 (or 400 for unparsable JSON); keep the field names
    # so a failing test says which field the simulator refused.
    assert isinstance(exc, RequestValidationError)
    if any(e.get("type") == "json_invalid" for e in exc.errors()):
        return JSONResponse(GitHubError(400, "Problems parsing JSON").body(), status_code=400)
    errors = [
        {
            "resource": "Request",
            "field": ".".join(str(p) for p in e["loc"][1:]),
            "code": "invalid",
            "message": e["msg"],
        }
        for e in exc.errors()
    ]
    body = GitHubError(422, "Invalid request.", errors=errors).body()
    return JSONResponse(body, status_code=422)
