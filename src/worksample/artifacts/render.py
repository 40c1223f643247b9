"""Rendering an artifact's tree for one candidate. Pure: in-memory bytes in, bytes out.

Guarantees, each with a test in ``tests/artifacts/test_render.py``:

- Recruiter values are data. They enter templates only as context variables, never as template
  source, so ``{{ ''.__class__ }}`` typed into a form comes out as those literal characters. The
  environment is Jinja2's ``ImmutableSandboxedEnvironment`` anyway, so the artifact's own
  templates cannot reach Python internals either.
- Values cannot move files: output paths come from the artifact's file names alone (``.j2``
  dropped) and are checked to be plain relative paths.
- Templates can include only other ``.j2`` files of the same artifact (the loader serves from the
  in-memory tree; there is no file-system loader).
- Same artifact + same values → same bytes. Output is sorted by path and nothing reads a clock.
  Templates are rendered with ``\\n`` line endings (Jinja2 normalises newlines) and keep their
  final newline; files that are not templates are copied byte for byte.
- Errors name the file and line: ``RenderError("api-deprecation-rfc/repo/RFC.md.j2", 12, ...)``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from types import TracebackType
from typing import Any

from jinja2 import BaseLoader, Environment, StrictUndefined, TemplateNotFound, TemplateSyntaxError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from worksample.artifacts.catalog import (
    MANIFEST_FILE,
    REVIEWER_GUIDE_FILE,
    TEMPLATE_SUFFIX,
    TREE_DIR,
    output_path,
)
from worksample.artifacts.errors import RenderError
from worksample.artifacts.model import Artifact
from worksample.artifacts.values import validate_values

__all__ = ["INSTRUCTIONS_TEMPLATE", "render_artifact", "render_instructions", "validate_values"]

# The manifest's candidate instructions are rendered as a template too (authors may write
# "{{ company_name }}" in them) and handed to the tree as ``artifact.instructions``.
INSTRUCTIONS_TEMPLATE = "@instructions"

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
# Spelled out rather than strftime("%A"), whose output depends on the process locale.
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def render_artifact(artifact: Artifact, values: Mapping[str, object]) -> dict[str, bytes]:
    """Render ``artifact`` with ``values`` merged over its defaults: POSIX path → bytes, sorted.

    Raises ``VariableError`` for bad recruiter input and ``RenderError`` for template faults.
    """
    env, context, _ = _prepare(artifact, values)
    rendered: dict[str, bytes] = {}
    for rel in sorted(artifact.files):
        dest = _checked_output_path(artifact.id, rel)
        if rel.endswith(TEMPLATE_SUFFIX):
            rendered[dest] = _render_template(env, artifact, rel, context).encode("utf-8")
        else:
            rendered[dest] = artifact.files[rel]
    return dict(sorted(rendered.items()))


def render_instructions(artifact: Artifact, values: Mapping[str, object]) -> str:
    """The manifest's candidate instructions with ``values`` applied (what the README shows)."""
    _, _, instructions = _prepare(artifact, values)
    return instructions


def _prepare(artifact: Artifact, values: Mapping[str, object]) -> tuple[Environment, dict[str, object], str]:
    resolved = validate_values(artifact, values)
    env = _environment(artifact)
    meta: dict[str, object] = {
        "id": artifact.id,
        "title": artifact.manifest.title,
        "time_limit_hours": artifact.manifest.time_limit_hours,
    }
    context: dict[str, object] = {**resolved, "artifact": meta}
    instructions = _render_template(env, artifact, INSTRUCTIONS_TEMPLATE, context).rstrip("\n")
    meta["instructions"] = instructions
    return env, context, instructions


def template_filename(artifact: Artifact, name: str) -> str:
    """How errors name a template: relative to the catalog directory."""
    if name == INSTRUCTIONS_TEMPLATE:
        return f"{artifact.id}/{MANIFEST_FILE} (instructions)"
    return f"{artifact.id}/{TREE_DIR}/{name}"


class _TreeLoader(BaseLoader):
    """Serves the artifact's own templates from memory; nothing else exists for it."""

    def __init__(self, artifact: Artifact) -> None:
        self._artifact = artifact

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        artifact = self._artifact
        if template == INSTRUCTIONS_TEMPLATE:
            source = artifact.manifest.instructions
        elif template.endswith(TEMPLATE_SUFFIX) and template in artifact.files:
            source = artifact.files[template].decode("utf-8")
        else:
            raise TemplateNotFound(template)
        return source, template_filename(artifact, template), lambda: True


def _environment(artifact: Artifact) -> Environment:
    env = ImmutableSandboxedEnvironment(
        loader=_TreeLoader(artifact),
        undefined=StrictUndefined,
        # Markdown, YAML and CSV, not HTML: escaping would corrupt them. Values stay inert because
        # they are never parsed as templates, not because of escaping.
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(
        add_days=_add_days,
        long_date=_long_date,
        thousands=_thousands,
        md_cell=_md_cell,
        yaml_string=_yaml_string,
    )
    return env


def _render_template(env: Environment, artifact: Artifact, name: str, context: Mapping[str, object]) -> str:
    try:
        return env.get_template(name).render(context)
    except TemplateSyntaxError as exc:
        file = exc.filename or template_filename(artifact, name)
        raise RenderError(file, exc.lineno, exc.message or "syntax error") from None
    except Exception as exc:  # anything a template expression raises is the template's fault
        file, line = _template_frame(exc.__traceback__, template_filename(artifact, name))
        if isinstance(exc, TemplateNotFound):
            reason = f"includes {exc.name!r}, which is not a template of this artifact"
        else:
            reason = f"{type(exc).__name__}: {exc}"
        raise RenderError(file, line, reason) from None


def _template_frame(tb: TracebackType | None, fallback: str) -> tuple[str, int | None]:
    # Jinja2 rewrites tracebacks so frames executing template code carry the template's filename
    # and source line; the innermost such frame is where the fault is (an include's, if nested).
    found: tuple[str, int | None] = (fallback, None)
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.startswith(fallback.split("/", 1)[0] + "/"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


def _checked_output_path(artifact_id: str, rel: str) -> str:
    dest = output_path(rel)
    path = PurePosixPath(dest)
    # The catalog loader already refuses anything odd; this is the last line before bytes are
    # written somewhere, so it is checked again here.
    if path.is_absolute() or "\\" in dest or any(part in {"", ".", ".."} for part in dest.split("/")):
        raise RenderError(f"{artifact_id}/{TREE_DIR}/{rel}", None, f"unsafe output path {dest!r}")
    if path.name == REVIEWER_GUIDE_FILE:
        raise RenderError(f"{artifact_id}/{TREE_DIR}/{rel}", None, "the reviewer guide must not be rendered")
    return dest


def _parse_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _add_days(value: Any, days: int) -> str:
    """``{{ sunset_date | add_days(-90) }}`` → ISO date, so a timeline moves with the recruiter's date."""
    return (_parse_date(value) + dt.timedelta(days=int(days))).isoformat()


def _long_date(value: Any) -> str:
    """``2027-03-31`` → ``Wednesday 31 March 2027``."""
    day = _parse_date(value)
    return f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]} {day.year}"


def _md_cell(value: Any) -> str:
    """A value inside a markdown table cell: a ``|`` would otherwise open a new column."""
    return str(value).replace("\\", "\\\\").replace("|", "\\|")


def _yaml_string(value: Any) -> str:
    """A double-quoted YAML scalar (JSON string syntax, which YAML accepts), keeping non-ASCII readable."""
    return json.dumps(str(value), ensure_ascii=False)


def _thousands(value: Any) -> str:
    """``1234567`` → ``1,234,567``."""
    return f"{int(value):,}"
