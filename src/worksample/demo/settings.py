"""The service's ``Settings`` for the demo, built from nothing but the demo's own choices.

The environment is ignored on purpose: a ``WORKSAMPLE_DATABASE_URL`` pointing at a real database
must never receive demo rows, and the demo must behave the same on every machine.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from worksample.config import Settings
from worksample.demo.world import DemoWorld


class DemoSettings(Settings):
    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def demo_settings(
    *,
    database_url: str,
    redis_url: str,
    queue_name: str,
    api_url: str,
    github_url: str,
    artifacts_dir: Path,
    world: DemoWorld,
) -> Settings:
    return DemoSettings(
        database_url=database_url,
        redis_url=redis_url,
        queue_name=queue_name,
        public_url=api_url,
        github_api_url=github_url,
        github_web_url=github_url,
        github_app_id=world.app_id,
        github_app_slug=world.app_slug,
        github_private_key=SecretStr(world.private_key),
        github_webhook_secret=SecretStr(world.webhook_secret),
        github_client_id=world.client_id,
        github_client_secret=SecretStr(world.client_secret),
        artifacts_dir=artifacts_dir,
        sandbox=True,
        # Real GitHub wants a second between writes; the simulator does not, and the demo should
        # take seconds. Pacing itself is covered by the github package's tests.
        github_write_interval_seconds=0,
        # The demo's ATS receiver listens on 127.0.0.1, which the SSRF guard refuses by default.
        outbox_allowed_networks=("127.0.0.1/32",),
        outbox_retry_schedule_seconds=(0, 0.5, 1, 2),
        outbox_retry_jitter=0,
    )
