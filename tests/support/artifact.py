"""A small artifact written to a temporary folder, so service tests do not depend on the real catalog."""

from __future__ import annotations

import textwrap
from pathlib import Path

TEST_ARTIFACT_TOML = """\
id = "test-sample"
title = "Test sample"
profile = "api-platform-tpm"
summary = "A small artifact for the service's tests."
time_limit_hours = 48
instructions = "Read the RFC and answer in a pull request."

[variables.company]
type = "string"
default = "Acme"
description = "The company name shown to the candidate."
max_length = 40

[variables.seats]
type = "integer"
default = 10
description = "How many seats the customer has."

[[rubric.criteria]]
id = "clarity"
title = "Clarity"
weight = 2.0
anchors = { 1 = "Hard to follow.", 2 = "Followable with effort.", 3 = "Clear.", 4 = "Crisp and complete." }

[[rubric.criteria]]
id = "risk"
title = "Risk handling"
weight = 1.0
anchors = { 1 = "Ignores risk.", 2 = "Names risks.", 3 = "Mitigates risks.", 4 = "Plans for failure." }
"""


def write_test_artifact(directory: Path) -> Path:
    folder = directory / "test-sample"
    (folder / "repo").mkdir(parents=True)
    (folder / "artifact.toml").write_text(TEST_ARTIFACT_TOML)
    (folder / "REVIEWER_GUIDE.md").write_text("Look for a rollout plan.\n")
    (folder / "repo" / "README.md.j2").write_text(
        textwrap.dedent("""\
            # {{ company }} API deprecation

            {{ company }} has {{ seats }} seats.
        """)
    )
    (folder / "repo" / "NOTES.txt").write_text("Plain file, copied as is.\n")
    return directory
