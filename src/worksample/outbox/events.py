"""The event catalog: one JSON Schema per type, and the builder of the exact bytes we send.

The schema files under ``schemas/`` are the contract with the ATS: the API serves them as they are
and ``build_event`` refuses anything they reject, so what we document and what we send cannot drift.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, Final

from jsonschema import Draft202012Validator

# Types are strings, not an enum: receivers subscribe by name and the catalog grows by adding a file.
ASSIGNMENT_CREATED: Final = "assignment.created"
ASSIGNMENT_PROVISIONED: Final = "assignment.provisioned"
ASSIGNMENT_INVITATION_ACCEPTED: Final = "assignment.invitation_accepted"
ASSIGNMENT_INVITATION_REISSUED: Final = "assignment.invitation_reissued"
ASSIGNMENT_SUBMITTED: Final = "assignment.submitted"
ASSIGNMENT_REVIEW_SUBMITTED: Final = "assignment.review_submitted"
ASSIGNMENT_SCORED: Final = "assignment.scored"
ASSIGNMENT_SCORE_WITHDRAWN: Final = "assignment.score_withdrawn"
ASSIGNMENT_LOCK_FAILED: Final = "assignment.lock_failed"
ASSIGNMENT_EXPIRED: Final = "assignment.expired"
ASSIGNMENT_CANCELLED: Final = "assignment.cancelled"
ASSIGNMENT_FAILED: Final = "assignment.failed"
WEBHOOK_TEST: Final = "webhook.test"

_EVENT_TYPES: Final = (
    ASSIGNMENT_CREATED,
    ASSIGNMENT_PROVISIONED,
    ASSIGNMENT_INVITATION_ACCEPTED,
    ASSIGNMENT_INVITATION_REISSUED,
    ASSIGNMENT_SUBMITTED,
    ASSIGNMENT_REVIEW_SUBMITTED,
    ASSIGNMENT_SCORED,
    ASSIGNMENT_SCORE_WITHDRAWN,
    ASSIGNMENT_LOCK_FAILED,
    ASSIGNMENT_EXPIRED,
    ASSIGNMENT_CANCELLED,
    ASSIGNMENT_FAILED,
    WEBHOOK_TEST,
)

# Standard Webhooks asks senders to keep payloads small. Ordinary events are 1–3 KB; the largest
# the schemas allow (assignment.scored with 30 criteria, each with 10 reviewers' own scores, and
# 20 external ids at their longest) is about 34 KB, so the cap sits just above that. The check in
# build_event is the backstop for escaping-heavy text.
MAX_PAYLOAD_BYTES: Final = 40_000
# How many validation problems one error message lists before "…and N more".
_ERRORS_SHOWN: Final = 5


class EventError(ValueError):
    """An event cannot be built: unknown type, data the schema refuses, or a payload too large."""


def event_types() -> tuple[str, ...]:
    """Every event type we send, in lifecycle order."""
    return _EVENT_TYPES


def new_message_id() -> str:
    """A fresh ``webhook-id`` for one event: fixed when the event is stored, reused on every retry."""
    return f"msg_{uuid.uuid4().hex}"


def _check_type(event_type: str) -> None:
    if event_type not in _EVENT_TYPES:
        raise EventError(f"unknown event type {event_type!r}; known: {', '.join(_EVENT_TYPES)}")


@cache
def _schema_text(event_type: str) -> str:
    return resources.files("worksample.outbox").joinpath("schemas", f"{event_type}.json").read_text("utf-8")


def load_schema(event_type: str) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) for one event type, as published by the API.

    A fresh dict each call, so a caller that annotates or mutates it cannot corrupt the validator.
    """
    _check_type(event_type)
    schema: dict[str, Any] = json.loads(_schema_text(event_type))
    return schema


@cache
def _validator(event_type: str) -> Draft202012Validator:
    schema = load_schema(event_type)
    Draft202012Validator.check_schema(schema)
    # No format checker: "date-time" and "uri" need optional packages to be asserted, so the
    # schemas pin the shapes we promise with explicit patterns instead.
    return Draft202012Validator(schema)


def format_timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, the one timestamp shape every payload uses."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise EventError(f"timestamp {moment.isoformat()} has no time zone; pass an aware datetime")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _to_json_value(value: object, path: str) -> object:
    """Datetimes become UTC strings; everything else must already be a JSON value."""
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, float):
        # NaN passes numeric range checks in JSON Schema and is not JSON; refuse it here.
        if value != value or value in (float("inf"), float("-inf")):
            raise EventError(f"{path}: {value!r} is not a finite number")
        return value
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, Mapping):
        converted: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise EventError(f"{path}: object keys must be strings, got {key!r}")
            converted[key] = _to_json_value(item, f"{path}.{key}")
        return converted
    if isinstance(value, list | tuple):
        return [_to_json_value(item, f"{path}[{index}]") for index, item in enumerate(value)]
    raise EventError(f"{path}: {type(value).__name__} is not a JSON value")


def _describe(error_path: list[str | int], message: str) -> str:
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in error_path)
    return f"{where.removeprefix('.') or '(payload)'}: {message}"


def validate_payload(event_type: str, payload: Mapping[str, Any]) -> None:
    """Raise ``EventError`` listing every place where ``payload`` breaks its type's schema."""
    _check_type(event_type)
    errors = sorted(_validator(event_type).iter_errors(payload), key=lambda error: list(map(str, error.path)))
    if errors:
        details = [_describe(list(error.path), error.message) for error in errors[:_ERRORS_SHOWN]]
        more = f"; …and {len(errors) - _ERRORS_SHOWN} more" if len(errors) > _ERRORS_SHOWN else ""
        raise EventError(f"{event_type} payload does not match its schema: {'; '.join(details)}{more}")


def build_event(event_type: str, data: Mapping[str, Any], *, timestamp: datetime) -> bytes:
    """The exact bytes to sign and send: ``{"data", "timestamp", "type"}`` as compact, key-sorted UTF-8 JSON.

    Deterministic (same input, same bytes) so the stored body, the signature and every retry agree.
    """
    _check_type(event_type)
    payload = {
        "type": event_type,
        "timestamp": format_timestamp(timestamp),
        "data": _to_json_value(data, "data"),
    }
    validate_payload(event_type, payload)
    body = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
    encoded = body.encode("utf-8")
    if len(encoded) >= MAX_PAYLOAD_BYTES:
        raise EventError(
            f"{event_type} payload is {len(encoded)} bytes; payloads must stay under {MAX_PAYLOAD_BYTES}"
        )
    return encoded
