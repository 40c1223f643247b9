"""The /_sandbox control surface: setup validation, clock, call log, not-simulated routes, faults, reset."""

from __future__ import annotations

import time

from tests.sandbox.conftest import Setup, failure, make_repo


async def test_setup_input_errors_are_clear(setup: Setup) -> None:
    control = setup.control
    bad_login = await control.post("/_sandbox/users", json={"login": "-bad-"})
    assert bad_login.status_code == 422
    assert "invalid login" in bad_login.json()["message"]
    taken = await control.post("/_sandbox/users", json={"login": "LEAD"})
    assert "already taken" in taken.json()["message"]
    missing = await control.post("/_sandbox/users", json={})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "login"
    unknown_member = await control.post("/_sandbox/orgs", json={"login": "x-org", "members": ["ghost"]})
    assert "no user 'ghost'" in unknown_member.json()["message"]
    unknown_app = await control.post("/_sandbox/installations", json={"app_id": 999999, "account": "acme"})
    assert unknown_app.status_code == 404
    twice = await control.post("/_sandbox/installations", json={"app_id": setup.app_id, "account": "acme"})
    assert "already installed" in twice.json()["message"]
    backwards = await control.post("/_sandbox/clock", json={"advance_seconds": -5})
    assert backwards.status_code == 422


async def test_app_registration_returns_a_usable_pem(setup: Setup) -> None:
    assert setup.private_key.startswith("-----BEGIN RSA PRIVATE KEY-----")
    duplicate = await setup.control.post("/_sandbox/apps", json={"name": "Work Sample"})
    assert duplicate.status_code == 422


async def test_clock_moves_forward(setup: Setup) -> None:
    before = (await setup.control.get("/_sandbox/clock")).json()
    assert abs(before["epoch"] - time.time()) < 5
    after = (await setup.control.post("/_sandbox/clock", json={"advance_seconds": 86400})).json()
    assert after["offset_seconds"] == 86400
    assert after["epoch"] - before["epoch"] >= 86400


async def test_calls_are_recorded_with_the_caller(setup: Setup) -> None:
    await make_repo(setup)
    lead = setup.user("lead")
    await lead.rest.repos.async_get("acme", "sample")
    calls = (await setup.control.get("/_sandbox/calls")).json()
    assert [(c["method"], c["path"], c["status"], c["actor"]) for c in calls] == [
        ("POST", f"/app/installations/{setup.installation_id}/access_tokens", 201, "app:work-sample"),
        ("POST", "/orgs/acme/repos", 201, f"installation:{setup.installation_id}"),
        ("GET", "/repos/acme/sample", 200, "user:lead"),
    ]
    assert all(c["simulated"] for c in calls)


async def test_not_simulated_routes_answer_404_and_are_recorded(setup: Setup) -> None:
    lead = setup.user("lead")
    answer = await failure(lead.rest.issues.async_list_labels_for_repo("acme", "sample"))
    assert answer.status_code == 404
    assert answer.json()["message"] == "not simulated: GET /repos/acme/sample/labels"
    raw = await setup.control.post("/graphql", json={"query": "{ viewer { login } }"})
    assert raw.json()["message"] == "not simulated: POST /graphql"
    calls = (await setup.control.get("/_sandbox/calls")).json()
    assert [c["simulated"] for c in calls] == [False, False]


async def test_route_faults_hit_the_next_n_calls(setup: Setup) -> None:
    await make_repo(setup)
    fault = await setup.control.post(
        "/_sandbox/faults", json={"method": "GET", "path": "/repos/acme/*", "count": 2, "status": 502}
    )
    assert fault.status_code == 201
    lead = setup.user("lead")
    assert (await failure(lead.rest.repos.async_get("acme", "sample"))).status_code == 502
    assert (await failure(lead.rest.repos.async_get("acme", "sample"))).status_code == 502
    assert (await lead.rest.repos.async_get("acme", "sample")).status_code == 200
    # Other methods and paths were never affected.
    assert (await lead.rest.users.async_get_authenticated()).status_code == 200
    useless = await setup.control.post("/_sandbox/faults", json={"path": "/x", "status": None})
    assert useless.status_code == 422


async def test_latency_fault_delays_the_answer(setup: Setup) -> None:
    await setup.control.post(
        "/_sandbox/faults", json={"path": "/user", "status": None, "latency_seconds": 0.2}
    )
    started = time.monotonic()
    answer = await setup.control.get("/user", headers={"Authorization": f"token {setup.tokens['lead']}"})
    assert answer.status_code == 200
    assert time.monotonic() - started >= 0.2


async def test_reset_empties_the_world(setup: Setup) -> None:
    await make_repo(setup)
    assert (await setup.control.post("/_sandbox/reset")).json() == {"reset": True}
    assert (await setup.control.get("/_sandbox/calls")).json() == []
    assert (await setup.control.get("/_sandbox/repos/acme/sample")).status_code == 404
    assert (await setup.control.get("/users/lead")).status_code == 404
    # Ids are never reused, even after a reset.
    fresh = (await setup.control.post("/_sandbox/users", json={"login": "lead"})).json()
    assert fresh["id"] > setup.ids["stranger"]


async def test_malformed_json_is_400_and_bad_fields_are_422(setup: Setup) -> None:
    await make_repo(setup)
    auth = {"Authorization": f"token {setup.tokens['lead']}", "Content-Type": "application/json"}
    broken = await setup.control.post("/repos/acme/sample/git/blobs", content=b"{nope", headers=auth)
    assert broken.status_code == 400
    assert broken.json()["message"] == "Problems parsing JSON"
    wrong = await setup.control.post("/repos/acme/sample/git/blobs", json={"content": 5}, headers=auth)
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "content"
