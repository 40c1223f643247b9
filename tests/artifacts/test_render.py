"""Rendering: deterministic bytes, inert values, sandboxed templates, errors with file and line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.artifacts.conftest import ArtifactFactory
from worksample.artifacts.catalog import Catalog, load_catalog
from worksample.artifacts.errors import RenderError, VariableError
from worksample.artifacts.model import Artifact
from worksample.artifacts.render import render_artifact
from worksample.config import DEFAULT_ARTIFACTS_DIR

# The console script installed next to this interpreter, so the subprocess runs this checkout.
WORKSAMPLE = str(Path(sys.executable).parent / "worksample")
HOSTILE = "{{ ''.__class__.__mro__ }}{% for x in range(9) %}{{ x }}{% endfor %}"


@pytest.mark.parametrize("artifact_id", ["api-deprecation-rfc", "db-migration-plan"])
def test_rendering_twice_gives_identical_bytes(catalog: Catalog, artifact_id: str) -> None:
    artifact = catalog.get(artifact_id)
    first = render_artifact(artifact, {"company_name": "Initech"})
    second = render_artifact(artifact, {"company_name": "Initech"})
    assert first == second
    assert list(first) == sorted(first)
    assert "README.md" in first
    assert "RESPONSE.md" in first
    assert not any(path.endswith(".j2") for path in first)


def test_renders_are_identical_across_processes(tmp_path: Path) -> None:
    # Hash randomisation differs per process; sorted output must not depend on it.
    trees = []
    for seed in ("1", "2"):
        out = tmp_path / f"out{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [WORKSAMPLE, "artifacts", "render", "db-migration-plan", "--out", str(out),
             "--artifacts-dir", str(DEFAULT_ARTIFACTS_DIR)],
            check=True, env=env, capture_output=True,
        )  # fmt: skip
        trees.append(
            {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}
        )
    assert trees[0] == trees[1]
    assert len(trees[0]) == 10


def test_values_and_dates_reach_the_templates(catalog: Catalog) -> None:
    tree = render_artifact(
        catalog.get("api-deprecation-rfc"), {"sunset_date": "2027-06-30", "api_name": "Pay API"}
    )
    rfc = tree["rfc/0042-retire-v1.md"].decode()
    assert "Wednesday 30 June 2027" in rfc
    assert "Saturday 1 May 2027" in rfc  # announcement, sixty days before
    assert 'title: "Pay API v2"' in tree["rfc/openapi-v2-excerpt.yaml"].decode()
    assert "# Fernhill: review the plan to retire Pay API v1" in tree["README.md"].decode()


def test_plain_files_are_copied_byte_for_byte(make_artifact: ArtifactFactory) -> None:
    blob = b"\x00\x01\xff{{ not a template }}\r\n"
    root = make_artifact(extra_files={"data/blob.bin": blob, "data/crlf.csv": b"a,b\r\n1,2\r\n"})
    tree = render_artifact(load_catalog(root).get("sample"), {})
    assert tree["data/blob.bin"] == blob
    assert tree["data/crlf.csv"] == b"a,b\r\n1,2\r\n"


def test_templates_get_lf_newlines_and_keep_the_final_one(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(extra_files={"notes.md.j2": b"one\r\ntwo {{ seats }}\r\n"})
    assert render_artifact(load_catalog(root).get("sample"), {})["notes.md"] == b"one\ntwo 3\n"


@pytest.mark.parametrize("artifact_id", ["api-deprecation-rfc", "db-migration-plan"])
def test_hostile_values_come_out_as_literal_text(catalog: Catalog, artifact_id: str) -> None:
    artifact = catalog.get(artifact_id)
    names = sorted(
        n for n, v in artifact.manifest.variables.items() if v.type == "string" and v.max_length >= 60
    )
    defaults = render_artifact(artifact, {})
    tree = render_artifact(artifact, {names[0]: HOSTILE[:60], names[1]: "../../x"})
    assert list(tree) == list(defaults)  # a value never moves or adds a file
    text = b"".join(tree.values()).decode("utf-8", "replace")
    assert HOSTILE[:60] in text
    assert "../../x" in text
    assert "<class 'object'>" not in text


def test_values_that_would_restructure_a_file_are_refused(catalog: Catalog) -> None:
    with pytest.raises(VariableError, match="company_name: must be a single line"):
        render_artifact(catalog.get("api-deprecation-rfc"), {"company_name": "x\n---\nowned: true"})


def test_undefined_variable_names_file_and_line(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(extra_files={"docs/notes.md.j2": "line one\nline two\nHello {{ compnay_name }}\n"})
    with pytest.raises(RenderError) as caught:
        render_artifact(load_catalog(root).get("sample"), {})
    assert (caught.value.file, caught.value.line) == ("sample/repo/docs/notes.md.j2", 3)
    assert str(caught.value).startswith(
        "sample/repo/docs/notes.md.j2:3: UndefinedError: 'compnay_name' is undefined"
    )


def test_syntax_error_names_file_and_line(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(extra_files={"broken.md.j2": "ok\n{{ seats + }}\nmore\n"})
    with pytest.raises(RenderError) as caught:
        render_artifact(load_catalog(root).get("sample"), {})
    assert caught.value.file == "sample/repo/broken.md.j2"
    assert caught.value.line == 2
    assert "unexpected" in caught.value.reason


def test_unclosed_block_names_file_and_last_line(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(extra_files={"broken.md.j2": "ok\n{% if seats %}\nunclosed\n"})
    with pytest.raises(RenderError, match=r"^sample/repo/broken.md.j2:3: Unexpected end of template.*endif"):
        render_artifact(load_catalog(root).get("sample"), {})


def test_error_inside_an_include_names_the_included_file(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(
        extra_files={
            "main.md.j2": "top\n{% include 'parts/inner.md.j2' %}\n",
            "parts/inner.md.j2": "a\n{{ 1 // 0 }}\n",
        }
    )
    with pytest.raises(RenderError) as caught:
        render_artifact(load_catalog(root).get("sample"), {})
    assert (caught.value.file, caught.value.line) == ("sample/repo/parts/inner.md.j2", 2)
    assert "ZeroDivisionError" in caught.value.reason


def test_instructions_errors_name_the_manifest(make_artifact: ArtifactFactory) -> None:
    root = make_artifact()
    manifest = root / "sample" / "artifact.toml"
    manifest.write_text(manifest.read_text().replace("{{ company_name }}", "{{ company }}"))
    with pytest.raises(RenderError, match=r"^sample/artifact.toml \(instructions\):1: UndefinedError"):
        render_artifact(load_catalog(root).get("sample"), {})


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ("{{ ''.__class__.__mro__ }}", "SecurityError"),
        ("{{ seats.__class__.__subclasses__() }}", "SecurityError"),
        ("{% include '../artifact.toml' %}", "not a template of this artifact"),
        ("{% include 'RESPONSE.md' %}", "not a template of this artifact"),
        ("{% include '/etc/passwd' %}", "not a template of this artifact"),
    ],
)
def test_templates_cannot_reach_python_internals_or_other_files(
    make_artifact: ArtifactFactory, source: str, reason: str
) -> None:
    root = make_artifact(extra_files={"evil.md.j2": f"\n{source}\n"})
    with pytest.raises(RenderError) as caught:
        render_artifact(load_catalog(root).get("sample"), {})
    assert caught.value.file == "sample/repo/evil.md.j2"
    assert caught.value.line == 2
    assert reason in caught.value.reason


def test_bad_filter_input_is_a_render_error_with_a_line(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(extra_files={"dates.md.j2": "{{ company_name | long_date }}\n"})
    with pytest.raises(RenderError, match=r"^sample/repo/dates.md.j2:1: ValueError"):
        render_artifact(load_catalog(root).get("sample"), {})


def test_values_in_tables_and_yaml_keep_the_file_structure(catalog: Catalog) -> None:
    values = {"author_name": "Ana | Bo", "api_name": 'Ünïcode "quoted" API: v'}
    tree = render_artifact(catalog.get("api-deprecation-rfc"), values)
    assert "| **Author** | Ana \\| Bo, Developer Platform |" in tree["rfc/0042-retire-v1.md"].decode()
    assert 'title: "Ünïcode \\"quoted\\" API: v v2"' in tree["rfc/openapi-v2-excerpt.yaml"].decode()


@pytest.mark.parametrize("rel", ["../../x.md", "/etc/x.md", "a/../../x.md", "a\\..\\x.md"])
def test_an_escaping_path_is_refused_even_if_it_reaches_the_renderer(catalog: Catalog, rel: str) -> None:
    # The loader cannot produce these from a folder; an Artifact built in code still must not.
    base = catalog.get("db-migration-plan")
    artifact = Artifact(manifest=base.manifest, reviewer_guide=base.reviewer_guide, files={rel: b"x"})
    with pytest.raises(RenderError, match="unsafe output path"):
        render_artifact(artifact, {})


def test_a_reviewer_guide_inside_the_tree_is_never_rendered(make_artifact: ArtifactFactory) -> None:
    root = make_artifact(extra_files={"docs/REVIEWER_GUIDE.md": "secret"})
    with pytest.raises(RenderError, match=r"sample/repo/docs/REVIEWER_GUIDE.md: the reviewer guide must not"):
        render_artifact(load_catalog(root).get("sample"), {})
