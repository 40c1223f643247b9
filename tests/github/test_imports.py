"""Every module of the webhook and review code imports on its own, whatever was imported before.

``review`` once read payload fields from ``github.handlers.context``, whose package imports every
handler, which import ``review``: importing ``review.submission`` first then failed halfway through
(a circular import), while the usual order, handlers first, hid it.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import worksample.github
import worksample.review
import worksample.scoring

# One fresh interpreter for all of them: ``worksample`` is forgotten before each import, the
# third-party packages it needs stay loaded, so the whole check takes about a second.
SCRIPT = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m == "worksample" or m.startswith("worksample.")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as exc:
        failed.append(f"{name}: {type(exc).__name__}: {exc}")
print("\\n".join(failed))
sys.exit(1 if failed else 0)
"""


def modules() -> list[str]:
    names = ["worksample.api.github_webhooks", "worksample.jobs.webhooks"]
    for package in (worksample.github, worksample.review, worksample.scoring):
        names.append(package.__name__)
        names += [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]
    return names


def test_each_module_imports_first() -> None:
    names = modules()
    assert "worksample.review.submission" in names
    assert "worksample.github.handlers.pull_request" in names
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *names], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
