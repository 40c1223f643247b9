"""Greenhouse's API key is stored encrypted until its completion PATCH, which still authenticates
with it; and the migration seals what an older release stored in plain text."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from tests.greenhouse.conftest import FakeGreenhouse, Service
from tests.greenhouse.test_completion import score, sent_test
from worksample.db import migrate
from worksample.db.encryption import Purpose, SecretBox
from worksample.db.session import create_engine, create_sessionmaker
from worksample.greenhouse import deliver_completions

BEFORE_ENCRYPTION = "0007"


@pytest.fixture
async def engine(greenhouse: Service) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(greenhouse.settings)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def db(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


async def raw(engine: AsyncEngine, query: str) -> list[str | None]:
    async with engine.connect() as connection:
        return [row[0] for row in (await connection.execute(text(query))).all()]


async def test_the_key_is_stored_encrypted_and_the_patch_still_carries_it(
    greenhouse: Service,
    fake_greenhouse: FakeGreenhouse,
    engine: AsyncEngine,
    db: async_sessionmaker[AsyncSession],
) -> None:
    interview_id = await sent_test(greenhouse, fake_greenhouse.url())
    (stored,) = await raw(engine, "SELECT callback_key FROM greenhouse_tests")
    assert stored is not None
    assert greenhouse.key not in stored
    box = SecretBox(greenhouse.settings.at_rest_keys(), Purpose.GREENHOUSE_KEY)
    assert box.open(stored) == greenhouse.key

    await score(db, interview_id)
    run = await deliver_completions(db, greenhouse.settings)
    assert run.delivered == 1
    assert fake_greenhouse.basic_key() == greenhouse.key
    # Delivered: the key is gone from the row altogether.
    assert await raw(engine, "SELECT callback_key FROM greenhouse_tests") == [None]


async def test_the_migration_seals_plain_rows_and_needs_the_keys_to_do_it(
    greenhouse: Service, fake_greenhouse: FakeGreenhouse, engine: AsyncEngine
) -> None:
    await sent_test(greenhouse, fake_greenhouse.url())
    created = await greenhouse.client.post(
        "/v1/endpoints",
        json={"url": "https://ats.example.com/hook"},
        headers={"Authorization": f"Bearer {greenhouse.key}"},
    )
    assert created.status_code == 201, created.text
    endpoint_secret = created.json()["secret"]
    keys = greenhouse.settings.at_rest_keys()
    plain = [greenhouse.key, endpoint_secret]
    queries = ["SELECT callback_key FROM greenhouse_tests", "SELECT secret FROM webhook_endpoints"]

    # The release before stored them as given (downgrading opens them again).
    await migrate.downgrade(engine, BEFORE_ENCRYPTION, secret_keys=keys)
    assert [(await raw(engine, q))[0] for q in queries] == plain

    # Without the keys the upgrade stops, naming the variable, and changes nothing.
    with pytest.raises(RuntimeError, match="WORKSAMPLE_SECRET_KEYS"):
        await migrate.upgrade(engine)
    assert await migrate.current_revision(engine) == BEFORE_ENCRYPTION
    assert [(await raw(engine, q))[0] for q in queries] == plain

    await migrate.upgrade(engine, secret_keys=keys)
    assert await migrate.current_revision(engine) == migrate.head_revision()
    sealed = [(await raw(engine, q))[0] for q in queries]
    assert all(value is not None and value not in plain for value in sealed)
    boxes = [SecretBox(keys, Purpose.GREENHOUSE_KEY), SecretBox(keys, Purpose.ENDPOINT_SECRET)]
    assert [box.open(value or "") for box, value in zip(boxes, sealed, strict=True)] == plain
    assert await migrate.schema_diff(engine) == []
