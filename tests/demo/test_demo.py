"""``worksample demo --json`` end to end, and its clear refusals (taken port, no Redis).

The walkthrough must go exactly as far as the product goes: a step the service supports (its API
lists the route) must be done, never skipped, and a skipped one must really be missing.
"""

from __future__ import annotations

import json
import shutil
import socket
from typing import Any

import pytest

from tests.demo.conftest import demo_env, run_demo
from worksample.app import create_app
from worksample.config import Settings

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server installed")


def _service_paths() -> dict[str, Any]:
    paths: dict[str, Any] = create_app(Settings(_env_file=None, sandbox=True)).openapi()["paths"]
    return paths


def _steps(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {step["key"]: step for step in summary["steps"]}


# The demo takes seconds alone; a machine busy with the rest of the suite can stretch it.
@pytest.mark.timeout(300)
def test_demo_walks_one_assignment_as_far_as_the_product_goes(unused_redis_url: str) -> None:
    # Nothing answers at this URL, so the demo also shows it starts (and stops) a private Redis.
    result = run_demo("--json", "--redis-url", unused_redis_url, "--wait-seconds", "30")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "Traceback" not in result.stderr
    summary = json.loads(result.stdout)
    steps = _steps(summary)
    assert summary["failed"] == []
    assert summary["not_reached"] == []
    assert summary["redis"] == "private"

    # Provisioning: the service (its App installation) made the GitHub calls, counted by the simulator.
    assert steps["provision"]["status"] == "done"
    assert steps["provision"]["github_calls_by_actor"].get("service", 0) >= 3
    assert any(
        call.startswith("POST /orgs/acme/repos") or "/generate" in call
        for step in summary["steps"]
        for call in step["github_call_list"]
    )
    # The people's own actions went through GitHub's REST API with their tokens.
    assert steps["accept"]["github_calls_by_actor"].get("user:ada-candidate", 0) >= 2
    assert steps["review"]["github_calls_by_actor"].get("user:grace-lead", 0) >= 1
    assert summary["repo_url"].startswith("http://127.0.0.1:")
    assert summary["github_calls_total"] == sum(s["github_calls"] for s in summary["steps"])

    paths = _service_paths()
    if "/github/webhooks" in paths:
        for key in ("accept", "submit", "review"):
            assert steps[key]["status"] == "done", steps[key]
        assert summary["status"] == "scored"
        assert isinstance(summary["score"], int | float)
        assert 0 <= summary["score"] <= 100
        assert summary["pr_url"].endswith("/pull/1")
    else:
        assert summary["status"] == "invited"
        assert {"accept", "submit", "review"} <= set(summary["not_in_this_build"])

    if any("endpoint" in path and "post" in ops for path, ops in paths.items()):
        assert steps["ats"]["status"] == "done", steps["ats"]
        deliveries = summary["ats_deliveries"]
        assert deliveries
        assert all(d["verified"] for d in deliveries), deliveries
        assert "assignment.scored" in {d["event_type"] for d in deliveries}
        # The whole story reached the ATS, in order (by version: arrival order is not promised),
        # not only the score.
        kinds = [d["event_type"] for d in sorted(deliveries, key=lambda d: d["version"])]
        assert (
            kinds.index("assignment.created")
            < kinds.index("assignment.submitted")
            < kinds.index("assignment.scored")
        )
        # The per-criterion breakdown, as the ATS received it: each criterion 0–100, from the lead's 1–4.
        criteria = {c["id"]: c for c in summary["criteria"]}
        assert {"recommendation", "rollback"} <= set(criteria)
        for criterion in criteria.values():
            assert 0 <= criterion["score"] <= 100
            assert 1 <= criterion["scores"]["grace-lead"] <= 4
        assert [r["login"] for r in summary["reviewers"]] == ["grace-lead"]
        assert summary["reviewers"][0]["score"] == summary["score"]
    else:
        assert {"endpoint", "ats"} <= set(summary["not_in_this_build"])
        assert summary["ats_deliveries"] == []
    assert summary["completed"] == (summary["not_in_this_build"] == [])


def test_a_taken_port_is_refused_in_plain_words() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_demo("--api-port", str(port), timeout=60)
    assert result.returncode == 2
    assert f"port {port} on 127.0.0.1 is taken" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_no_redis_and_no_redis_server_says_how_to_get_one(unused_redis_url: str, tmp_path: Any) -> None:
    # A PATH without redis-server: the demo cannot start its own.
    result = run_demo("--json", "--redis-url", unused_redis_url, env=demo_env(PATH=str(tmp_path)), timeout=60)
    assert result.returncode == 2
    assert result.stdout == ""
    message = " ".join(result.stderr.split())
    assert f"Redis is not reachable at {unused_redis_url}" in message
    assert "redis-server is not installed" in message
    assert "apt-get install redis-server" in message
    assert "Traceback" not in result.stderr
