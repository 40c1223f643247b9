"""Rendered work samples, cached per (artifact, variables) for the life of a worker.

Rendering is a pure function of the artifact and the recruiter's values, and the most expensive
thing a provisioning job does on its own CPU (the renderer builds and compiles its Jinja templates
on every call: about as long as all of a job's GitHub calls together). A role's candidates share
their values, so a worker renders each distinct input once.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Mapping

from worksample.artifacts.catalog import Catalog
from worksample.artifacts.render import render_artifact

DEFAULT_SIZE = 128


class RenderCache:
    """A bounded least-recently-used cache of ``render_artifact`` results."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError(f"cache size must be >= 1, got {size}")
        self._size = size
        self._entries: OrderedDict[str, tuple[dict[str, bytes], str]] = OrderedDict()
        self.renders = 0

    def render(
        self, catalog: Catalog, artifact_id: str, values: Mapping[str, object]
    ) -> tuple[dict[str, bytes], str]:
        """``(files, title)``; raises what ``catalog.get`` and ``render_artifact`` raise."""
        key = json.dumps([artifact_id, values], sort_keys=True, default=str)
        hit = self._entries.get(key)
        if hit is not None:
            self._entries.move_to_end(key)
            files, title = hit
            # A copy: callers own what they get, and the cached bytes must stay as rendered.
            return dict(files), title
        artifact = catalog.get(artifact_id)
        files = render_artifact(artifact, values)
        self.renders += 1
        self._entries[key] = (files, artifact.manifest.title)
        if len(self._entries) > self._size:
            self._entries.popitem(last=False)
        return dict(files), artifact.manifest.title
