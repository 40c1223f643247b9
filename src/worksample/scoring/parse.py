"""Read a reviewer's scorecard out of a GitHub review body, forgivingly and without ever raising.

Reviewers type scorecards by hand, so the parser accepts what people actually write: the criterion
id or title in any case, with or without Markdown around it (``**rollback**``, ```rollback```,
``- [x] rollback``, ``> rollback``, table pipes), followed by ``:``, ``-``, ``=`` or ``|`` and a
value such as ``3``, ``3/4``, ``3 / 4``, ``3 of 4`` or ``3.0``, optionally followed by a comment
(``3 # solid``, ``3 (good)``). A table whose header has a "Score" column is read from that column.

Everything else in the body is prose and ignored. Lines that *look* like a score for something that
is not a criterion (``rollbak: 3``) are kept as :class:`Unrecognised` so the feedback reply can
point at typos, but they never make a scorecard incomplete.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from dataclasses import dataclass
from enum import StrEnum

from worksample.artifacts.model import Rubric
from worksample.scoring._text import normalise_label
from worksample.scoring.values import ProblemKind, Value, read_value

# Longest line text kept for echoing back in a reply.
_SHOWN_LINE = 200
# A "label: value" line whose label is longer than this is a sentence, not a mistyped criterion.
_MAX_UNKNOWN_LABEL = 40
_MAX_UNKNOWN_WORDS = 5
# Hints beyond this many help nobody, and each costs a fuzzy match: a 64 KB body of "x: 3" lines
# would otherwise spend a second in difflib.
_MAX_HINTS = 20

_BULLET = re.compile(r"(?:[-*+]|[0-9]{1,3}[.)])\s+(?:\[[ xX]\]\s+)?", re.ASCII)
_SEPARATOR = re.compile(r"_*\s*(?:[:=]>?|[-–—]>?|\|)\s*")
_UNKNOWN_SPLIT = re.compile(r"\s*(?::|=|\s[-–—]\s)\s*")
_TABLE_RULE = re.compile(r":?-+:?")
_QUOTES = re.compile(r"(?:>\s*)*")


class ScorecardStatus(StrEnum):
    ABSENT = "absent"  # no line names a rubric criterion: a plain "LGTM" review
    INCOMPLETE = "incomplete"  # a scorecard is there, but something must be fixed before it counts
    COMPLETE = "complete"


@dataclass(frozen=True)
class SourceLine:
    number: int  # 1-based, as a reviewer counts lines
    text: str


@dataclass(frozen=True)
class Problem:
    criterion_id: str
    kind: ProblemKind
    message: str
    lines: tuple[SourceLine, ...]


@dataclass(frozen=True)
class Missing:
    criterion_id: str
    required: bool
    # The line where the reviewer left the criterion unscored (``rollback: _/4``), if there is one.
    line: SourceLine | None


@dataclass(frozen=True)
class Unrecognised:
    line: SourceLine
    reason: str
    suggestion: str | None  # the criterion id the reviewer probably meant


@dataclass(frozen=True)
class ScorecardResult:
    """What one review body says, against one rubric. Criteria appear in rubric order."""

    found: bool
    score_items: tuple[tuple[str, int], ...]
    missing: tuple[Missing, ...]
    problems: tuple[Problem, ...]
    unrecognised: tuple[Unrecognised, ...]

    @property
    def scores(self) -> dict[str, int]:
        return dict(self.score_items)

    @property
    def missing_required(self) -> tuple[str, ...]:
        return tuple(m.criterion_id for m in self.missing if m.required)

    @property
    def missing_optional(self) -> tuple[str, ...]:
        return tuple(m.criterion_id for m in self.missing if not m.required)

    @property
    def is_complete(self) -> bool:
        """Every required criterion has a valid score, nothing is invalid, and something was scored.

        An invalid value on an *optional* criterion also blocks: dropping it silently would record
        a different scorecard from the one the reviewer wrote.
        """
        return self.found and not self.problems and not self.missing_required and bool(self.score_items)

    @property
    def status(self) -> ScorecardStatus:
        if not self.found:
            return ScorecardStatus.ABSENT
        return ScorecardStatus.COMPLETE if self.is_complete else ScorecardStatus.INCOMPLETE


@dataclass(frozen=True)
class _Entry:
    criterion_id: str
    line: SourceLine
    value: Value


class _Labels:
    """Criterion ids and titles in comparable form, longest first so "rollback plan" beats "rollback"."""

    def __init__(self, rubric: Rubric) -> None:
        exact: dict[str, str] = {}
        # Titles first, ids second: when one criterion's id equals another's title, the id wins,
        # because the rendered template writes ids.
        for criterion in rubric.criteria:
            exact[normalise_label(criterion.title)] = criterion.id
        for criterion in rubric.criteria:
            exact[normalise_label(criterion.id)] = criterion.id
        self.exact = exact
        self.longest_first = sorted(exact, key=lambda label: (-len(label), label))

    def match_cell(self, cell: str) -> str | None:
        return self.exact.get(normalise_label(cell).strip("_ ").rstrip(":=-–— "))

    def match_prefix(self, text: str) -> tuple[str, str] | None:
        """``rollback: 3/4`` → ("rollback", "3/4"); None unless a label is followed by a separator."""
        for candidate in (text, text.lstrip("_")):
            for label in self.longest_first:
                if not candidate.startswith(label):
                    continue
                separator = _SEPARATOR.match(candidate, len(label))
                if separator is not None:
                    return self.exact[label], candidate[separator.end() :]
        return None

    def suggest(self, label: str) -> str | None:
        close = difflib.get_close_matches(label, self.longest_first, n=1, cutoff=0.6)
        return self.exact[close[0]] if close else None


def _table_cells(text: str) -> list[str] | None:
    """Cells of a pipe row; None for a ``|---|:--:|`` rule row."""
    inner = text[1:] if text.startswith("|") else text
    inner = inner[:-1] if inner.endswith("|") else inner
    cells = [cell.strip() for cell in inner.split("|")]
    if all(not cell or _TABLE_RULE.fullmatch(cell) for cell in cells):
        return None
    return cells


def parse_scorecard(body: str | None, rubric: Rubric) -> ScorecardResult:
    """Parse a review body (GitHub sends ``null`` for an empty one) against ``rubric``. Never raises."""
    labels = _Labels(rubric)
    entries: dict[str, list[_Entry]] = defaultdict(list)
    unrecognised: list[Unrecognised] = []
    score_column: int | None = None

    for number, raw in enumerate((body or "").splitlines(), start=1):
        line = SourceLine(number, raw.strip()[:_SHOWN_LINE])
        # One regex pass for nested quotes: slicing ">" off one at a time is quadratic.
        text = raw.strip()
        quotes = _QUOTES.match(text)
        text = text[quotes.end() :] if quotes else text
        bullet = _BULLET.match(text)
        text = text[bullet.end() :] if bullet else text

        # A table row starts with a pipe (or follows a header we recognised); "rollback | 3" without
        # a leading pipe is a list line using "|" as its separator and goes the prefix way below.
        if text.startswith("|") or (score_column is not None and "|" in text):
            cells = _table_cells(text)
            if cells is None or len(cells) < 2:
                continue
            criterion_id = labels.match_cell(cells[0])
            if criterion_id is None:
                headers = [normalise_label(cell) for cell in cells]
                scored = [i for i, header in enumerate(headers) if header.startswith("score")]
                if scored:
                    score_column = scored[0]
                else:
                    _note_unknown(labels, line, cells[0], _first_value(cells, score_column), unrecognised)
                continue
            value_text = _first_value(cells, score_column)
            _note(entries, unrecognised, criterion_id, line, normalise_label(value_text))
            continue

        score_column = None  # any non-table line ends the table
        normalised = normalise_label(text)
        prefixed = labels.match_prefix(normalised)
        if prefixed is not None:
            _note(entries, unrecognised, prefixed[0], line, prefixed[1])
            continue
        parts = _UNKNOWN_SPLIT.split(normalised, maxsplit=1)
        if len(parts) == 2:
            _note_unknown(labels, line, parts[0], parts[1], unrecognised)

    return _collect(rubric, entries, unrecognised)


def _first_value(cells: list[str], score_column: int | None) -> str:
    if score_column is not None and 0 < score_column < len(cells):
        return cells[score_column]
    return next((cell for cell in cells[1:] if cell), "")


def _note(
    entries: dict[str, list[_Entry]],
    unrecognised: list[Unrecognised],
    criterion_id: str,
    line: SourceLine,
    value_text: str,
) -> None:
    value = read_value(value_text, criterion_id)
    if value.kind == "not_a_score":
        # "Rollback: looks solid" is prose about the criterion, not a score; keep it only as a hint.
        if len(unrecognised) < _MAX_HINTS:
            unrecognised.append(
                Unrecognised(line, f"no score from 1 to 4 after {criterion_id}", criterion_id)
            )
    else:
        entries[criterion_id].append(_Entry(criterion_id, line, value))


def _note_unknown(
    labels: _Labels, line: SourceLine, label_text: str, value_text: str, unrecognised: list[Unrecognised]
) -> None:
    label = normalise_label(label_text).strip("_ ")
    if (
        len(unrecognised) >= _MAX_HINTS
        or not label
        or len(label) > _MAX_UNKNOWN_LABEL
        or len(label.split()) > _MAX_UNKNOWN_WORDS
    ):
        return
    value = read_value(normalise_label(value_text), label)
    if value.kind in ("score", "invalid", "placeholder"):
        unrecognised.append(Unrecognised(line, "not a criterion of this rubric", labels.suggest(label)))


def _collect(
    rubric: Rubric, entries: dict[str, list[_Entry]], unrecognised: list[Unrecognised]
) -> ScorecardResult:
    scores: list[tuple[str, int]] = []
    missing: list[Missing] = []
    problems: list[Problem] = []
    for criterion in rubric.criteria:
        found = entries.get(criterion.id, [])
        invalid = [e for e in found if e.value.kind == "invalid"]
        valid = [e for e in found if e.value.kind == "score"]
        for entry in invalid:
            kind = entry.value.problem or "unclear"
            problems.append(Problem(criterion.id, kind, entry.value.message, (entry.line,)))
        distinct = sorted({e.value.score for e in valid if e.value.score is not None})
        if len(distinct) > 1:
            message = (
                f"{criterion.id} is scored {' and '.join(str(s) for s in distinct)} on different lines; "
                "keep one."
            )
            problems.append(Problem(criterion.id, "conflict", message, tuple(e.line for e in valid)))
        elif distinct and not invalid:
            scores.append((criterion.id, distinct[0]))
        elif not distinct and not invalid:
            blank = found[0].line if found else None
            missing.append(Missing(criterion.id, criterion.required, blank))
    return ScorecardResult(
        found=bool(entries),
        score_items=tuple(scores),
        missing=tuple(missing),
        problems=tuple(problems),
        unrecognised=tuple(unrecognised),
    )
