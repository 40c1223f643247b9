"""The trigger form as an API request, and the API's field errors back onto the form's fields.

The form is turned into the very ``AssignmentCreate`` body the API takes, and the API's own
checks (the schema, then ``check_request`` and the GitHub login lookup inside the create route)
decide; this module only translates names both ways.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from worksample.api.errors import FieldError
from worksample.api.schemas import AssignmentCreate

GENERAL = "form"


def form_to_body(form: Mapping[str, str]) -> dict[str, Any]:
    """The JSON body of ``POST /v1/assignments`` the form stands for (not yet validated)."""
    candidate = form.get("candidate", "").strip()
    person: dict[str, Any] = {"email": candidate} if "@" in candidate else {"login": candidate or None}
    if form.get("candidate_name", "").strip():
        person["name"] = form["candidate_name"].strip()
    reviewers: list[dict[str, Any]] = []
    if form.get("lead", "").strip():
        reviewers.append({"login": form["lead"].strip(), "role": "lead"})
    for login in form.get("reviewers", "").replace(",", " ").split():
        reviewers.append({"login": login, "role": "engineer"})
    body: dict[str, Any] = {
        "candidate": person,
        "artifact_id": form.get("artifact", ""),
        "variables": {k.removeprefix("var."): v for k, v in form.items() if k.startswith("var.") and v != ""},
        "reviewers": reviewers,
    }
    deadline = form.get("deadline", "").strip()
    if deadline:
        # <input type="datetime-local"> sends no zone; the form labels it UTC.
        try:
            body["deadline"] = datetime.fromisoformat(deadline).replace(tzinfo=UTC).isoformat()
        except ValueError:
            body["deadline"] = deadline
    hours = form.get("time_limit_hours", "").strip()
    if hours:
        body["time_limit_hours"] = hours
    return body


def parse_body(body: dict[str, Any]) -> AssignmentCreate | dict[str, str]:
    """The validated request, or the form's errors by field."""
    try:
        return AssignmentCreate.model_validate(body)
    except ValidationError as exc:
        return field_errors(
            FieldError(field=".".join(["body", *(str(p) for p in error["loc"])]), message=_message(error))
            for error in exc.errors()
        )


def _message(error: Any) -> str:
    # The API's words for an empty reviewer list speak of a list; the form has a lead field.
    if tuple(error["loc"]) == ("reviewers",) and error["type"] == "too_short":
        return "give the lead engineer's GitHub login"
    return str(error["msg"]).removeprefix("Value error, ")


def field_errors(errors: Iterable[FieldError]) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in errors:
        name = form_field(error.field)
        found[name] = f"{found[name]}; {error.message}" if name in found else error.message
    return found


def form_field(api_field: str) -> str:
    """``body.reviewers.0.login`` → ``lead``, ``body.variables.company`` → ``var.company``, ..."""
    parts = api_field.split(".")
    if parts and parts[0] == "body":
        parts = parts[1:]
    if not parts:
        return GENERAL
    head = parts[0]
    if head == "candidate":
        return "candidate_name" if parts[1:2] == ["name"] else "candidate"
    if head == "artifact_id":
        return "artifact"
    if head == "variables":
        return f"var.{parts[1]}" if len(parts) > 1 else GENERAL
    if head == "reviewers":
        # The list's own errors (no reviewer, first is not the lead) are about the lead field.
        return "lead" if parts[1:2] in (["0"], []) else "reviewers"
    if head in ("deadline", "time_limit_hours"):
        return head
    return GENERAL
