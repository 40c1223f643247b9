"""Loading ``artifacts/<id>/`` folders into an immutable, in-memory catalog.

Load once per process and share the result: the API builds it in the app lifespan
(``app.state.catalog = load_catalog(settings.artifacts_dir)``) and hands it to routes through a
dependency; the worker does the same in its startup hook. Loading reads every file into memory,
so rendering afterwards does no file I/O and cannot be steered to read anything outside the
artifact's own folder. A bad folder fails the load loudly at start-up rather than at a
candidate's first render.

Folder layout::

    artifacts/<id>/artifact.toml      the manifest (``model.Manifest``)
    artifacts/<id>/REVIEWER_GUIDE.md  for reviewers only; never rendered into the candidate's tree
    artifacts/<id>/repo/...           the tree to render; ``*.j2`` files are Jinja2 templates
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from worksample.artifacts.errors import ArtifactError, UnknownArtifact
from worksample.artifacts.model import Artifact, Manifest
from worksample.artifacts.values import check_value

MANIFEST_FILE = "artifact.toml"
REVIEWER_GUIDE_FILE = "REVIEWER_GUIDE.md"
TREE_DIR = "repo"
TEMPLATE_SUFFIX = ".j2"
# Names the renderer puts in every template's context; a variable may not shadow them.
RESERVED_NAMES = frozenset({"artifact"})
# Generous for prose and small fixtures (the manifest and the guide too); a bigger file is almost
# certainly a mistake in the folder.
MAX_FILE_BYTES = 2 * 1024 * 1024


class Catalog:
    """The loaded artifacts, by id. Immutable after construction, so safe to share across requests."""

    def __init__(self, artifacts: Iterable[Artifact]) -> None:
        by_id: dict[str, Artifact] = {}
        for artifact in artifacts:
            if artifact.id in by_id:
                raise ArtifactError(f"{artifact.id}: artifact id appears twice in the catalog")
            by_id[artifact.id] = artifact
        self._by_id = dict(sorted(by_id.items()))
        self._all = tuple(self._by_id.values())

    def get(self, artifact_id: str) -> Artifact:
        try:
            return self._by_id[artifact_id]
        except KeyError:
            raise UnknownArtifact(artifact_id, tuple(self._by_id)) from None

    def all(self) -> tuple[Artifact, ...]:
        """Every artifact, sorted by id."""
        return self._all

    def ids(self) -> tuple[str, ...]:
        return tuple(self._by_id)

    def __contains__(self, artifact_id: object) -> bool:
        return artifact_id in self._by_id

    def __len__(self) -> int:
        return len(self._all)


def artifact_folders(directory: Path) -> list[Path]:
    """The artifact folders under ``directory``, sorted; hidden and ``_``-prefixed entries are skipped."""
    if not directory.is_dir():
        raise ArtifactError(f"{directory}: artifacts directory does not exist or is not a directory")
    return sorted(
        entry for entry in directory.iterdir() if entry.is_dir() and not entry.name.startswith((".", "_"))
    )


def load_catalog(directory: Path) -> Catalog:
    """Load every artifact folder under ``directory``; the first bad folder raises ``ArtifactError``."""
    return Catalog(load_artifact(folder) for folder in artifact_folders(directory))


def load_artifact(folder: Path) -> Artifact:
    """Load one artifact folder, checking everything that can be checked without rendering."""
    name = folder.name
    manifest = _load_manifest(folder)
    if manifest.id != name:
        raise ArtifactError(f"{name}/{MANIFEST_FILE}: id {manifest.id!r} must equal the folder name {name!r}")
    for var_name, variable in manifest.variables.items():
        if var_name in RESERVED_NAMES:
            raise ArtifactError(f"{name}/{MANIFEST_FILE}: variable name {var_name!r} is reserved")
        try:
            check_value(variable, variable.default)
        except ValueError as exc:
            raise ArtifactError(
                f"{name}/{MANIFEST_FILE}: default of variables.{var_name} is invalid: {exc}"
            ) from None
    guide_path = folder / REVIEWER_GUIDE_FILE
    if not guide_path.is_file() or guide_path.is_symlink():
        raise ArtifactError(f"{name}/{REVIEWER_GUIDE_FILE}: missing (every artifact needs a reviewer guide)")
    reviewer_guide = _read_text(guide_path, f"{name}/{REVIEWER_GUIDE_FILE}")
    files = _load_tree(folder / TREE_DIR, f"{name}/{TREE_DIR}")
    return Artifact(manifest=manifest, reviewer_guide=reviewer_guide, files=files)


def _load_manifest(folder: Path) -> Manifest:
    where = f"{folder.name}/{MANIFEST_FILE}"
    path = folder / MANIFEST_FILE
    if path.is_symlink():
        raise ArtifactError(f"{where}: must be a regular file, not a symbolic link")
    if not path.is_file():
        raise ArtifactError(f"{where}: missing")
    try:
        data = tomllib.loads(_read_text(path, where))
    except tomllib.TOMLDecodeError as exc:
        # tomllib's message already carries "(at line N, column M)".
        raise ArtifactError(f"{where}: not valid TOML: {exc}") from None
    try:
        return Manifest.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in err['loc']) or '(top level)'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ArtifactError(f"{where}: {problems}") from None


def _read_bytes(path: Path, where: str) -> bytes:
    try:
        # Checked before reading, so a huge file dropped in by mistake is not read into memory.
        if path.stat().st_size > MAX_FILE_BYTES:
            raise ArtifactError(f"{where}: larger than {MAX_FILE_BYTES} bytes")
        return path.read_bytes()
    except OSError as exc:
        raise ArtifactError(f"{where}: cannot read: {exc.strerror}") from None


def _utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArtifactError(f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def _read_text(path: Path, where: str) -> str:
    return _utf8(_read_bytes(path, where), where)


def _load_tree(root: Path, where: str) -> dict[str, bytes]:
    if root.is_symlink() or not root.is_dir():
        raise ArtifactError(f"{where}/: missing (the tree to render lives in {TREE_DIR}/)")
    files: dict[str, bytes] = {}
    outputs: dict[str, str] = {}
    for rel in _walk(root, "", where):
        data = _read_bytes(root / rel, f"{where}/{rel}")
        if rel.endswith(TEMPLATE_SUFFIX):
            _utf8(data, f"{where}/{rel}")
        output = output_path(rel)
        if not output or output.endswith("/"):
            raise ArtifactError(f"{where}/{rel}: a template needs a name before {TEMPLATE_SUFFIX}")
        if output in outputs:
            raise ArtifactError(f"{where}/{rel}: renders to {output!r}, as does {outputs[output]!r}")
        outputs[output] = rel
        files[rel] = data
    if not files:
        raise ArtifactError(f"{where}/: empty (nothing for the candidate)")
    return files


def _walk(root: Path, prefix: str, where: str) -> Iterable[str]:
    # Symlinks are refused rather than followed: a link is the one way a template tree could
    # reach a file outside its artifact folder, and it would not survive a git push anyway.
    with os.scandir(root / prefix if prefix else root) as entries:
        for entry in sorted(entries, key=lambda e: e.name):
            rel = f"{prefix}{entry.name}"
            if entry.is_symlink():
                raise ArtifactError(f"{where}/{rel}: symbolic links are not allowed in an artifact tree")
            if entry.name == ".git":
                raise ArtifactError(f"{where}/{rel}: a .git folder does not belong in an artifact tree")
            if entry.is_dir():
                yield from _walk(root, f"{rel}/", where)
            elif entry.is_file():
                yield rel
            else:
                raise ArtifactError(f"{where}/{rel}: not a regular file")


def output_path(rel: str) -> str:
    """Where a tree file lands in the rendered tree: the ``.j2`` suffix is dropped."""
    return rel[: -len(TEMPLATE_SUFFIX)] if rel.endswith(TEMPLATE_SUFFIX) else rel
