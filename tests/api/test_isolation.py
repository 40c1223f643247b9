"""A key sees and changes only its own organisation's assignments; other ids are 404, never 403."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.api.bodies import assignment_body
from tests.conftest import make_api_key
from worksample.db.models import Assignment

Sessions = async_sessionmaker[AsyncSession]


async def test_keys_are_scoped_to_their_organization(
    api_client: httpx.AsyncClient, sessionmaker: Sessions
) -> None:
    acme = {"Authorization": f"Bearer {await make_api_key(sessionmaker, 'acme')}"}
    globex = {"Authorization": f"Bearer {await make_api_key(sessionmaker, 'globex')}"}
    # A second key of acme sees what the first created.
    acme_too = {"Authorization": f"Bearer {await make_api_key(sessionmaker, 'ACME')}"}

    created = await api_client.post("/v1/assignments", json=assignment_body(), headers=acme)
    assert created.status_code == 201
    acme_id = created.json()["id"]
    created = await api_client.post("/v1/assignments", json=assignment_body("hubot"), headers=globex)
    globex_id = created.json()["id"]

    # Reading: own id 200, the other's 404 with the same body as a made-up id.
    assert (await api_client.get(f"/v1/assignments/{acme_id}", headers=acme_too)).status_code == 200
    foreign = await api_client.get(f"/v1/assignments/{globex_id}", headers=acme)
    made_up = await api_client.get("/v1/assignments/00000000-0000-4000-8000-000000000000", headers=acme)
    assert foreign.status_code == made_up.status_code == 404
    assert foreign.json() == made_up.json()
    assert (await api_client.get(f"/v1/assignments/{acme_id}", headers=globex)).status_code == 404

    # Listing: only one's own, also when filtering.
    listed = await api_client.get("/v1/assignments", headers=acme)
    assert [a["id"] for a in listed.json()["items"]] == [acme_id]
    listed = await api_client.get("/v1/assignments", params={"status": "requested"}, headers=globex)
    assert [a["id"] for a in listed.json()["items"]] == [globex_id]

    # Changing: cancelling the other's assignment is 404 and changes nothing.
    response = await api_client.post(f"/v1/assignments/{globex_id}/cancel", headers=acme)
    assert response.status_code == 404
    async with sessionmaker() as session:
        assert (await session.get_one(Assignment, globex_id)).status == "requested"

    # A cursor from one organisation's list does not open the other's.
    for n in range(3):
        await api_client.post("/v1/assignments", json=assignment_body(f"acme-cand-{n}"), headers=acme)
    page = (await api_client.get("/v1/assignments", params={"limit": 1}, headers=acme)).json()
    other = await api_client.get("/v1/assignments", params={"cursor": page["next_cursor"]}, headers=globex)
    assert [a["id"] for a in other.json()["items"]] == [globex_id]


async def test_same_idempotency_key_in_two_organizations_are_two_requests(
    api_client: httpx.AsyncClient, sessionmaker: Sessions
) -> None:
    acme = {"Authorization": f"Bearer {await make_api_key(sessionmaker, 'acme')}", "Idempotency-Key": "k-1"}
    globex = {
        "Authorization": f"Bearer {await make_api_key(sessionmaker, 'globex')}",
        "Idempotency-Key": "k-1",
    }
    first = await api_client.post("/v1/assignments", json=assignment_body(), headers=acme)
    second = await api_client.post("/v1/assignments", json=assignment_body(), headers=globex)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert "idempotent-replayed" not in second.headers
