"""Artifacts, health, OpenAPI, body limits and the error shape of unexpected failures."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
from fastapi import FastAPI

from tests.api.bodies import assignment_body


async def test_artifacts_list_without_reviewer_only_text(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    response = await api_client.get("/v1/artifacts", headers=auth_headers)
    assert response.status_code == 200, response.text
    assert response.json() == [
        {
            "id": "test-sample",
            "title": "Test sample",
            "profile": "api-platform-tpm",
            "summary": "A small artifact for the service's tests.",
            "time_limit_hours": 48,
            "variables": {
                "company": {
                    "type": "string",
                    "default": "Acme",
                    "description": "The company name shown to the candidate.",
                    "max_length": 40,
                },
                "seats": {
                    "type": "integer",
                    "default": 10,
                    "description": "How many seats the customer has.",
                    "max_length": 200,
                },
            },
            "rubric": [
                {"id": "clarity", "title": "Clarity", "weight": 2.0, "required": True},
                {"id": "risk", "title": "Risk handling", "weight": 1.0, "required": True},
            ],
        }
    ]
    assert "anchors" not in response.text
    assert "rollout plan" not in response.text  # the reviewer guide


async def test_health(api_client: httpx.AsyncClient) -> None:
    assert (await api_client.get("/health")).json() == {"status": "ok"}
    ready = await api_client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


async def test_openapi_documents_the_routes(api_client: httpx.AsyncClient) -> None:
    spec = (await api_client.get("/openapi.json")).json()
    assert {
        "/v1/assignments",
        "/v1/assignments/{assignment_id}",
        "/v1/assignments/{assignment_id}/cancel",
    } <= set(spec["paths"])
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert (await api_client.get("/docs")).status_code == 200


async def test_oversized_body_is_413(api_client: httpx.AsyncClient, auth_headers: dict[str, str]) -> None:
    body = assignment_body(external_ids={"note": "x" * 200_000})
    response = await api_client.post("/v1/assignments", json=body, headers=auth_headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_oversized_chunked_body_is_413(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b"x" * 1024

    headers = {**auth_headers, "content-type": "application/json"}
    response = await api_client.post("/v1/assignments", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


async def test_unknown_route_and_method_use_the_error_shape(api_client: httpx.AsyncClient) -> None:
    response = await api_client.get("/v2/nothing")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not Found"}}
    response = await api_client.delete("/v1/assignments")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


async def test_unexpected_failure_is_a_500_without_details(api_app: FastAPI) -> None:
    @api_app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals")

    transport = httpx.ASGITransport(app=api_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://worksample.test") as client:
        response = await client.get("/boom")
    assert response.status_code == 500
    assert response.json() == {
        "error": {"code": "internal_error", "message": "internal error; it has been logged"}
    }
    assert "secret" not in response.text
