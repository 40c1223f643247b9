"""The artifact manifest as typed, immutable values.

This module is the contract between the catalog (which loads ``artifacts/<id>/artifact.toml``),
the renderer, scoring (which reads the rubric) and the API (which lists artifacts). It does no I/O.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

ArtifactId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
CriterionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,62}$")]
VariableName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,62}$")]

# Score levels are fixed at 1–4: an even scale has no "safe middle", which forces a reviewer to
# decide whether the candidate cleared the bar.
SCORE_LEVELS: tuple[int, ...] = (1, 2, 3, 4)
MIN_SCORE = SCORE_LEVELS[0]
MAX_SCORE = SCORE_LEVELS[-1]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Variable(_Frozen):
    """A value a recruiter may set when triggering an assignment (company name, sunset date, ...)."""

    type: Literal["string", "integer", "date"] = "string"
    default: str | int
    description: str = Field(min_length=1)
    # Upper bound on a string value's length: recruiter input ends up in candidate-facing files.
    max_length: int = Field(default=200, ge=1, le=10_000)


class Criterion(_Frozen):
    """One rubric line: what a reviewer scores from 1 to 4, with a behavioural anchor per level."""

    id: CriterionId
    title: str = Field(min_length=1)
    # Finite only: an infinite weight would make every other criterion meaningless.
    weight: float = Field(gt=0, allow_inf_nan=False)
    required: bool = True
    # What each score level looks like; keys are the levels 1..4. Reviewer-only text.
    anchors: dict[int, str]

    @model_validator(mode="after")
    def _anchor_per_level(self) -> Criterion:
        if sorted(self.anchors) != list(SCORE_LEVELS):
            raise ValueError(f"criterion {self.id!r}: anchors must cover exactly levels {list(SCORE_LEVELS)}")
        if any(not text.strip() for text in self.anchors.values()):
            raise ValueError(f"criterion {self.id!r}: every anchor needs text")
        return self


class Rubric(_Frozen):
    criteria: tuple[Criterion, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Rubric:
        ids = [c.id for c in self.criteria]
        if len(ids) != len(set(ids)):
            raise ValueError("rubric criterion ids must be unique")
        titles = [c.title.casefold() for c in self.criteria]
        if len(titles) != len(set(titles)):
            raise ValueError("rubric criterion titles must be unique (reviewers may score by title)")
        return self

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)


class Manifest(_Frozen):
    """``artifact.toml``. The folder name must equal ``id``."""

    id: ArtifactId
    title: str = Field(min_length=1)
    # The role profile this sample targets, e.g. "api-platform-tpm", "data-platform-tpm".
    profile: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    time_limit_hours: int = Field(gt=0, le=24 * 30)
    instructions: str = Field(min_length=1)
    variables: dict[VariableName, Variable] = Field(default_factory=dict)
    rubric: Rubric


class Artifact(_Frozen):
    """A loaded artifact: its manifest, reviewer guide and the files of the tree to render.

    ``files`` maps a POSIX path relative to the rendered tree to the file's raw bytes; a path
    ending in ``.j2`` is a Jinja2 template (the suffix is dropped when rendered), anything else
    is copied byte for byte.
    """

    manifest: Manifest
    reviewer_guide: str
    files: dict[str, bytes]

    @property
    def id(self) -> str:
        return self.manifest.id
