"""Reading one score value (the text after ``rollback:``) into a score, a blank, or a precise complaint."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from worksample.artifacts.model import MAX_SCORE, MIN_SCORE

ProblemKind = Literal["out_of_range", "not_integer", "bad_scale", "unclear", "conflict"]
ValueKind = Literal["score", "invalid", "placeholder", "not_scored", "empty", "not_a_score"]

# ASCII digits only: ``\d`` would also accept Arabic-Indic or full-width digits, which no reviewer
# means as a score and which would make "what did they type?" hard to explain back to them.
_NUMBER = re.compile(
    r"(?P<sign>[+-]?)(?P<num>[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)"
    r"(?:\s*(?:/|out of|of)\s*(?P<den>[0-9]+(?:[.,][0-9]+)?))?",
    re.ASCII,
)
# What a reviewer leaves when they did not score: the template's ``_/4``, ``?``, or an explicit n/a.
_PLACEHOLDER = re.compile(r"(?:_+|\?+|…|\.{2,})?\s*/\s*4(?![0-9])|_+|\?+|…|\.{2,}", re.ASCII)
_NOT_SCORED = re.compile(r"(?:n/a|n\.a\.|na|not scored|skip(?:ped)?|none|[-–—]+)(?![a-z0-9])", re.ASCII)
_ALNUM = re.compile(r"[a-z0-9]", re.ASCII)
# Longest value text echoed back in a message: enough to recognise, short enough for a PR reply.
_ECHO = 40


@dataclass(frozen=True)
class Value:
    kind: ValueKind
    score: int | None = None
    problem: ProblemKind | None = None
    message: str = ""


def _is_trailer(rest: str) -> bool:
    """Whether text after a score is a comment (``3 # solid``, ``3 (good)``, ``3 — fine``, ``3.``).

    A dash, comma or colon followed by a digit is not a comment but a second number (``3-4``,
    ``3, 4``), which is ambiguous and must be reported rather than silently read as 3.
    """
    stripped = rest.strip()
    if not stripped or not _ALNUM.search(stripped):
        return True
    if stripped.startswith(("#", "//", "(", "[")):
        return True
    if stripped[0] in "-–—:;,|":
        after = stripped.lstrip("-–—:;,|").lstrip()
        return not after[:1].isdigit()
    return False


def _echo(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _ECHO else text[: _ECHO - 1] + "…"


def read_value(text: str, criterion_id: str) -> Value:
    """Classify a case-folded, decoration-free value. Never raises."""
    value = text.strip()
    if not value:
        return Value("empty")
    number = _NUMBER.match(value)
    if number is not None:
        return _read_number(number, value, criterion_id)
    placeholder = _PLACEHOLDER.match(value)
    if placeholder is not None and _is_trailer(value[placeholder.end() :]):
        return Value("placeholder")
    not_scored = _NOT_SCORED.match(value)
    if not_scored is not None and _is_trailer(value[not_scored.end() :]):
        return Value("not_scored")
    return Value("not_a_score")


def _read_number(number: re.Match[str], value: str, criterion_id: str) -> Value:
    shown = _echo(value)
    if not _is_trailer(value[number.end() :]):
        return Value(
            "invalid",
            problem="unclear",
            message=f"could not read one score from `{shown}`; write just the number, "
            f"e.g. `{criterion_id}: 3`.",
        )
    den = number["den"]
    if den is not None and Decimal(den.replace(",", ".")) != MAX_SCORE:
        return Value(
            "invalid",
            problem="bad_scale",
            message=f"`{shown}` is not on the {MIN_SCORE}–{MAX_SCORE} scale; write the score out of "
            f"{MAX_SCORE}, e.g. `{criterion_id}: 3/{MAX_SCORE}`.",
        )
    # Decimal, not float or int: it takes digit strings of any length without int()'s 4,300-digit
    # limit, and says exactly whether "3.0" is whole.
    magnitude = Decimal(number["num"].replace(",", "."))
    score = -magnitude if number["sign"] == "-" else magnitude
    if score != score.to_integral_value():
        return Value(
            "invalid",
            problem="not_integer",
            message=f"`{shown}` is not a whole number; score {criterion_id} with one of "
            f"{', '.join(str(level) for level in range(MIN_SCORE, MAX_SCORE + 1))}.",
        )
    if not MIN_SCORE <= score <= MAX_SCORE:
        return Value(
            "invalid",
            problem="out_of_range",
            message=f"`{shown}` is out of range; score {criterion_id} from {MIN_SCORE} to {MAX_SCORE}.",
        )
    return Value("score", score=int(score))
