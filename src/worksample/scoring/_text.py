"""Text helpers shared by the scorecard renderer and parser, so both agree on what a label is."""

from __future__ import annotations

import re
from decimal import Decimal

# Characters that only ever decorate a label in Markdown (bold, italics, code); removing them
# lets ``**rollback**``, ```rollback``` and ``*Rollback plan*`` all read as the bare label.
_DECORATION = str.maketrans("", "", "*`~")


def one_line(text: str) -> str:
    """Collapse every run of whitespace (newlines, tabs, NBSP) into one space."""
    return " ".join(text.split())


def normalise_label(text: str) -> str:
    """The form labels are compared in: no decoration, single spaces, case-folded."""
    label = one_line(text.translate(_DECORATION)).casefold()
    # ``__bold__`` uses underscores; a criterion id never starts with one, so strip a matched pair.
    if label.startswith("__") and label.endswith("__") and len(label) > 4:
        label = label[2:-2].strip()
    return label


def format_weight(weight: float | Decimal) -> str:
    """``2.0`` → ``2``, ``0.5`` → ``0.5``: weights as an author wrote them, never ``2E+1``."""
    value = Decimal(repr(weight)) if isinstance(weight, float) else weight
    if value == value.to_integral_value():
        return str(int(value))
    return format(value.normalize(), "f")


_BACKTICK_RUN = re.compile(r"`+")


def fenced(lines: list[str] | tuple[str, ...], info: str = "") -> str:
    """A fenced code block that reviewer text cannot break out of.

    The fence is one backtick longer than the longest run inside, as CommonMark allows, so a quoted
    line containing ```` ``` ```` is shown literally instead of closing the block early (and
    ``@mentions`` or HTML in echoed text stay inert).
    """
    longest = max((len(m.group()) for line in lines for m in _BACKTICK_RUN.finditer(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join([fence + info, *lines, fence])
