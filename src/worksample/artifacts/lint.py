"""``worksample artifacts lint``: everything that must hold before an artifact reaches a candidate.

The model already refuses a malformed manifest (weights not positive, a missing anchor level);
this adds what needs the whole folder or a render: every template renders with the defaults, the
render is reproducible, the candidate's README carries the instructions, a RESPONSE.md template
is there, the reviewer guide is substantial and covers the rubric, and no reviewer text leaks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from worksample.artifacts.catalog import artifact_folders, load_artifact
from worksample.artifacts.errors import ArtifactError, RenderError, VariableError
from worksample.artifacts.leaks import find_leaks, reviewer_passages, words
from worksample.artifacts.model import Artifact
from worksample.artifacts.render import render_artifact, render_instructions

README_FILE = "README.md"
RESPONSE_FILE = "RESPONSE.md"
MIN_GUIDE_WORDS = 600
MIN_ANCHOR_WORDS = 6
# A reviewer scores every criterion in one sitting; more than this and scores become noise.
MIN_CRITERIA, MAX_CRITERIA = 3, 8
# Sections a reviewer guide needs, matched against its headings (lower-cased).
GUIDE_SECTIONS = {
    "what the artifact hides": re.compile(r"hides|planted|flaws"),
    "what a strong answer catches": re.compile(r"strong answer"),
    "red flags": re.compile(r"red flags?"),
    "a worked example": re.compile(r"worked example"),
}
_HEADING = re.compile(r"^#{1,6}\s+(.*)$", re.MULTILINE)


@dataclass(frozen=True)
class Problem:
    artifact: str
    message: str

    def __str__(self) -> str:
        return f"{self.artifact}: {self.message}"


def lint_catalog(directory: Path) -> list[Problem]:
    """Every problem in every artifact folder under ``directory`` (an empty list means clean)."""
    folders = artifact_folders(directory)
    if not folders:
        return [Problem(str(directory), "no artifact folders found")]
    problems: list[Problem] = []
    for folder in folders:
        try:
            artifact = load_artifact(folder)
        except ArtifactError as exc:
            problems.append(Problem(folder.name, str(exc)))
            continue
        problems.extend(lint_artifact(artifact))
    return problems


def lint_artifact(artifact: Artifact) -> list[Problem]:
    messages = _rubric_problems(artifact) + _guide_problems(artifact)
    try:
        first = render_artifact(artifact, {})
        second = render_artifact(artifact, {})
    except (RenderError, VariableError) as exc:
        messages.append(f"does not render with its defaults: {exc}")
    else:
        messages.extend(_tree_problems(artifact, first))
        if first != second:
            differing = sorted(p for p in first.keys() | second.keys() if first.get(p) != second.get(p))
            messages.append(f"two renders with the same values differ in: {', '.join(differing)}")
    return [Problem(artifact.id, m) for m in messages]


def _rubric_problems(artifact: Artifact) -> list[str]:
    criteria = artifact.manifest.rubric.criteria
    messages: list[str] = []
    if not MIN_CRITERIA <= len(criteria) <= MAX_CRITERIA:
        messages.append(
            f"rubric has {len(criteria)} criteria; keep it between {MIN_CRITERIA} and {MAX_CRITERIA}"
        )
    if not any(c.required for c in criteria):
        messages.append("rubric has no required criterion: nothing would make a response a clear no")
    for c in criteria:
        anchors = [words(text) for _, text in sorted(c.anchors.items())]
        if len({tuple(a) for a in anchors}) != len(anchors):
            messages.append(f"rubric {c.id}: two levels share the same anchor text")
        for level, anchor in zip(sorted(c.anchors), anchors, strict=True):
            if len(anchor) < MIN_ANCHOR_WORDS:
                messages.append(
                    f"rubric {c.id} level {level}: anchor is {len(anchor)} words; describe behaviour a "
                    f"reviewer can recognise (at least {MIN_ANCHOR_WORDS})"
                )
    return messages


def _guide_problems(artifact: Artifact) -> list[str]:
    guide = artifact.reviewer_guide
    messages: list[str] = []
    count = len(words(guide))
    if count < MIN_GUIDE_WORDS:
        messages.append(
            f"REVIEWER_GUIDE.md has {count} words; a useful guide needs at least {MIN_GUIDE_WORDS}"
        )
    headings = " | ".join(h.casefold() for h in _HEADING.findall(guide))
    for section, pattern in GUIDE_SECTIONS.items():
        if not pattern.search(headings):
            messages.append(f"REVIEWER_GUIDE.md has no section for {section}")
    for c in artifact.manifest.rubric.criteria:
        # The worked example scores every criterion; a criterion it never names has drifted.
        if c.id not in guide:
            messages.append(f"REVIEWER_GUIDE.md never mentions rubric criterion {c.id!r}")
    return messages


def _tree_problems(artifact: Artifact, tree: dict[str, bytes]) -> list[str]:
    messages: list[str] = []
    readme = tree.get(README_FILE)
    if readme is None:
        messages.append(f"rendered tree has no {README_FILE} for the candidate instructions")
    else:
        instructions = " ".join(words(render_instructions(artifact, {})))
        if instructions not in " ".join(words(readme.decode("utf-8", "replace"))):
            messages.append(f"{README_FILE} does not contain the manifest's instructions")
    if RESPONSE_FILE not in tree:
        messages.append(f"rendered tree has no {RESPONSE_FILE} template for the candidate's answer")
    messages.extend(str(leak) for leak in find_leaks(tree, reviewer_passages(artifact)))
    return messages
