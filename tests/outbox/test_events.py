"""The event catalog: schemas as published, and the builder that refuses what they refuse."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from importlib import resources
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.outbox.examples import AT, EXAMPLES, PR, REVIEWER
from worksample.outbox.events import (
    MAX_PAYLOAD_BYTES,
    EventError,
    build_event,
    event_types,
    format_timestamp,
    load_schema,
    new_message_id,
)
from worksample.outbox.signing import sign
from worksample.scoring import Recommendation, ReviewState

SCORED, CREATED = "assignment.scored", "assignment.created"
SUBMITTED, CANCELLED = "assignment.submitted", "assignment.cancelled"
COMMON_FIELDS = ("assignment_id", "version", "external_ids", "status")


def test_catalog_matches_the_schema_files() -> None:
    shipped = {
        entry.name.removesuffix(".json")
        for entry in resources.files("worksample.outbox").joinpath("schemas").iterdir()
        if entry.name.endswith(".json")
    }
    assert shipped == set(event_types())
    assert set(EXAMPLES) == set(event_types())
    assert len(event_types()) == 13


@pytest.mark.parametrize("event_type", event_types())
def test_each_schema_is_valid_draft_2020_12_and_names_its_type(event_type: str) -> None:
    schema = load_schema(event_type)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == event_type
    assert schema["properties"]["type"] == {"const": event_type}
    assert set(schema["required"]) == {"type", "timestamp", "data"}


@pytest.mark.parametrize("event_type", [t for t in event_types() if t.startswith("assignment.")])
def test_assignment_events_share_the_common_data_fields(event_type: str) -> None:
    data = load_schema(event_type)["properties"]["data"]
    reference = load_schema("assignment.created")["properties"]["data"]["properties"]
    assert set(COMMON_FIELDS) <= set(data["required"])
    for field in ("assignment_id", "version", "external_ids"):
        assert data["properties"][field] == reference[field]
    assert data["additionalProperties"] is False


@pytest.mark.parametrize("event_type", event_types())
def test_build_event_emits_compact_sorted_json_that_its_schema_accepts(event_type: str) -> None:
    body = build_event(event_type, EXAMPLES[event_type], timestamp=AT)
    assert body == build_event(event_type, dict(reversed(EXAMPLES[event_type].items())), timestamp=AT)
    payload = json.loads(body)
    assert payload["type"] == event_type
    assert payload["timestamp"] == "2026-11-26T01:30:00Z"
    assert body == json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    Draft202012Validator(load_schema(event_type)).validate(payload)


def test_datetimes_in_data_become_utc_strings() -> None:
    paris = timezone(timedelta(hours=1))
    data = {**EXAMPLES["assignment.expired"], "expired_at": datetime(2026, 11, 26, 2, 0, 0, 250000, paris)}
    payload = json.loads(build_event("assignment.expired", data, timestamp=AT))
    assert payload["data"]["expired_at"] == "2026-11-26T01:00:00.250000Z"
    assert payload["data"]["deadline_at"] == "2026-11-26T01:30:00Z"


def test_non_ascii_is_sent_as_utf8() -> None:
    data = {**EXAMPLES["assignment.cancelled"], "reason": "candidat a retiré sa candidature ✓"}
    body = build_event("assignment.cancelled", data, timestamp=AT)
    assert "retiré sa candidature ✓".encode() in body


def _with(event_type: str, **changes: Any) -> dict[str, Any]:
    return {**EXAMPLES[event_type], **changes}


@pytest.mark.parametrize(
    ("event_type", "data", "message"),
    [
        (SCORED, _with(SCORED, score=120), "data.score: 120 is greater than"),
        (
            "assignment.scored",
            _with("assignment.scored", reviewers=[]),
            "data.reviewers: [] should be non-empty",
        ),
        (SCORED, _with(SCORED, recommendation="maybe"), "data.recommendation"),
        (
            "assignment.scored",
            _with("assignment.scored", reviewers=[{**REVIEWER, "recommendation": "APPROVED"}]),
            "data.reviewers[0].recommendation",
        ),
        (
            "assignment.created",
            _with("assignment.created", candidate_email="o@example.com"),
            "candidate_email",
        ),
        (CREATED, _with(CREATED, version=0), "data.version: 0 is less than"),
        (CREATED, _with(CREATED, status="archived"), "data.status"),
        (CREATED, _with(CREATED, external_ids={"id": 7}), "data.external_ids.id"),
        (CANCELLED, _with(CANCELLED, status="invited"), "data.status"),
        (SUBMITTED, _with(SUBMITTED, head_sha="HEAD"), "data.head_sha"),
        (
            "assignment.submitted",
            _with("assignment.submitted", pull_request_url="ftp://x"),
            "pull_request_url",
        ),
        (
            "assignment.submitted",
            _with("assignment.submitted", submitted_at="yesterday"),
            "data.submitted_at",
        ),
        (SUBMITTED, _with(SUBMITTED, on_time="yes"), "data.on_time"),
        ("assignment.provisioned", {"repository_url": PR}, "'assignment_id' is a required property"),
        ("webhook.test", _with("webhook.test", assignment_id="asg_1"), "assignment_id"),
    ],
)
def test_data_the_schema_refuses_is_not_built(event_type: str, data: dict[str, Any], message: str) -> None:
    with pytest.raises(EventError, match="does not match its schema") as caught:
        build_event(event_type, data, timestamp=AT)
    assert message in str(caught.value)


def test_many_problems_are_summarised() -> None:
    with pytest.raises(EventError, match=r"…and \d+ more"):
        build_event("assignment.scored", {}, timestamp=AT)


@pytest.mark.parametrize(
    ("data_change", "message"),
    [
        ({"score": float("nan")}, "data.score: nan is not a finite number"),
        ({"score": float("inf")}, "not a finite number"),
        ({"criteria": {1, 2}}, "data.criteria: set is not a JSON value"),
        ({"external_ids": {1: "a"}}, "object keys must be strings"),
        ({"scored_at": datetime(2026, 11, 26)}, "has no time zone"),
    ],
)
def test_values_that_are_not_json_are_refused(data_change: dict[str, Any], message: str) -> None:
    with pytest.raises(EventError, match=message):
        build_event(SCORED, _with(SCORED, **data_change), timestamp=AT)


def test_unknown_type_and_naive_timestamp_are_refused() -> None:
    with pytest.raises(EventError, match=r"unknown event type 'assignment\.deleted'"):
        build_event("assignment.deleted", {}, timestamp=AT)
    with pytest.raises(EventError, match="unknown event type"):
        load_schema("../../config")
    with pytest.raises(EventError, match="no time zone"):
        build_event("webhook.test", EXAMPLES["webhook.test"], timestamp=datetime(2026, 1, 1))


def test_load_schema_returns_a_copy() -> None:
    load_schema("assignment.scored")["properties"].clear()
    assert "data" in load_schema("assignment.scored")["properties"]


def _largest_scored_event() -> dict[str, Any]:
    """Every string at its schema maximum, every list at maxItems: the schema caps must fit the limit."""
    url = "https://" + "u" * 504
    logins = [f"{n}" + "l" * 38 for n in range(10)]
    reviewers = [{**REVIEWER, "login": login, "role": "r" * 32, "review_url": url} for login in logins]
    criterion = {
        "id": "i" * 64,
        "title": "t" * 120,
        "weight": 1.123456789,
        "score": 99.123456789,
        "scores": dict.fromkeys(logins, 4),
    }
    return {
        **EXAMPLES["assignment.scored"],
        "assignment_id": "a" * 64,
        "version": 2**53,
        "external_ids": {f"{n:02d}" + "k" * 62: "v" * 200 for n in range(20)},
        "criteria": [criterion] * 30,
        "reviewers": reviewers,
        "pull_request_url": url,
    }


def test_schema_caps_keep_the_largest_plain_event_under_the_limit() -> None:
    body = build_event("assignment.scored", _largest_scored_event(), timestamp=AT)
    assert 30_000 < len(body) < MAX_PAYLOAD_BYTES


def test_payload_over_the_limit_is_refused() -> None:
    # Control characters are escaped six-fold by JSON, so a schema-valid event can still be too big.
    data = _largest_scored_event()
    data["criteria"] = [{**c, "title": "\x01" * 120} for c in data["criteria"]]
    with pytest.raises(EventError, match=f"payloads must stay under {MAX_PAYLOAD_BYTES}"):
        build_event("assignment.scored", data, timestamp=AT)


def test_format_timestamp() -> None:
    assert format_timestamp(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05Z"
    with pytest.raises(EventError):
        format_timestamp(datetime(2026, 1, 2))


def test_message_ids_are_unique_and_header_safe() -> None:
    ids = {new_message_id() for _ in range(100)}
    assert len(ids) == 100
    for msg_id in ids:
        assert msg_id.startswith("msg_")
        assert sign("whsec_" + "A" * 32, msg_id, 1, b"{}").startswith("v1,")


def test_recommendations_and_review_states_are_scorings_own_values() -> None:
    """One vocabulary: the schemas' enums are exactly what ``worksample.scoring`` produces."""
    recommendations = sorted(r.value for r in Recommendation)
    states = sorted(s.value for s in ReviewState if s.value != "dismissed")
    scored = load_schema(SCORED)["properties"]["data"]["properties"]
    reviewer_items = [
        scored["reviewers"]["items"]["properties"],
        load_schema("assignment.review_submitted")["properties"]["data"]["properties"]["reviewer"][
            "properties"
        ],
    ]
    assert sorted(scored["recommendation"]["enum"]) == recommendations
    for reviewer in reviewer_items:
        assert sorted(reviewer["recommendation"]["enum"]) == recommendations
        assert sorted(reviewer["review_state"]["enum"]) == states
