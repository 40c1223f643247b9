"""The invitation link: from our own API without a login, and every way a link can be refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from tests.conftest import run_worker_burst
from tests.greenhouse.conftest import ENGINEER, LEAD, Service, SmtpServer
from worksample.db.models import CandidateInvitation
from worksample.db.session import create_engine, create_sessionmaker
from worksample.db.types import utcnow

REQUEST: dict[str, Any] = {
    "candidate": {"email": "mona@example.org", "name": "Mona Lisa"},
    "artifact_id": "test-sample",
    "reviewers": [{"login": LEAD, "role": "lead"}, {"login": ENGINEER, "role": "engineer"}],
}


def bearer(service: Service) -> dict[str, str]:
    return {"Authorization": f"Bearer {service.key}"}


async def create_by_email(service: Service, smtp: SmtpServer) -> tuple[str, str]:
    created = await service.client.post("/v1/assignments", json=REQUEST, headers=bearer(service))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["status"] == "requested"
    assert body["candidate"]["login"] is None
    assert body["candidate"]["email"] == "mona@example.org"
    return body["id"], smtp.mailbox.link_in(smtp.messages[-1])


async def test_api_without_login_invites_by_email_then_provisions(
    greenhouse: Service, smtp: SmtpServer
) -> None:
    assignment_id, link = await create_by_email(greenhouse, smtp)
    mail = smtp.messages[-1]
    assert mail["To"] == "mona@example.org"
    assert mail["From"] == "worksample <hiring@acme.test>"
    html = mail.get_body(("html",))
    assert html is not None
    assert link in html.get_content()

    # Nothing is provisioned before the candidate signs in, however often the worker runs.
    await run_worker_burst(greenhouse.settings, github_transport=greenhouse.world.transport)
    waiting = (
        await greenhouse.client.get(f"/v1/assignments/{assignment_id}", headers=bearer(greenhouse))
    ).json()
    assert waiting["status"] == "requested"
    assert waiting["repo_url"] is None

    page = await greenhouse.client.get(link.removeprefix(greenhouse.settings.public_url))
    assert "Test sample" in page.text
    assert "acme" in page.text
    assert page.headers["referrer-policy"] == "no-referrer"

    signed_in = await greenhouse.sign_in_through_invitation(link, "octocat")
    assert signed_in.status_code == 200, signed_in.text
    await run_worker_burst(greenhouse.settings, github_transport=greenhouse.world.transport)
    done = (
        await greenhouse.client.get(f"/v1/assignments/{assignment_id}", headers=bearer(greenhouse))
    ).json()
    assert done["status"] == "invited"
    assert done["candidate"]["login"] == "octocat"
    assert done["candidate"]["name"] == "Mona Lisa"
    async with greenhouse.world.user_client("octocat") as candidate:
        invitations = (await candidate.get("/user/repository_invitations")).json()
    assert [i["repository"]["html_url"] for i in invitations] == [done["repo_url"]]


async def test_neither_login_nor_email_is_422(greenhouse: Service) -> None:
    body = {**REQUEST, "candidate": {"name": "Nobody"}}
    response = await greenhouse.client.post("/v1/assignments", json=body, headers=bearer(greenhouse))
    assert response.status_code == 422
    assert "email" in response.text


async def test_link_works_once(greenhouse: Service, smtp: SmtpServer) -> None:
    _, link = await create_by_email(greenhouse, smtp)
    assert (await greenhouse.sign_in_through_invitation(link, "octocat")).status_code == 200
    again = await greenhouse.client.get(link.removeprefix(greenhouse.settings.public_url))
    assert again.status_code == 409
    assert "already been used" in again.text


async def test_expired_link_is_refused(greenhouse: Service, smtp: SmtpServer) -> None:
    _, link = await create_by_email(greenhouse, smtp)
    engine = create_engine(greenhouse.settings)
    try:
        async with create_sessionmaker(engine)() as session:
            await session.execute(update(CandidateInvitation).values(expires_at=utcnow()))
            await session.commit()
    finally:
        await engine.dispose()
    page = await greenhouse.client.get(link.removeprefix(greenhouse.settings.public_url))
    assert page.status_code == 410
    assert "expired" in page.text


async def test_unknown_and_malformed_tokens_are_404(greenhouse: Service) -> None:
    for token in ("A" * 43, "short", "x" * 300, "%00"):
        page = await greenhouse.client.get(f"/invite/{token}")
        assert page.status_code == 404, token
        assert (await greenhouse.client.get(f"/invite/{token}/sign-in")).status_code == 404


async def test_a_reviewer_cannot_sign_in_as_the_candidate(greenhouse: Service, smtp: SmtpServer) -> None:
    assignment_id, link = await create_by_email(greenhouse, smtp)
    refused = await greenhouse.sign_in_through_invitation(link, LEAD)
    assert refused.status_code == 403
    still = (
        await greenhouse.client.get(f"/v1/assignments/{assignment_id}", headers=bearer(greenhouse))
    ).json()
    assert still["candidate"]["login"] is None
    # The link still works for the real candidate.
    assert (await greenhouse.sign_in_through_invitation(link, "octocat")).status_code == 200


async def test_callback_without_the_browsers_state_cookie_is_refused(
    greenhouse: Service, smtp: SmtpServer
) -> None:
    _, link = await create_by_email(greenhouse, smtp)
    path = link.removeprefix(greenhouse.settings.public_url)
    await greenhouse.client.get(f"{path}/sign-in")
    # An attacker's callback URL (their own code and state) opened in the candidate's browser.
    forged = await greenhouse.client.get("/invite/callback", params={"code": "abc", "state": "not-ours"})
    assert forged.status_code == 400
    assert "does not match" in forged.text
    greenhouse.client.cookies.clear()
    no_cookie = await greenhouse.client.get("/invite/callback", params={"code": "abc", "state": "x"})
    assert no_cookie.status_code == 400
    cancelled = await greenhouse.client.get("/invite/callback", params={"error": "access_denied"})
    assert cancelled.status_code == 400
    assert "cancelled" in cancelled.text


async def test_smtp_down_still_creates_and_records_the_failure(greenhouse: Service, smtp: SmtpServer) -> None:
    greenhouse.settings.smtp_port = 1  # nothing listens there
    created = await greenhouse.client.post("/v1/assignments", json=REQUEST, headers=bearer(greenhouse))
    assert created.status_code == 201, created.text
    detail = (
        await greenhouse.client.get(f"/v1/assignments/{created.json()['id']}", headers=bearer(greenhouse))
    ).json()
    kinds = [e["kind"] for e in detail["timeline"]]
    assert "candidate.invitation_email_failed" in kinds
    assert smtp.messages == []


async def test_refused_email_is_retried_with_a_fresh_link_on_the_schedule(
    greenhouse: Service, smtp: SmtpServer
) -> None:
    from datetime import timedelta

    from worksample.artifacts.catalog import load_catalog
    from worksample.invitations.resend import resend_unsent_invitations

    port = greenhouse.settings.smtp_port
    greenhouse.settings.smtp_port = 1  # nothing listens there
    created = await greenhouse.client.post("/v1/assignments", json=REQUEST, headers=bearer(greenhouse))
    assignment_id = created.json()["id"]
    catalog = load_catalog(greenhouse.settings.artifacts_dir)
    engine = create_engine(greenhouse.settings)
    try:
        db = create_sessionmaker(engine)
        # Too early: the request that issued the link may still be sending it.
        assert await resend_unsent_invitations(db, greenhouse.settings, catalog) == 0
        later = utcnow() + timedelta(minutes=2)
        assert await resend_unsent_invitations(db, greenhouse.settings, catalog, now=later) == 0  # still down
        greenhouse.settings.smtp_port = port
        sent = await resend_unsent_invitations(
            db, greenhouse.settings, catalog, now=later + timedelta(minutes=2)
        )
        assert sent == 1
        # The test schedule allows three links in all: nothing more to do, even with the relay up.
        assert (
            await resend_unsent_invitations(db, greenhouse.settings, catalog, now=later + timedelta(hours=1))
            == 0
        )
    finally:
        await engine.dispose()
    assert len(smtp.messages) == 1
    link = smtp.mailbox.link_in(smtp.messages[0])
    assert (await greenhouse.sign_in_through_invitation(link, "octocat")).status_code == 200
    detail = (
        await greenhouse.client.get(f"/v1/assignments/{assignment_id}", headers=bearer(greenhouse))
    ).json()
    kinds = [e["kind"] for e in detail["timeline"]]
    assert kinds.count("candidate.invitation_issued") == 3
    assert kinds.count("candidate.invitation_email_failed") == 2
    assert kinds.count("candidate.invitation_emailed") == 1
