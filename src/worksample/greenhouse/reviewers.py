"""An organisation's default reviewers: who reviews assignments whose requester names nobody.

Greenhouse's "Send Test" knows the candidate, not our reviewers, so each organisation keeps a
list, each entry for every artifact (``artifact_ids`` null) or for some. For one artifact the
entries naming it replace the catch-all entries of the same login; the lead engineer comes first.
Stored as JSON on ``organizations.default_reviewers``; set with
``PUT /v1/organization/default-reviewers``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

from worksample.api.schemas import Login, ReviewerIn
from worksample.artifacts.catalog import Catalog
from worksample.assignments import ReviewerRole

MAX_DEFAULT_REVIEWERS = 50
ArtifactId = Annotated[str, StringConstraints(min_length=1, max_length=64)]
_ROLE_ORDER = {ReviewerRole.LEAD: 0, ReviewerRole.ENGINEER: 1, ReviewerRole.OBSERVER: 2}


class NoDefaultReviewers(ValueError):
    """The organisation's defaults give no usable reviewer list for an artifact."""


class DefaultReviewer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    login: Login
    role: ReviewerRole
    # Omitted: the organisation's scoring policy gives the role's weight, as on the API.
    weight: float | None = Field(default=None, ge=0, le=100)
    # null: every artifact.
    artifact_ids: list[ArtifactId] | None = Field(default=None, min_length=1, max_length=50)

    @model_validator(mode="after")
    def _weight_for_role(self) -> DefaultReviewer:
        # The same rules as a reviewer given on the API, so a default can never be refused later.
        ReviewerIn(login=self.login, role=self.role, weight=self.weight)
        return self


class DefaultReviewers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reviewers: list[DefaultReviewer] = Field(max_length=MAX_DEFAULT_REVIEWERS)

    @model_validator(mode="after")
    def _one_entry_per_scope(self) -> DefaultReviewers:
        seen: set[tuple[str, str | None]] = set()
        for entry in self.reviewers:
            scopes: list[str | None] = list(entry.artifact_ids) if entry.artifact_ids else [None]
            for scope in scopes:
                key = (entry.login.lower(), scope)
                if key in seen:
                    where = f"artifact {scope!r}" if scope else "all artifacts"
                    raise ValueError(f"{entry.login!r} is listed twice for {where}")
                seen.add(key)
        return self


def reviewers_for(stored: list[dict[str, Any]] | None, artifact_id: str) -> list[ReviewerIn]:
    """The reviewers of a new assignment of ``artifact_id``, lead first (raises NoDefaultReviewers)."""
    try:
        entries = DefaultReviewers.model_validate({"reviewers": stored or []}).reviewers
    except ValidationError as exc:
        # Only reachable if the stored JSON was edited by hand: say so rather than fail obscurely.
        raise NoDefaultReviewers(
            f"the stored default reviewers are invalid: {exc.errors()[0]['msg']}"
        ) from None
    chosen: dict[str, DefaultReviewer] = {}
    for entry in entries:
        if entry.artifact_ids is None:
            chosen.setdefault(entry.login.lower(), entry)
    for entry in entries:
        if entry.artifact_ids is not None and artifact_id in entry.artifact_ids:
            chosen[entry.login.lower()] = entry
    ordered = sorted(chosen.values(), key=lambda e: _ROLE_ORDER[e.role])
    leads = [e.login for e in ordered if e.role is ReviewerRole.LEAD]
    if len(leads) != 1:
        found = f"{len(leads)} ({', '.join(leads)})" if leads else "none"
        raise NoDefaultReviewers(
            f"the organization's default reviewers for {artifact_id!r} need exactly one lead engineer, "
            f"found {found}; set them with PUT /v1/organization/default-reviewers"
        )
    return [ReviewerIn(login=e.login, role=e.role, weight=e.weight) for e in ordered]


def check_against_catalog(defaults: DefaultReviewers, catalog: Catalog) -> dict[str, str]:
    """Field errors (dotted path → message) for unknown artifacts and artifacts left without a lead."""
    errors: dict[str, str] = {}
    for index, entry in enumerate(defaults.reviewers):
        for artifact_id in entry.artifact_ids or []:
            if artifact_id not in catalog:
                errors[f"body.reviewers.{index}.artifact_ids"] = f"unknown artifact {artifact_id!r}"
    if errors:
        return errors
    stored = [entry.model_dump(mode="json") for entry in defaults.reviewers]
    for artifact_id in catalog.ids():
        applies = any(e.artifact_ids is None or artifact_id in e.artifact_ids for e in defaults.reviewers)
        if not applies:
            continue
        try:
            reviewers_for(stored, artifact_id)
        except NoDefaultReviewers as exc:
            errors["body.reviewers"] = str(exc)
            break
    return errors
