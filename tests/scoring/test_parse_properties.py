"""Properties of the parser: it never raises, and a valid scorecard survives cosmetic changes."""

from __future__ import annotations

import string
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.scoring.builders import ANCHORS
from worksample.artifacts.model import Criterion, Rubric
from worksample.scoring import parse_scorecard, render_scorecard_comment, render_scorecard_lines

_ID_HEAD = string.ascii_lowercase + string.digits
_ID_TAIL = _ID_HEAD + "_-"
# Title text reviewers could type; ASCII letters so upper()/lower() round-trip under casefold().
_TITLE = string.ascii_letters + string.digits + " ,.&()/'"

Filled = tuple[Rubric, dict[str, int], str]

criterion_ids = st.builds(
    lambda head, tail: head + tail,
    st.sampled_from(_ID_HEAD),
    st.text(_ID_TAIL, max_size=12),
)


@st.composite
def rubrics(draw: st.DrawFn) -> Rubric:
    ids = draw(st.lists(criterion_ids, min_size=1, max_size=6, unique=True))
    titles = draw(
        st.lists(
            st.text(_TITLE, min_size=1, max_size=30).filter(lambda t: t.strip() and t[0].isalpha()),
            min_size=len(ids),
            max_size=len(ids),
            unique_by=lambda t: " ".join(t.split()).casefold(),
        )
    )
    criteria = [
        Criterion(
            id=cid,
            title=title,
            weight=draw(st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0])),
            required=draw(st.booleans()),
            anchors=ANCHORS,
        )
        for cid, title in zip(ids, titles, strict=True)
    ]
    # A title that equals another criterion's id is ambiguous by construction (the id wins, as
    # documented); keep generated rubrics unambiguous so the round-trip properties are meaningful.
    id_set = set(ids)
    draw_ok = all(" ".join(c.title.split()).casefold() not in id_set - {c.id} for c in criteria)
    if not draw_ok:
        criteria = [c.model_copy(update={"title": f"{c.title} ({c.id})"}) for c in criteria]
    if not any(c.required for c in criteria):
        criteria[0] = criteria[0].model_copy(update={"required": True})
    return Rubric(criteria=tuple(criteria))


@st.composite
def filled(draw: st.DrawFn) -> Filled:
    """A rubric, the scores a reviewer gives, and the scorecard they write using ids or titles."""
    rubric = draw(rubrics())
    scores = {c.id: draw(st.integers(1, 4)) for c in rubric.criteria if c.required or draw(st.booleans())}
    lines = []
    for c in rubric.criteria:
        if c.id not in scores:
            continue
        label = c.id if draw(st.booleans()) else " ".join(c.title.split())
        # A title ending in a separator-like character is still followed by the real separator.
        separator = draw(st.sampled_from([": ", " - ", " = ", " | ", ":", " : "]))
        value = draw(st.sampled_from(["{}", "{}/4", "{} / 4", "{}.0", "**{}**"])).format(scores[c.id])
        lines.append(f"{label}{separator}{value}")
    return rubric, scores, "\n".join(lines)


def _summary(body: str, rubric: Rubric) -> tuple[object, ...]:
    result = parse_scorecard(body, rubric)
    return (
        result.status,
        result.scores,
        result.missing_required,
        result.missing_optional,
        [(p.criterion_id, p.kind) for p in result.problems],
    )


# No deadlines: other suites share this machine's CPU, and a slow example is not a wrong one.
@settings(deadline=None)
@given(st.text(), rubrics())
def test_never_raises_on_arbitrary_text(body: str, rubric: Rubric) -> None:
    result = parse_scorecard(body, rubric)
    assert set(result.scores) <= {c.id for c in rubric.criteria}
    assert all(1 <= score <= 4 for score in result.scores.values())


@settings(deadline=None)
@given(st.text(alphabet=st.sampled_from(list("rollback:|/_-=*`>#0123456789.,\n\t |- [x]")), max_size=300))
def test_never_raises_on_scorecard_like_noise(body: str) -> None:
    rubric = Rubric(criteria=(Criterion(id="rollback", title="Roll back", weight=1, anchors=ANCHORS),))
    parse_scorecard(body, rubric)


@settings(deadline=None)
@given(filled(), st.text(), st.text())
def test_arbitrary_text_around_a_valid_scorecard(case: Filled, before: str, after: str) -> None:
    rubric, _, body = case
    # Whatever surrounds the scorecard, parsing terminates without raising and reports only rubric ids.
    result = parse_scorecard(f"{before}\n{body}\n{after}", rubric)
    assert {p.criterion_id for p in result.problems} <= {c.id for c in rubric.criteria}


_CASE_CHANGES: list[Callable[[str], str]] = [str.upper, str.lower, str.swapcase, str.title, str.strip]
_PROSE = st.sampled_from(["Thanks!", "LGTM", "Some notes follow.", "", "> quoted"])


@settings(deadline=None)
@given(filled(), st.lists(_PROSE, max_size=4))
def test_valid_scorecard_with_prose_parses_to_its_scores(case: Filled, prose: list[str]) -> None:
    rubric, scores, body = case
    result = parse_scorecard("\n".join([*prose, body, *prose]), rubric)
    assert result.is_complete, result
    assert result.scores == scores


@settings(deadline=None)
@given(filled(), st.data())
def test_stable_under_whitespace_and_case(case: Filled, data: st.DataObject) -> None:
    rubric, scores, body = case
    changed_lines = []
    for line in body.splitlines():
        case_change = data.draw(st.sampled_from(_CASE_CHANGES))
        indent = data.draw(st.sampled_from(["", " ", "  ", "\t", " \u00a0"]))
        trailing = data.draw(st.sampled_from(["", " ", "\t", "  \r"]))
        inner = data.draw(st.sampled_from([" ", "  ", "\t"]))
        changed_lines.append(indent + case_change(line).replace(" ", inner) + trailing)
        changed_lines.extend([""] * data.draw(st.integers(0, 2)))
    changed = "\n".join(changed_lines)
    assert _summary(changed, rubric) == _summary(body, rubric)
    assert parse_scorecard(changed, rubric).scores == scores


@settings(max_examples=50, deadline=None)
@given(rubrics(), st.data())
def test_rendered_template_filled_in_round_trips(rubric: Rubric, data: st.DataObject) -> None:
    chosen = [c for c in rubric.criteria if c.required or data.draw(st.booleans())]
    scores = {c.id: data.draw(st.integers(1, 4)) for c in chosen}
    block = "\n".join(render_scorecard_lines(rubric, scores))
    result = parse_scorecard(block, rubric)
    assert result.is_complete
    assert result.scores == scores
    # The same, pasted after the whole rendered comment as a reviewer might do.
    assert parse_scorecard(render_scorecard_comment(rubric) + "\n" + block, rubric).scores == scores
