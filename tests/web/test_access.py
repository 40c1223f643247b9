"""Who gets in: sign-in, membership, roles, CSRF, through the pages' front door."""

from __future__ import annotations

from tests.web.conftest import Web, csrf_of
from worksample.auth.cookies import SESSION_COOKIE


async def test_pages_send_strangers_to_sign_in(web: Web) -> None:
    browser = web.browser()
    for path in ("/board", "/assignments/new", "/review", "/people", "/results/x"):
        answer = await browser.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"].startswith("/sign-in?next=")
    page = await browser.get("/sign-in?next=/board")
    assert page.status_code == 200
    assert 'href="/sign-in/github?next=/board"' in page.text


async def test_non_member_is_refused_with_a_page_and_no_session(web: Web) -> None:
    browser = web.browser()
    answer = await web.sign_in(browser, "octocat")
    assert answer.status_code == 403
    assert "not a member of an organisation that installed" in answer.text
    assert SESSION_COOKIE not in browser.cookies
    assert (await browser.get("/board")).status_code == 303


async def test_first_member_is_admin_and_others_need_a_grant(web: Web) -> None:
    lead = await web.signed_in("lead-eng")
    board = await lead.get("/board")
    assert board.status_code == 200
    assert "Assignments" in board.text
    cookie = lead.cookies.jar
    assert any(c.name == SESSION_COOKIE and c.has_nonstandard_attr("HttpOnly") for c in cookie)

    second = await web.signed_in("second-eng")
    refused = await second.get("/board")
    assert refused.status_code == 403
    assert "needs the recruiter role" in refused.text
    assert (await second.get("/review")).status_code == 403
    assert (await second.get("/people")).status_code == 403

    people = await lead.get("/people")
    granted = await lead.post(
        "/people/grant", data={"login": "second-eng", "role": "reviewer", "csrf_token": csrf_of(people)}
    )
    assert granted.status_code == 303
    assert (await second.get("/review")).status_code == 200
    assert (await second.get("/board")).status_code == 403


async def test_grant_refuses_outsiders_and_bad_input_next_to_the_field(web: Web) -> None:
    lead = await web.signed_in("lead-eng")
    token = csrf_of(await lead.get("/people"))
    outsider = await lead.post(
        "/people/grant", data={"login": "octocat", "role": "reviewer", "csrf_token": token}
    )
    assert outsider.status_code == 422
    assert 'id="e-login">octocat is not a member of acme' in outsider.text
    bad = await lead.post("/people/grant", data={"login": "-bad-", "role": "boss", "csrf_token": token})
    assert bad.status_code == 422
    assert 'id="e-login">not a GitHub login' in bad.text
    assert 'id="e-role">choose a role' in bad.text


async def test_posts_without_the_sessions_csrf_token_are_refused(web: Web) -> None:
    lead = await web.signed_in("lead-eng")
    other = await web.signed_in("lead-eng")
    form = {"artifact": "test-sample", "candidate": "octocat", "lead": "lead-eng"}
    missing = await lead.post("/assignments/new", data=form)
    wrong = await lead.post("/assignments/new", data={**form, "csrf_token": "0" * 64})
    # A token from another sign-in (another session) is no good either.
    foreign = await lead.post(
        "/assignments/new", data={**form, "csrf_token": csrf_of(await other.get("/board"))}
    )
    for answer in (missing, wrong, foreign):
        assert answer.status_code == 403
        assert "could not be verified" in answer.text
    assert (await web.api.get("/v1/assignments")).json()["items"] == []
    ok = await lead.post("/assignments/new", data={**form, "csrf_token": csrf_of(await lead.get("/board"))})
    assert ok.status_code == 303


async def test_sign_out_needs_the_token_and_ends_the_session(web: Web) -> None:
    lead = await web.signed_in("lead-eng")
    assert (await lead.post("/sign-out")).status_code == 403
    assert (await lead.get("/board")).status_code == 200
    out = await lead.post("/sign-out", data={"csrf_token": csrf_of(await lead.get("/board"))})
    assert out.status_code == 303
    assert (await lead.get("/board")).status_code == 303


async def test_next_is_kept_on_site(web: Web) -> None:
    browser = web.browser()
    answer = await web.sign_in(browser, "lead-eng", next_path="//evil.example/x")
    assert answer.headers["location"] == "/board"
    again = web.browser()
    answer = await web.sign_in(again, "lead-eng", next_path="/review")
    assert answer.headers["location"] == "/review"


async def test_a_session_without_the_web_nonce_is_not_signed_in_here(web: Web) -> None:
    """A session cookie alone (say, from a candidate's invitation sign-in) opens no page, and the
    sign-in page does not bounce it back and forth."""
    lead = await web.signed_in("lead-eng")
    bare = web.browser()
    bare.cookies.set(SESSION_COOKIE, lead.cookies[SESSION_COOKIE])
    answer = await bare.get("/board")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/sign-in")
    assert (await bare.get("/sign-in")).status_code == 200
