"""Shared helpers: the real catalog, and a builder for small artifact folders made for one test."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from worksample.artifacts.catalog import Catalog, load_catalog
from worksample.config import DEFAULT_ARTIFACTS_DIR

MANIFEST = '''
id = "{artifact_id}"
title = "A sample for tests"
profile = "api-platform-tpm"
summary = "Used only by the tests."
time_limit_hours = 48
instructions = """
Review the plan for {{{{ company_name }}}} and answer in RESPONSE.md."""

[variables.company_name]
type = "string"
default = "Acme"
description = "Company name."
max_length = 40

[variables.seats]
type = "integer"
default = 3
description = "How many seats."

[variables.start]
type = "date"
default = "2027-01-04"
description = "Start date."

{criteria}
'''

CRITERION = """
[[rubric.criteria]]
id = "{cid}"
title = "Criterion {cid}"
weight = {weight}
required = true
[rubric.criteria.anchors]
1 = "Level one for {cid}: misses the point of the exercise entirely here."
2 = "Level two for {cid}: sees the problem but proposes nothing concrete."
3 = "Level three for {cid}: names the problem and a workable fix for it."
4 = "Level four for {cid}: fixes it, sequences it, and says what it costs."
"""

# A guide long enough for lint, with the required sections, in words no tree file uses.
GUIDE = "\n\n".join(
    [
        "# Guide",
        "## What the artifact hides",
        " ".join(f"hidden{i}" for i in range(200)),
        "## What a strong answer catches",
        " ".join(f"strong{i}" for i in range(200)),
        "## Red flags",
        " ".join(f"flag{i}" for i in range(200)),
        "## Worked example",
        "alpha scored 3, bravo scored 4, charlie scored 2.",
    ]
)

TREE: dict[str, str | bytes] = {
    "README.md.j2": "# {{ company_name }}\n\n{{ artifact.instructions }}\n",
    "RESPONSE.md": "# Response\n\nYour recommendation here.\n",
    "plan.md.j2": "Seats: {{ seats }}\nStarts {{ start | long_date }}, ends {{ start | add_days(10) }}.\n",
}

ArtifactFactory = Callable[..., Path]


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog(DEFAULT_ARTIFACTS_DIR)


@pytest.fixture
def make_artifact(tmp_path: Path) -> ArtifactFactory:
    """Write an artifact folder under ``tmp_path/catalog`` and return the catalog directory."""

    def make(
        artifact_id: str = "sample",
        *,
        files: Mapping[str, str | bytes] | None = None,
        extra_files: Mapping[str, str | bytes] | None = None,
        manifest: str | None = None,
        guide: str | None = GUIDE,
        criteria: tuple[tuple[str, float], ...] = (("alpha", 2), ("bravo", 1), ("charlie", 1)),
    ) -> Path:
        root = tmp_path / "catalog"
        folder = root / artifact_id
        (folder / "repo").mkdir(parents=True)
        blocks = "".join(CRITERION.format(cid=cid, weight=weight) for cid, weight in criteria)
        text = manifest if manifest is not None else MANIFEST.format(artifact_id=artifact_id, criteria=blocks)
        (folder / "artifact.toml").write_text(text)
        if guide is not None:
            (folder / "REVIEWER_GUIDE.md").write_text(guide)
        tree = dict(TREE if files is None else files)
        tree.update(extra_files or {})
        for rel, content in tree.items():
            path = folder / "repo" / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
        return root

    return make
