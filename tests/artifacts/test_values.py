"""Recruiter values: normalised when good, refused field by field when bad."""

from __future__ import annotations

import datetime as dt

import pytest

from worksample.artifacts.catalog import Catalog
from worksample.artifacts.errors import VariableError
from worksample.artifacts.render import validate_values


def test_defaults_fill_what_the_recruiter_leaves_out(catalog: Catalog) -> None:
    values = validate_values(catalog.get("api-deprecation-rfc"), {"company_name": "  Initech  "})
    assert values == {
        "api_name": "Orders API",
        "author_name": "Dana Whitfield",
        "company_name": "Initech",
        "sunset_date": "2027-03-30",
    }


def test_dates_accept_iso_text_and_date_objects(catalog: Catalog) -> None:
    artifact = catalog.get("db-migration-plan")
    assert validate_values(artifact, {"cutover_date": dt.date(2027, 5, 1)})["cutover_date"] == "2027-05-01"
    assert validate_values(artifact, {"cutover_date": "2027-05-01"})["cutover_date"] == "2027-05-01"


@pytest.mark.parametrize(
    ("name", "value", "reason"),
    [
        ("company_name", "x" * 61, "must be at most 60 characters, got 61"),
        ("company_name", "", "must not be empty"),
        ("company_name", 42, "must be text, got int"),
        ("company_name", "Acme\nInc", "must be a single line of printable text (found U+000A)"),
        ("company_name", "Acme\u202eInc", "must be a single line of printable text (found U+202E)"),
        ("sunset_date", "31/03/2027", "must be a date written YYYY-MM-DD"),
        ("sunset_date", "2027-02-30", "is not a calendar date"),
        ("sunset_date", dt.datetime(2027, 1, 1, tzinfo=dt.UTC), "not a date and time"),
        (
            "nonsense",
            "x",
            "unknown variable for artifact 'api-deprecation-rfc' (known: api_name, author_name",
        ),
    ],
)
def test_bad_values_are_refused_with_the_field_and_reason(
    catalog: Catalog, name: str, value: object, reason: str
) -> None:
    with pytest.raises(VariableError) as caught:
        validate_values(catalog.get("api-deprecation-rfc"), {name: value})
    assert list(caught.value.errors) == [name]
    assert reason in caught.value.errors[name]


def test_every_bad_field_is_reported_at_once(catalog: Catalog) -> None:
    with pytest.raises(VariableError) as caught:
        validate_values(
            catalog.get("api-deprecation-rfc"), {"company_name": "", "sunset_date": "soon", "x": 1}
        )
    assert sorted(caught.value.errors) == ["company_name", "sunset_date", "x"]
    assert str(caught.value).startswith("company_name: must not be empty; sunset_date: must be a date")
