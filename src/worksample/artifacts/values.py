"""Checking recruiter-supplied values against an artifact's variables. Pure: no I/O.

Values arrive from JSON (the API) or from ``--var KEY=VALUE`` (the CLI), so an integer may come
as ``"90"`` and a date as ``"2027-03-31"`` or a ``datetime.date``. Each is normalised to the one
form templates see: ``int`` for integers, ``str`` for strings and ISO dates.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

from worksample.artifacts.errors import VariableError
from worksample.artifacts.model import Artifact, Variable

# An integer variable holds counts and durations; a bound keeps a typo from rendering "9e18 days".
MAX_INTEGER = 10**9
_INTEGER_TEXT = re.compile(r"^-?[0-9]{1,10}$")
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def check_value(variable: Variable, value: object) -> str | int:
    """Return ``value`` in its normalised form, or raise ``ValueError`` saying why it is unusable."""
    if variable.type == "integer":
        return _check_integer(value)
    if variable.type == "date":
        return _check_date(value)
    return _check_string(variable, value)


def validate_values(artifact: Artifact, values: Mapping[str, object]) -> dict[str, str | int]:
    """Merge recruiter ``values`` over the variable defaults and check every one.

    Raises ``VariableError`` listing every bad or unknown name at once, so a recruiter fixes the
    whole form in one round trip rather than one field per request.
    """
    variables = artifact.manifest.variables
    errors: dict[str, str] = {}
    for name in values:
        if name not in variables:
            known = ", ".join(sorted(variables)) or "none"
            errors[str(name)] = f"unknown variable for artifact {artifact.id!r} (known: {known})"
    merged: dict[str, str | int] = {}
    for name, variable in sorted(variables.items()):
        raw = values.get(name, variable.default)
        try:
            merged[name] = check_value(variable, raw)
        except ValueError as exc:
            errors[name] = str(exc)
    if errors:
        raise VariableError(errors)
    return merged


def _check_integer(value: object) -> int:
    # bool is an int subclass; `true` from JSON is never a meaningful count.
    if isinstance(value, bool):
        raise ValueError("must be an integer, not a boolean")
    if isinstance(value, str):
        if not _INTEGER_TEXT.match(value.strip()):
            raise ValueError(f"must be an integer, got {_preview(value)}")
        value = int(value.strip())
    if not isinstance(value, int):
        raise ValueError(f"must be an integer, got {type(value).__name__}")
    if abs(value) > MAX_INTEGER:
        raise ValueError(f"must be between {-MAX_INTEGER} and {MAX_INTEGER}")
    return value


def _check_date(value: object) -> str:
    if isinstance(value, dt.datetime):
        raise ValueError("must be a date (YYYY-MM-DD), not a date and time")
    if isinstance(value, dt.date):
        return value.isoformat()
    if not isinstance(value, str) or not _ISO_DATE.match(value.strip()):
        raise ValueError(f"must be a date written YYYY-MM-DD, got {_preview(value)}")
    try:
        return dt.date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError(f"is not a calendar date: {_preview(value)}") from None


def _check_string(variable: Variable, value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"must be text, got {type(value).__name__}")
    # NFC so that the same name typed on two keyboards renders to the same bytes.
    text = unicodedata.normalize("NFC", value.strip())
    if not text:
        raise ValueError("must not be empty")
    if len(text) > variable.max_length:
        raise ValueError(f"must be at most {variable.max_length} characters, got {len(text)}")
    # Values land inside markdown tables, YAML and CSV cells: a line break or control character
    # would let a value restructure the file around it, so only single-line printable text passes.
    for char in text:
        if unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"}:
            raise ValueError(f"must be a single line of printable text (found U+{ord(char):04X})")
    return text


def _preview(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
