"""Request and response bodies of the recruiter/ATS API (what OpenAPI at ``/docs`` shows).

Checks that need nothing but the request live here, so they come back as field-level 422s
together; checks that need the catalog or GitHub happen in the route.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from worksample.api.keys import GITHUB_LOGIN
from worksample.assignments import AssignmentStatus, ReviewerRole

# Keys look like "greenhouse_application_id"; values are the ATS's own ids.
ExternalIdKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_.-]{0,63}$")]
ExternalIdValue = Annotated[str, StringConstraints(min_length=1, max_length=200)]
# A pragmatic shape check, not RFC 5322: the address is only shown back to the recruiter and the ATS.
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
MAX_REVIEWERS = 10
MAX_TIME_LIMIT_HOURS = 24 * 30


def _check_login(value: str) -> str:
    if not GITHUB_LOGIN.fullmatch(value):
        raise ValueError(
            "not a GitHub login (letters, digits and single inner hyphens, at most 39 characters)"
        )
    return value


Login = Annotated[str, StringConstraints(min_length=1, max_length=39), AfterValidator(_check_login)]


def _nul_path(value: Any, path: str) -> str | None:
    """Where in a raw JSON value a string holds a NUL character, if anywhere."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            found = _nul_path(key, f"{path}.{key!r}") or _nul_path(item, f"{path}.{key}")
            if found:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item, f"{path}[{index}]")
            if found:
                return found
    return None


class _Input(BaseModel):
    # Unknown fields are refused: a misspelt "deadine" must not be silently ignored.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul(cls, data: Any) -> Any:
        # PostgreSQL text cannot hold NUL: refuse it anywhere in the body as a 422 naming the
        # field, instead of a 500 from the database after the checks have passed.
        where = _nul_path(data, "body")
        if where:
            raise ValueError(f"{where} must not contain NUL characters")
        return data


class CandidateIn(_Input):
    # Without a login, the candidate is e-mailed an invitation link and signs in with GitHub there
    # (worksample.invitations); provisioning starts once GitHub has told us who they are.
    login: Login | None = None
    name: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    email: Annotated[str, StringConstraints(max_length=320)] | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.fullmatch(value):
            raise ValueError("not an e-mail address")
        return value

    @model_validator(mode="after")
    def _login_or_email(self) -> CandidateIn:
        if self.login is None and self.email is None:
            raise ValueError("give the candidate's GitHub login, or their email to send an invitation link")
        return self


class ReviewerIn(_Input):
    login: Login
    role: ReviewerRole
    # Omitted: the organisation's scoring policy gives the role's weight (the lead engineer's is
    # the largest by default; observers watch and do not score, so theirs is 0).
    weight: float | None = Field(default=None, ge=0, le=100)

    @model_validator(mode="after")
    def _weight_for_role(self) -> ReviewerIn:
        if self.weight is None:
            return self
        if self.role is ReviewerRole.OBSERVER and self.weight != 0:
            raise ValueError("an observer does not score: weight must be 0")
        if self.role is not ReviewerRole.OBSERVER and self.weight == 0:
            raise ValueError(f"a {self.role.value} scores: weight must be greater than 0")
        return self


class AssignmentCreate(_Input):
    candidate: CandidateIn
    artifact_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    variables: dict[Annotated[str, StringConstraints(max_length=64)], str | int] = Field(
        default_factory=dict, max_length=50
    )
    reviewers: list[ReviewerIn] = Field(min_length=1, max_length=MAX_REVIEWERS)
    # Either a deadline or a time limit; with neither, the artifact's own time limit applies.
    deadline: AwareDatetime | None = None
    time_limit_hours: int | None = Field(default=None, ge=1, le=MAX_TIME_LIMIT_HOURS)
    external_ids: dict[ExternalIdKey, ExternalIdValue] = Field(default_factory=dict, max_length=20)

    @field_validator("reviewers")
    @classmethod
    def _reviewers(cls, reviewers: list[ReviewerIn]) -> list[ReviewerIn]:
        if reviewers and reviewers[0].role is not ReviewerRole.LEAD:
            raise ValueError("the first reviewer must be the lead engineer (role 'lead')")
        leads = [r.login for r in reviewers if r.role is ReviewerRole.LEAD]
        if len(leads) > 1:
            raise ValueError(f"exactly one lead engineer, got {len(leads)}: {', '.join(leads)}")
        seen: set[str] = set()
        for reviewer in reviewers:
            key = reviewer.login.lower()
            if key in seen:
                raise ValueError(f"{reviewer.login!r} is listed twice (GitHub logins ignore case)")
            seen.add(key)
        return reviewers


class CancelRequest(_Input):
    reason: Annotated[str, StringConstraints(min_length=1, max_length=500)] | None = None


class CandidateOut(BaseModel):
    # null until a candidate invited by e-mail has signed in with GitHub.
    login: str | None
    github_id: int | None
    name: str | None
    email: str | None


class ReviewerOut(BaseModel):
    login: str
    github_id: int | None
    role: ReviewerRole
    weight: float


class TimelineEntryOut(BaseModel):
    at: datetime
    kind: str
    from_status: AssignmentStatus | None
    to_status: AssignmentStatus | None
    version: int | None
    detail: dict[str, Any]


class AssignmentOut(BaseModel):
    id: str
    status: AssignmentStatus
    # Grows on every change of status: order ATS updates by it.
    version: int
    failure_reason: str | None
    candidate: CandidateOut
    artifact_id: str
    variables: dict[str, Any]
    deadline: datetime | None
    time_limit_hours: int | None
    external_ids: dict[str, str]
    reviewers: list[ReviewerOut]
    repo_url: str | None
    pr_url: str | None
    score: float | None
    created_at: datetime
    updated_at: datetime
    # Only on GET /v1/assignments/{id} and on creation; lists leave it out.
    timeline: list[TimelineEntryOut] | None = None


class AssignmentPage(BaseModel):
    items: list[AssignmentOut]
    # Pass as ?cursor= to get the next page; null on the last page.
    next_cursor: str | None


class VariableOut(BaseModel):
    type: str
    default: str | int
    description: str
    max_length: int


class CriterionOut(BaseModel):
    id: str
    title: str
    weight: float
    required: bool


class ArtifactOut(BaseModel):
    id: str
    title: str
    profile: str
    summary: str
    time_limit_hours: int
    variables: dict[str, VariableOut]
    # The criteria reviewers score; the anchors (what each level looks like) stay reviewer-only.
    rubric: list[CriterionOut]
