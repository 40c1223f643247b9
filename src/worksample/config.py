"""The one typed Settings object: the only place that reads the environment.

Nothing in the package reads ``os.environ`` at import time (STYLE.md habit 5); processes build a
``Settings`` at start-up and hand it on through the FastAPI lifespan or the arq ``ctx``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, IPvAnyNetwork, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_ARTIFACTS_DIR = REPO_ROOT / "artifacts"

# Values people paste from examples; start-up refuses them outside the sandbox.
PLACEHOLDERS = frozenset({"", "changeme", "change-me", "secret", "xxx", "todo", "placeholder"})
# Encrypts stored secrets in sandbox mode when no key is configured. Public, so it protects
# nothing: the simulator's data is made up, and every process of a sandbox must read what the
# others stored (a key generated per process could not).
SANDBOX_SECRET_KEY = "worksample-sandbox-only-this-key-is-public-0000"  # noqa: S105 - public by design
MIN_SECRET_KEY_LENGTH = 32


class ConfigError(RuntimeError):
    """Start-up configuration is missing or unusable; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="WORKSAMPLE_", extra="ignore")

    database_url: str = "sqlite+aiosqlite:///./worksample.db"
    redis_url: str = "redis://127.0.0.1:6379/0"
    # The arq queue the API enqueues on and the worker reads; tests use a unique one each.
    queue_name: str = Field(default="arq:queue", min_length=1)
    # Where the service is reachable from outside (links in comments, invitation e-mails, OAuth callbacks).
    public_url: str = "http://127.0.0.1:8000"

    github_api_url: str = "https://api.github.com"
    # The browser-facing GitHub (OAuth authorize page); the simulator serves both from one origin.
    github_web_url: str = "https://github.com"
    github_app_id: int | None = None
    github_app_slug: str | None = None
    github_private_key: SecretStr | None = None
    github_private_key_path: Path | None = None
    github_webhook_secret: SecretStr | None = None
    # Accepted as well during a secret rotation, so deliveries signed with the old secret are not lost.
    github_webhook_secret_previous: SecretStr | None = None
    github_client_id: str | None = None
    github_client_secret: SecretStr | None = None
    # GitHub asks integrators to leave at least one second between mutative requests.
    github_write_interval_seconds: float = Field(default=1.0, ge=0)
    # Processed GitHub webhook deliveries (each keeps its body, up to 25 MB) are deleted this long
    # after processing. At least GitHub's 3-day redelivery window: the kept row is what makes a
    # redelivery of a processed delivery a duplicate instead of processing it again.
    github_delivery_retention_days: float = Field(default=7, ge=3, allow_inf_nan=False)

    artifacts_dir: Path = DEFAULT_ARTIFACTS_DIR

    # Largest request body the API reads; an assignment request is a few kilobytes.
    max_request_body_bytes: int = Field(default=64 * 1024, ge=1024)
    # How long an Idempotency-Key is remembered: a retry within it gets the first answer, after it
    # the key is free for a new request. Stripe's 24 h: an ATS retries within minutes or hours, and
    # records kept for ever would make the table grow with every request.
    idempotency_retention_hours: float = Field(default=24, gt=0, allow_inf_nan=False)

    # True when talking to worksample's own GitHub simulator: secrets may then be generated.
    sandbox: bool = False

    # Outgoing ATS webhooks (worksample.outbox). Delay before each attempt, from the previous one:
    # Svix's schedule; tests inject a short one (e.g. WORKSAMPLE_OUTBOX_RETRY_SCHEDULE_SECONDS='[0,0.1,0.2]').
    outbox_retry_schedule_seconds: tuple[Annotated[float, Field(ge=0, allow_inf_nan=False)], ...] = Field(
        default=(0, 5, 300, 1800, 7200, 18000, 36000, 36000), min_length=1
    )
    outbox_retry_jitter: float = Field(default=0.2, ge=0, lt=1)
    outbox_retry_after_cap_seconds: float = Field(default=36000, ge=0, allow_inf_nan=False)
    # An endpoint whose every attempt failed for this long is disabled.
    outbox_disable_after_days: float = Field(default=5, gt=0, allow_inf_nan=False)
    # Whole attempt (DNS, connect, send, read), and the connect phase alone.
    outbox_timeout_seconds: float = Field(default=15, gt=0, allow_inf_nan=False)
    outbox_connect_timeout_seconds: float = Field(default=5, gt=0, allow_inf_nan=False)
    # SSRF guard: deliveries to loopback, private, link-local... addresses are refused unless all are
    # allowed (local development) or the address is in one of these networks (tests: 127.0.0.1/32).
    outbox_allow_private_networks: bool = False
    outbox_allowed_networks: tuple[IPvAnyNetwork, ...] = ()
    # After a secret rotation the old secret keeps signing (a second signature) this long, so the
    # ATS can switch over without dropping a delivery. A rotation request may ask for another window.
    outbox_rotation_window_hours: float = Field(default=24, ge=0, le=24 * 30, allow_inf_nan=False)
    # A claimed delivery's lease outlives the attempt's timeout by this much; after it, a delivery
    # whose worker died is claimed again (tests shorten it to see that happen in seconds).
    outbox_lease_margin_seconds: float = Field(default=30, ge=0, allow_inf_nan=False)
    # Deliveries the dispatcher claims per run (every second).
    outbox_dispatch_batch: int = Field(default=100, ge=1, le=10_000)
    # ATS events none of whose deliveries is pending or in flight are deleted this long after they
    # were raised, with their deliveries and attempt logs: redeliver and recover reach back this
    # far. Longer than outbox_disable_after_days, so the disabling rule sees a whole failing run.
    outbox_retention_days: float = Field(default=30, gt=0, allow_inf_nan=False)

    # Encrypts the secrets stored in the database (ATS endpoint signing secrets, Greenhouse's API
    # key until its completion call): random strings of 32+ characters, comma-separated (`worksample
    # app create` writes one; or `python -c 'import secrets; print(secrets.token_urlsafe(32))'`).
    # The first encrypts, all decrypt: to rotate, put a new key first and keep the old one after it.
    secret_keys: Annotated[tuple[SecretStr, ...], NoDecode] = ()

    # Sign-in with GitHub (worksample.auth) and candidate invitations by e-mail (issue 8).
    # Signs session and OAuth-state cookies; generated per process in sandbox mode when unset.
    session_secret: SecretStr | None = None
    session_max_age_seconds: int = Field(default=8 * 3600, ge=60)
    invitation_ttl_hours: int = Field(default=7 * 24, ge=1, le=90 * 24)
    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(default=25, ge=1, le=65535)
    # none (plain, local relay) | starttls | tls (implicit TLS, usually port 465)
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: str = "worksample <worksample@localhost>"
    smtp_timeout_seconds: float = Field(default=10, gt=0, allow_inf_nan=False)

    # Assignment lifecycle (worksample.lifecycle): reminders before the deadline, invitations
    # re-issued before GitHub's seven-day expiry, the tag marking the work at the deadline, how long
    # a finished assignment's repository and the candidate's personal data are kept.
    reminder_offsets_hours: tuple[Annotated[float, Field(gt=0, allow_inf_nan=False)], ...] = (24, 2)
    reinvite_after_hours: float = Field(default=144, gt=0, lt=168, allow_inf_nan=False)
    max_reinvites: int = Field(default=3, ge=0)
    deadline_tag: str = Field(default="submission-deadline", pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
    retention_days: float = Field(default=90, gt=0, allow_inf_nan=False)
    # How long a scored repository stays open for more reviews (a second reviewer, an edited or
    # dismissed scorecard) before it is archived; GitHub refuses reviews on archived repositories.
    archive_after_scored_hours: float = Field(default=168, ge=0, allow_inf_nan=False)
    # A claimed timer whose worker died is taken over after this long.
    lifecycle_lease_seconds: float = Field(default=600, gt=0, allow_inf_nan=False)

    @model_validator(mode="after")
    def _load_private_key_file(self) -> Settings:
        if self.github_private_key is None and self.github_private_key_path is not None:
            try:
                self.github_private_key = SecretStr(self.github_private_key_path.read_text())
            except OSError as exc:
                raise ValueError(
                    f"WORKSAMPLE_GITHUB_PRIVATE_KEY_PATH: cannot read {self.github_private_key_path}: {exc}"
                ) from exc
        return self

    @model_validator(mode="after")
    def _outbox_retention_outlasts_disabling(self) -> Settings:
        if self.outbox_retention_days <= self.outbox_disable_after_days:
            raise ValueError(
                "WORKSAMPLE_OUTBOX_RETENTION_DAYS must be more than WORKSAMPLE_OUTBOX_DISABLE_AFTER_DAYS: "
                "deleting attempts of a failing run would hide it from the rule that disables the endpoint"
            )
        return self

    @field_validator("secret_keys", mode="before")
    @classmethod
    def _split_secret_keys(cls, value: object) -> object:
        # Comma-separated rather than JSON: a .env file cannot hold the quotes of a JSON list.
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @model_validator(mode="after")
    def _check_secret_keys(self) -> Settings:
        for key in self.secret_keys:
            value = key.get_secret_value()
            if value.strip().lower() not in PLACEHOLDERS and len(value) < MIN_SECRET_KEY_LENGTH:
                raise ValueError(
                    f"WORKSAMPLE_SECRET_KEYS: each key needs {MIN_SECRET_KEY_LENGTH}+ random characters"
                )
        return self

    def at_rest_keys(self) -> tuple[str, ...]:
        """The keys encrypting stored secrets (``worksample.db.encryption``), newest first; the
        public sandbox key when none is set in sandbox mode, none otherwise (start-up refuses)."""
        keys = tuple(k.get_secret_value() for k in self.secret_keys)
        if not keys and self.sandbox:
            return (SANDBOX_SECRET_KEY,)
        return keys

    def require_production_secrets(self) -> None:
        """Refuse to start against real GitHub without real credentials, naming what is missing."""
        if self.sandbox:
            return
        missing: list[str] = []
        if self.github_app_id is None:
            missing.append("WORKSAMPLE_GITHUB_APP_ID")
        key = self.github_private_key.get_secret_value() if self.github_private_key else ""
        if key.strip().lower() in PLACEHOLDERS or "PRIVATE KEY" not in key:
            missing.append("WORKSAMPLE_GITHUB_PRIVATE_KEY (or WORKSAMPLE_GITHUB_PRIVATE_KEY_PATH)")
        secret = self.github_webhook_secret.get_secret_value() if self.github_webhook_secret else ""
        if secret.strip().lower() in PLACEHOLDERS:
            missing.append("WORKSAMPLE_GITHUB_WEBHOOK_SECRET")
        keys = [k.get_secret_value().strip().lower() for k in self.secret_keys]
        if not keys or any(k in PLACEHOLDERS or k == SANDBOX_SECRET_KEY for k in keys):
            missing.append("WORKSAMPLE_SECRET_KEYS")
        if missing:
            raise ConfigError(
                "missing or placeholder configuration: "
                + ", ".join(missing)
                + " (set them, or set WORKSAMPLE_SANDBOX=1 to run against the GitHub simulator)"
            )


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, for processes' start-up; bad values raise ``ConfigError``
    naming the variable, instead of pydantic's multi-line report."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["loc"]:
                # Whole-object checks (the private key file) name their variable themselves.
                variable = "WORKSAMPLE_" + "_".join(str(part) for part in error["loc"]).upper()
                message = f"{variable}: {message}"
            problems.append(message)
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
