"""Migration 0007 fills in ``github_deliveries.repository_id`` from the bodies already stored, so
an erasure after the upgrade finds the webhook bodies received before it."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.db.test_migrations import empty_engine  # noqa: F401 - the fixture, on SQLite and PostgreSQL
from worksample.db import migrate

BODIES = {
    "with-repo": json.dumps({"action": "opened", "repository": {"id": 4242, "name": "r"}, "x": "\u0000"}),
    "no-repo": json.dumps({"action": "created", "installation": {"id": 1}}),
    "odd-repo": json.dumps({"repository": {"id": "not a number"}}),
}


async def test_repository_ids_are_filled_in_from_stored_bodies(empty_engine: AsyncEngine) -> None:  # noqa: F811
    await migrate.upgrade(empty_engine, "0006")
    async with empty_engine.begin() as connection:
        for delivery_id, body in BODIES.items():
            await connection.execute(
                text(
                    "INSERT INTO github_deliveries (delivery_id, event, body, received_at, attempts) "
                    "VALUES (:d, 'pull_request', :b, CURRENT_TIMESTAMP, 0)"
                ),
                {"d": delivery_id, "b": body},
            )
    await migrate.upgrade(empty_engine)
    async with empty_engine.connect() as connection:
        rows = dict(
            (await connection.execute(text("SELECT delivery_id, repository_id FROM github_deliveries"))).all()
        )
    assert rows == {"with-repo": 4242, "no-repo": None, "odd-repo": None}
