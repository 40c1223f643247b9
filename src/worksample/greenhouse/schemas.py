"""Greenhouse's Assessment Partner API bodies, as Greenhouse sends and expects them.

Lenient where Greenhouse may add fields over time (``extra="ignore"``), strict on what we use.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator

# The API's pragmatic shape check (api/schemas.py): the address only has to reach a mail server.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL: refuse it here as a 422 instead of failing in the database.
    if "\x00" in value:
        raise ValueError("must not contain NUL characters")
    return value


NoNul = AfterValidator(_no_nul)
Text200 = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), NoNul]
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NoNul]
# Our assignment ids (UUIDs); anything else cannot name one of our tests.
InterviewId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,64}$")]


class _Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class GreenhouseCandidate(_Body):
    first_name: Text200 | None = None
    last_name: Text200 | None = None
    preferred_name: Text200 | None = None
    email: Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320), NoNul]
    greenhouse_profile_url: Url | None = None
    resume_url: Url | None = None
    phone_number: Text200 | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str) -> str:
        if not _EMAIL.fullmatch(value):
            raise ValueError("not an e-mail address")
        return value

    def display_name(self) -> str | None:
        first = self.preferred_name or self.first_name
        name = " ".join(part for part in (first, self.last_name) if part)
        return name[:200] or None


class SendTestIn(_Body):
    partner_test_id: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), NoNul
    ]
    candidate: GreenhouseCandidate
    # Who pressed "Send Test" in Greenhouse: shown on the timeline, not trusted for anything.
    sent_by: Annotated[str, StringConstraints(strip_whitespace=True, max_length=320), NoNul] | None = None
    # Where the completion PATCH goes.
    url: Url

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.lower().startswith(("https://", "http://")):
            raise ValueError("must be an http(s) URL")
        return value


class ResponseErrorIn(_Body):
    api_call: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), NoNul]
    errors: list[Annotated[str, StringConstraints(max_length=2000), NoNul]] = Field(max_length=100)
    # Lenient: an id that is not ours is still recorded, just not linked to an assignment.
    partner_interview_id: Annotated[str, StringConstraints(max_length=64), NoNul] | None = None
    partner_test_id: Annotated[str, StringConstraints(max_length=64), NoNul] | None = None


class PartnerTestOut(BaseModel):
    partner_test_id: str
    partner_test_name: str


class SendTestOut(BaseModel):
    partner_interview_id: str


class PartnerStatusOut(BaseModel):
    partner_status: str
    partner_profile_url: str | None
    partner_score: float | None
    metadata: dict[str, Any] | None
