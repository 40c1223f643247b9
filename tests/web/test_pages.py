"""The pages' content and rules: trigger form validation, organisation isolation, actions, guides."""

from __future__ import annotations

import re

import httpx

from tests.conftest import make_api_key
from tests.web.conftest import Web, csrf_of
from worksample.web.render import markdown

FORM = {"artifact": "test-sample", "candidate": "octocat", "lead": "lead-eng", "reviewers": "second-eng"}


async def _trigger(browser: httpx.AsyncClient, **fields: str) -> httpx.Response:
    token = csrf_of(await browser.get("/assignments/new"))
    return await browser.post("/assignments/new", data={**FORM, **fields, "csrf_token": token})


def _error(page: httpx.Response, field: str) -> str:
    found = re.search(rf'<p class="error" id="e-{re.escape(field)}">([^<]*)</p>', page.text)
    assert found, f"no error shown next to {field}"
    return found.group(1)


async def test_trigger_form_shows_the_apis_errors_next_to_each_field(web: Web) -> None:
    lead = await web.signed_in("lead-eng")
    bad = await _trigger(
        lead,
        candidate="not a login!",
        lead="",
        **{"var.seats": "many", "var.company": "x" * 41, "time_limit_hours": "0"},
    )
    assert bad.status_code == 422
    assert "not a GitHub login" in _error(bad, "candidate")
    assert _error(bad, "lead")
    assert _error(bad, "time_limit_hours")
    # The values the recruiter typed stay in the form.
    assert 'value="not a login!"' in bad.text

    # Checks the API makes after the schema: the catalog's variable rules, GitHub, the clock.
    later = await _trigger(
        lead, candidate="no-such-user-here", **{"var.seats": "many", "deadline": "2001-01-01T10:00"}
    )
    assert later.status_code == 422
    assert _error(later, "var.seats")
    assert _error(later, "deadline") == "must be in the future"
    both = await _trigger(lead, candidate="lead-eng")
    assert "the candidate cannot also be a reviewer" in _error(both, "lead")
    assert (await web.api.get("/v1/assignments")).json()["items"] == []


async def test_trigger_creates_the_assignment_and_its_page_shows_it(web: Web) -> None:
    lead = await web.signed_in("lead-eng")
    sent = await _trigger(lead, **{"var.company": "Initech", "time_limit_hours": "72"})
    assert sent.status_code == 303
    assignment_id = sent.headers["location"].split("/")[2].split("?")[0]
    stored = (await web.api.get(f"/v1/assignments/{assignment_id}")).json()
    assert stored["variables"] == {"company": "Initech", "seats": 10}
    assert [r["login"] for r in stored["reviewers"]] == ["lead-eng", "second-eng"]
    assert stored["time_limit_hours"] == 72
    page = await lead.get(sent.headers["location"])
    assert "Assignment created." in page.text
    assert 'id="status">requested<' in page.text
    board = await lead.get("/board?status=requested")
    assert f'href="/assignments/{assignment_id}"' in board.text
    assert "requested <strong>1</strong>" in board.text
    assert f'href="/assignments/{assignment_id}"' not in (await lead.get("/board?status=scored")).text


async def test_email_candidate_gets_an_invitation(web: Web) -> None:
    lead = await web.signed_in("lead-eng")
    sent = await _trigger(lead, candidate="ada@example.com", candidate_name="Ada")
    assert sent.status_code == 303
    assignment_id = sent.headers["location"].split("/")[2].split("?")[0]
    stored = (await web.api.get(f"/v1/assignments/{assignment_id}")).json()
    assert stored["candidate"] == {
        "login": None,
        "github_id": None,
        "name": "Ada",
        "email": "ada@example.com",
    }


async def test_actions_cancel_extend_and_resend(web: Web) -> None:
    endpoint = await web.api.post("/v1/endpoints", json={"url": "https://ats.example.com/hooks"})
    assert endpoint.status_code == 201, endpoint.text
    lead = await web.signed_in("lead-eng")
    sent = await _trigger(lead, time_limit_hours="48")
    path = sent.headers["location"].split("?")[0]
    page = await lead.get(path)
    assert "https://ats.example.com/hooks" in page.text
    assert "assignment.created" in page.text
    token = csrf_of(page)
    event_id = re.search(r'/events/([^/]+)/resend"', page.text)
    assert event_id
    resend = await lead.post(f"{path}/events/{event_id.group(1)}/resend", data={"csrf_token": token})
    assert resend.status_code == 303
    # Still pending: nothing to re-queue, and the page says so.
    assert "still pending" in (await lead.get(resend.headers["location"])).text

    bad = await lead.post(f"{path}/extend", data={"extend_by_hours": "0", "csrf_token": token})
    assert bad.status_code == 422
    extended = await lead.post(f"{path}/extend", data={"extend_by_hours": "24", "csrf_token": token})
    assert extended.status_code == 303
    assert (await web.api.get(f"/v1{path}")).json()["time_limit_hours"] == 72

    cancelled = await lead.post(f"{path}/cancel", data={"reason": "role filled", "csrf_token": token})
    assert cancelled.status_code == 303
    page = await lead.get(cancelled.headers["location"])
    assert 'id="status">cancelled<' in page.text
    assert "role filled" in page.text
    again = await lead.post(f"{path}/cancel", data={"csrf_token": token})
    assert again.status_code == 409


async def test_pages_never_show_another_organisations_data(web: Web) -> None:
    control = web.world.control
    assert (
        await control.post("/_sandbox/orgs", json={"login": "globex", "members": ["hubot"]})
    ).status_code == 201
    installed = await control.post(
        "/_sandbox/installations", json={"app_id": web.world.app_id, "account": "globex"}
    )
    assert installed.status_code == 201
    globex_key = await make_api_key(web.app.state.resources.sessionmaker, "globex")
    created = await web.api.post(
        "/v1/assignments",
        headers={"Authorization": f"Bearer {globex_key}"},
        json={
            "candidate": {"login": "octocat"},
            "artifact_id": "test-sample",
            "reviewers": [{"login": "hubot", "role": "lead"}],
        },
    )
    assert created.status_code == 201, created.text
    theirs = created.json()["id"]

    lead = await web.signed_in("lead-eng")
    mine = (await _trigger(lead)).headers["location"].split("/")[2].split("?")[0]
    board = await lead.get("/board")
    assert mine in board.text
    assert theirs not in board.text
    token = csrf_of(board)
    for path in (f"/assignments/{theirs}", f"/results/{theirs}", f"/review/{theirs}"):
        assert (await lead.get(path)).status_code == 404, path
    for path in (f"/assignments/{theirs}/cancel", f"/assignments/{theirs}/extend"):
        assert (await lead.post(path, data={"csrf_token": token, "extend_by_hours": "1"})).status_code == 404
    assert (
        await web.api.get(f"/v1/assignments/{theirs}", headers={"Authorization": f"Bearer {globex_key}"})
    ).json()["status"] != "cancelled"

    # hubot belongs to globex only: the first to sign in there, so its admin; sees only globex's.
    hubot = await web.signed_in("hubot")
    board = await hubot.get("/board")
    assert "hubot · globex" in board.text
    assert theirs in board.text
    assert mine not in board.text
    assert (await hubot.get(f"/assignments/{mine}")).status_code == 404


async def test_reviewer_guide_is_rendered_without_raw_html() -> None:
    html = str(markdown("# Guide\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) **bold**"))
    assert "<h1>Guide</h1>" in html
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert "<strong>bold</strong>" in html
    assert "<h3>Guide</h3>" in str(markdown("# Guide", shift=2))


async def test_reviewer_page_shows_the_guide_and_the_scorecard_format(web: Web) -> None:
    lead = await web.signed_in("lead-eng")
    sent = await _trigger(lead)
    assignment_id = sent.headers["location"].split("/")[2].split("?")[0]
    page = await lead.get(f"/review/{assignment_id}")
    assert page.status_code == 200
    assert "Reviewer guide" in page.text
    assert "clarity:" in page.text
    assert "You review as <strong>lead</strong>" in page.text
    # Not submitted yet: nothing is waiting in the queue.
    assert assignment_id not in (await lead.get("/review")).text


async def test_sending_the_same_form_twice_makes_one_assignment(web: Web) -> None:
    """A double click, or Back and send again, must not give the candidate two repositories."""
    lead = await web.signed_in("lead-eng")
    form = await lead.get("/assignments/new")
    key = re.search(r'name="form_key" value="([^"]+)"', form.text)
    assert key, "the trigger form carries no key of its own"
    data = {**FORM, "csrf_token": csrf_of(form), "form_key": key.group(1)}
    first = await lead.post("/assignments/new", data=data)
    second = await lead.post("/assignments/new", data=data)
    assert first.status_code == second.status_code == 303
    assert second.headers["location"].split("?")[0] == first.headers["location"].split("?")[0]
    assert len((await web.api.get("/v1/assignments")).json()["items"]) == 1

    # The same form changed and sent again: said plainly, and the fresh form it shows works.
    changed = await lead.post("/assignments/new", data={**data, "candidate": "hubot"})
    assert changed.status_code == 422
    assert "already sent" in changed.text
    fresh = re.search(r'name="form_key" value="([^"]+)"', changed.text)
    assert fresh
    assert fresh.group(1) != key.group(1)
    again = await lead.post(
        "/assignments/new", data={**data, "candidate": "hubot", "form_key": fresh.group(1)}
    )
    assert again.status_code == 303
    assert len((await web.api.get("/v1/assignments")).json()["items"]) == 2
