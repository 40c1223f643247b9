"""Repository names, ownership markers, content digests and the render cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from worksample.artifacts.catalog import load_catalog
from worksample.artifacts.errors import UnknownArtifact
from worksample.provisioning.naming import is_ours, repository_description, repository_name
from worksample.provisioning.rendering import RenderCache
from worksample.provisioning.templates import (
    LocalTemplateRegistry,
    content_digest,
    is_our_template,
    template_description,
    template_name,
)


def test_repository_names() -> None:
    assert repository_name("api-deprecation-rfc", "Octo-Cat") == "api-deprecation-rfc-octo-cat"
    assert repository_name("api-deprecation-rfc", "octo-cat", 3) == "api-deprecation-rfc-octo-cat-3"
    long = repository_name("a" * 64, "b" * 39, 12)
    assert len(long) == 100
    assert long.endswith("-12")
    with pytest.raises(ValueError, match="counts from 1"):
        repository_name("x", "y", 0)


def test_description_marks_the_assignment_even_when_the_title_is_long() -> None:
    description = repository_description("T" * 1000, "a1b2")
    assert len(description) <= 350
    assert is_ours(description, "a1b2")
    assert not is_ours(description, "a1b")  # a prefix of another id is not a match
    assert not is_ours(None, "a1b2")


def test_content_digest_depends_on_paths_and_bytes_not_order() -> None:
    a = {"README.md": b"hello", "src/x.py": b"print(1)\n"}
    b = dict(reversed(list(a.items())))
    assert content_digest(a) == content_digest(b)
    assert content_digest(a) != content_digest({**a, "README.md": b"hello!"})
    # Moving bytes between a path and its content must not collide.
    assert content_digest({"ab": b"c"}) != content_digest({"a": b"bc"})
    digest = content_digest(a)
    assert template_name("rfc", digest) == f"worksample-template-rfc-{digest[:12]}"
    assert is_our_template(template_description("RFC", digest), digest)
    assert not is_our_template(template_description("RFC", digest), content_digest({}))


async def test_local_registry_remembers_and_forgets() -> None:
    registry = LocalTemplateRegistry()
    assert await registry.get(1, "d") is None
    async with registry.building(1, "d"):
        await registry.put(1, "d", "acme/t")
    assert await registry.get(1, "d") == "acme/t"
    assert await registry.get(2, "d") is None
    await registry.forget(1, "d")
    assert await registry.get(1, "d") is None


def test_render_cache_renders_each_input_once(artifacts_dir: Path) -> None:
    catalog = load_catalog(artifacts_dir)
    cache = RenderCache(size=2)
    first, title = cache.render(catalog, "test-sample", {"company": "Globex", "seats": 3})
    assert title == "Test sample"
    assert first["README.md"].startswith(b"# Globex")
    first["README.md"] = b"tampered"  # callers get copies
    again, _ = cache.render(catalog, "test-sample", {"seats": 3, "company": "Globex"})
    assert again["README.md"].startswith(b"# Globex")
    assert cache.renders == 1
    cache.render(catalog, "test-sample", {"company": "Initech"})
    cache.render(catalog, "test-sample", {"company": "Hooli"})
    cache.render(catalog, "test-sample", {"company": "Globex", "seats": 3})  # evicted: least recent
    assert cache.renders == 4
    with pytest.raises(UnknownArtifact):
        cache.render(catalog, "no-such-artifact", {})
