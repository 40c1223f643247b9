"""GET one, GET the list (filter, pagination) and cancel."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.api.bodies import assignment_body
from worksample.assignments import AssignmentStatus
from worksample.db.models import Assignment
from worksample.db.session import session_scope
from worksample.db.timeline import change_status

Sessions = async_sessionmaker[AsyncSession]


async def _create(client: httpx.AsyncClient, headers: dict[str, str], login: str = "octocat") -> str:
    response = await client.post("/v1/assignments", json=assignment_body(login), headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _move(sessionmaker: Sessions, assignment_id: str, *statuses: AssignmentStatus) -> None:
    async with session_scope(sessionmaker) as session:
        assignment = await session.get_one(Assignment, assignment_id)
        for status in statuses:
            await change_status(session, assignment, status)


async def test_get_shows_status_timeline_and_links(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    assignment_id = await _create(api_client, auth_headers)
    await _move(sessionmaker, assignment_id, AssignmentStatus.PROVISIONING, AssignmentStatus.INVITED)
    async with session_scope(sessionmaker) as session:
        assignment = await session.get_one(Assignment, assignment_id)
        assignment.repo_html_url = "https://github.com/acme/test-sample-octocat"

    response = await api_client.get(f"/v1/assignments/{assignment_id}", headers=auth_headers)
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["status"], data["version"]) == ("invited", 3)
    assert data["repo_url"] == "https://github.com/acme/test-sample-octocat"
    assert (data["pr_url"], data["score"]) == (None, None)
    assert [(e["kind"], e["from_status"], e["to_status"], e["version"]) for e in data["timeline"]] == [
        ("assignment.requested", None, "requested", 1),
        ("assignment.provisioning", "requested", "provisioning", 2),
        ("assignment.invited", "provisioning", "invited", 3),
    ]


@pytest.mark.parametrize("missing", ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "x" * 300])
async def test_unknown_id_is_404(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], missing: str
) -> None:
    for method, path in (
        ("GET", f"/v1/assignments/{missing}"),
        ("POST", f"/v1/assignments/{missing}/cancel"),
    ):
        response = await api_client.request(method, path, headers=auth_headers)
        assert response.status_code == 404, response.text
        assert response.json() == {"error": {"code": "not_found", "message": "assignment not found"}}


async def test_list_filters_and_pages_without_gaps_or_repeats(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], sessionmaker: Sessions
) -> None:
    ids = [await _create(api_client, auth_headers, f"cand-{n}") for n in range(7)]
    for assignment_id in ids[:3]:
        await _move(sessionmaker, assignment_id, AssignmentStatus.CANCELLED)

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, str | int] = {"limit": 3}
        if cursor:
            params["cursor"] = cursor
        response = await api_client.get("/v1/assignments", params=params, headers=auth_headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert "timeline" not in page["items"][0] or page["items"][0]["timeline"] is None
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == list(reversed(ids))  # newest first, each exactly once

    response = await api_client.get("/v1/assignments", params={"status": "cancelled"}, headers=auth_headers)
    assert {item["id"] for item in response.json()["items"]} == set(ids[:3])
    response = await api_client.get(
        "/v1/assignments", params=[("status", "cancelled"), ("status", "requested")], headers=auth_headers
    )
    assert len(response.json()["items"]) == 7


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 101}, "query.limit"),
        ({"limit": 0}, "query.limit"),
        ({"status": "done"}, "query.status.0"),
        ({"cursor": "garbage!"}, "query.cursor"),
        ({"cursor": "WyJub3QgYSBkYXRlIiwgMV0"}, "query.cursor"),
    ],
)
async def test_bad_list_parameters_are_422(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str], params: dict[str, str | int], field: str
) -> None:
    response = await api_client.get("/v1/assignments", params=params, headers=auth_headers)
    assert response.status_code == 422, response.text
    assert [f["field"] for f in response.json()["error"]["fields"]] == [field]


async def test_cancel_moves_to_cancelled_with_reason(
    api_client: httpx.AsyncClient, auth_headers: dict[str, str]
) -> None:
    assignment_id = await _create(api_client, auth_headers)
    response = await api_client.post(
        f"/v1/assignments/{assignment_id}/cancel", json={"reason": "position filled"}, headers=auth_headers
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["status"], data["version"]) == ("cancelled", 2)
    assert data["timeline"][-1]["detail"] == {"reason": "position filled"}

    again = await api_client.post(f"/v1/assignments/{assignment_id}/cancel", headers=auth_headers)
    assert again.status_code == 409, again.text
    assert again.json()["error"] == {
        "code": "illegal_transition",
        "message": "assignment cannot be cancelled: cannot go from cancelled to cancelled: it is final",
    }


async def test_cancel_without_body(api_client: httpx.AsyncClient, auth_headers: dict[str, str]) -> None:
    assignment_id = await _create(api_client, auth_headers)
    response = await api_client.post(f"/v1/assignments/{assignment_id}/cancel", headers=auth_headers)
    assert response.status_code == 200, response.text
    assert response.json()["timeline"][-1]["detail"] == {}
