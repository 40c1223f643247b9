"""Endpoint signing secrets are stored encrypted, still sign every delivery, and survive a rotation
of the encryption keys; start-up refuses to run outside the sandbox without a real key."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from tests.outbox.ats import create_endpoint, received_events, running_worker, verified, wait_for
from tests.outbox.receiver import Receiver
from tests.support.world import GitHubWorld
from worksample.config import SANDBOX_SECRET_KEY, ConfigError, Settings
from worksample.db.encryption import Purpose, SecretBox
from worksample.db.session import create_engine

OLD_KEY = "old-key-" + "o" * 40
NEW_KEY = "new-key-" + "n" * 40


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The service of these tests encrypts with OLD_KEY (a configured key, not the sandbox's)."""
    return settings.model_copy(update={"secret_keys": (SecretStr(OLD_KEY),)})


@pytest.fixture
async def engine(world_settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(world_settings)
    try:
        yield engine
    finally:
        await engine.dispose()


async def stored_secrets(engine: AsyncEngine, endpoint_id: str) -> tuple[str, str | None]:
    """The raw column values, as a database dump would show them."""
    async with engine.connect() as connection:
        row = (
            await connection.execute(
                text("SELECT secret, previous_secret FROM webhook_endpoints WHERE id = :id"),
                {"id": endpoint_id},
            )
        ).one()
    return row[0], row[1]


async def test_the_database_holds_no_plain_secret_and_both_still_sign(
    service_on_world: httpx.AsyncClient, ats: Receiver, outbox_worker: None, engine: AsyncEngine
) -> None:
    client = service_on_world
    endpoint = await create_endpoint(client, f"{ats.base_url}/ok")
    old = endpoint["secret"]
    rotated = await client.post(f"/v1/endpoints/{endpoint['id']}/rotate-secret")
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]

    stored, stored_previous = await stored_secrets(engine, endpoint["id"])
    assert stored_previous is not None
    for raw in (stored, stored_previous):
        assert "whsec_" not in raw
        assert old.removeprefix("whsec_") not in raw
        assert new.removeprefix("whsec_") not in raw
    box = SecretBox([OLD_KEY], Purpose.ENDPOINT_SECRET)
    assert (box.open(stored), box.open(stored_previous)) == (new, old)
    # Sealed for endpoints only: the same key opens nothing under another purpose's key.
    assert not SecretBox([OLD_KEY], Purpose.GREENHOUSE_KEY).can_open(stored)

    await client.post(f"/v1/endpoints/{endpoint['id']}/test")
    (received,) = await wait_for(lambda: received_events(ats, "/ok"), what="the test event")
    assert verified(received, new) == verified(received, old)


async def test_rows_sealed_with_the_old_key_still_sign_after_the_keys_rotate(
    service_on_world: httpx.AsyncClient,
    ats: Receiver,
    world_settings: Settings,
    github_world: GitHubWorld,
    engine: AsyncEngine,
) -> None:
    endpoint = await create_endpoint(service_on_world, f"{ats.base_url}/ok")
    # The worker now runs with a new key first and the old one after it.
    rotated = world_settings.model_copy(update={"secret_keys": (SecretStr(NEW_KEY), SecretStr(OLD_KEY))})
    async with running_worker(rotated, github_world.transport):
        await service_on_world.post(f"/v1/endpoints/{endpoint['id']}/test")
        (received,) = await wait_for(lambda: received_events(ats, "/ok"), what="the test event")
    verified(received, endpoint["secret"])

    stored, _ = await stored_secrets(engine, endpoint["id"])
    both = SecretBox([NEW_KEY, OLD_KEY], Purpose.ENDPOINT_SECRET)
    resealed = both.reseal(stored)
    # Resealed with the new key alone: the old one can then be dropped from the configuration.
    assert SecretBox([NEW_KEY], Purpose.ENDPOINT_SECRET).open(resealed) == endpoint["secret"]
    assert not SecretBox([OLD_KEY], Purpose.ENDPOINT_SECRET).can_open(both.seal("whsec_x"))


@pytest.mark.parametrize(
    ("keys", "refused"),
    [((), True), (("changeme",), True), ((SANDBOX_SECRET_KEY,), True), ((NEW_KEY,), False)],
)
def test_start_up_outside_the_sandbox_needs_a_real_key(keys: tuple[str, ...], refused: bool) -> None:
    settings = Settings(
        _env_file=None,
        github_app_id=1,
        github_private_key=SecretStr("-----BEGIN RSA PRIVATE KEY-----\nx\n-----END RSA PRIVATE KEY-----"),
        github_webhook_secret=SecretStr("s" * 32),
        secret_keys=tuple(SecretStr(k) for k in keys),
    )
    if not refused:
        settings.require_production_secrets()
        return
    with pytest.raises(ConfigError, match="WORKSAMPLE_SECRET_KEYS"):
        settings.require_production_secrets()


def test_the_sandbox_runs_without_a_key_and_every_process_shares_its_public_one() -> None:
    settings = Settings(_env_file=None, sandbox=True)
    settings.require_production_secrets()
    assert settings.at_rest_keys() == (SANDBOX_SECRET_KEY,)
