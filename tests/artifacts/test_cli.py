"""``worksample artifacts ...`` through the real command, as an operator would run it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.artifacts.conftest import ArtifactFactory
from worksample.cli import _register, app
from worksample.config import DEFAULT_ARTIFACTS_DIR

RENDER = ("render", "db-migration-plan")


@pytest.fixture(scope="module")
def run() -> CliRunner:
    _register()
    return CliRunner()


def invoke(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["artifacts", *args])
    # A crash would surface as an exception here rather than as an exit code and a message.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def test_list_shows_both_samples_and_their_variables(run: CliRunner) -> None:
    code, out, _ = invoke(run, "list", "--artifacts-dir", str(DEFAULT_ARTIFACTS_DIR))
    assert code == 0
    assert "api-deprecation-rfc  [api-platform-tpm, 72 h]" in out
    assert "db-migration-plan  [data-platform-tpm, 72 h]" in out
    assert "--var sunset_date=...  (date, default 2027-03-30)" in out


def test_render_writes_the_tree_with_values(run: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, stdout, _ = invoke(
        run, "render", "api-deprecation-rfc", "--out", str(out), "--var", "company_name=Initech",
        "--var", "sunset_date=2027-09-30", "--artifacts-dir", str(DEFAULT_ARTIFACTS_DIR),
    )  # fmt: skip
    assert code == 0
    assert stdout == f"wrote 9 files to {out}\n"
    assert (out / "README.md").read_text().startswith("# Initech: review the plan to retire Orders API v1")
    assert "Thursday 30 September 2027" in (out / "rfc" / "0042-retire-v1.md").read_text()
    assert not (out / "REVIEWER_GUIDE.md").exists()


def test_render_refuses_a_non_empty_out_unless_forced(run: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    args = ("render", "db-migration-plan", "--out", str(out), "--artifacts-dir", str(DEFAULT_ARTIFACTS_DIR))
    code, _, err = invoke(run, *args)
    assert code == 2
    assert err == f"error: --out {out}: not empty (pass --force to write into it)\n"
    code, _, _ = invoke(run, *args, "--force")
    assert code == 0
    assert (out / "keep.txt").read_text() == "mine"
    assert (out / "sql" / "002_backfill.sql").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("render", "nope"), "error: unknown artifact 'nope' (known: api-deprecation-rfc, db-migration-plan"),
        ((*RENDER, "--var", "novalue"), "error: --var 'novalue': expected KEY=VALUE"),
        ((*RENDER, "--var", "a=1", "--var", "a=2"), "error: --var a: given more than once"),
        (
            (*RENDER, "--var", "cutover_date=tomorrow", "--var", "colour=red"),
            "error: --var colour: unknown variable for artifact 'db-migration-plan'",
        ),
        ((*RENDER, "--var", "cutover_date=tomorrow"), "error: --var cutover_date: must be a date"),
    ],
)
def test_bad_input_exits_2_with_a_readable_error(
    run: CliRunner, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    out = tmp_path / "out"
    code, _, err = invoke(run, *args, "--out", str(out), "--artifacts-dir", str(DEFAULT_ARTIFACTS_DIR))
    assert code == 2
    assert message in err
    assert not out.exists()


def test_render_of_a_broken_template_exits_1_naming_file_and_line(
    run: CliRunner, make_artifact: ArtifactFactory, tmp_path: Path
) -> None:
    root = make_artifact(extra_files={"x.md.j2": "ok\n{{ nope }}\n"})
    code, _, err = invoke(run, "render", "sample", "--out", str(tmp_path / "o"), "--artifacts-dir", str(root))
    assert code == 1
    assert err == "error: sample/repo/x.md.j2:2: UndefinedError: 'nope' is undefined\n"


def test_lint_passes_on_the_real_catalog(run: CliRunner) -> None:
    code, out, _ = invoke(run, "lint", "--artifacts-dir", str(DEFAULT_ARTIFACTS_DIR))
    assert code == 0
    assert out.startswith("ok: every artifact in")


def test_lint_lists_problems_and_exits_1(run: CliRunner, make_artifact: ArtifactFactory) -> None:
    root = make_artifact(guide="# Guide\n")
    code, _, err = invoke(run, "lint", "--artifacts-dir", str(root))
    assert code == 1
    lines = err.splitlines()
    assert "- sample: REVIEWER_GUIDE.md has 1 words; a useful guide needs at least 600" in lines
    assert lines[-1] == f"error: {len(lines) - 1} problem(s) in {root}"


def test_lint_on_a_missing_directory_exits_2(run: CliRunner, tmp_path: Path) -> None:
    code, _, err = invoke(run, "lint", "--artifacts-dir", str(tmp_path / "missing"))
    assert code == 2
    assert "artifacts directory does not exist" in err


def test_render_reports_an_unwritable_path_without_a_traceback(run: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    (out / "README.md").mkdir(parents=True)  # a directory where a file must go
    args = ("render", "db-migration-plan", "--out", str(out), "--force")
    code, _, err = invoke(run, *args, "--artifacts-dir", str(DEFAULT_ARTIFACTS_DIR))
    assert code == 2
    assert err.startswith(f"error: --out {out}: cannot write README.md: ")


def test_a_bad_setting_in_the_environment_is_named_not_a_traceback(
    run: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without --artifacts-dir the folder comes from the settings, which must all parse.
    monkeypatch.setenv("WORKSAMPLE_SMTP_PORT", "twenty-five")
    for command in ("list", "lint"):
        code, _, err = invoke(run, command)
        assert code == 2
        assert "WORKSAMPLE_SMTP_PORT" in err
