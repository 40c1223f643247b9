"""The completion PATCH leaves when the score is recorded, not at the next run of the minute job.

Both workers here run without the ``greenhouse.completions`` cron (the safety net for retries),
so a PATCH that reaches the fake Greenhouse can only have come from the scoring job itself.
"""

from __future__ import annotations

from arq import Worker

from tests.conftest import run_worker_burst
from tests.greenhouse.conftest import LEAD, FakeGreenhouse, Service, SmtpServer
from tests.greenhouse.test_end_to_end import CANDIDATE, send_body
from tests.outbox.ats import running_worker, wait_for
from tests.review.flow import FILLED, Flow
from worksample.jobs.greenhouse import COMPLETIONS_JOB
from worksample.jobs.worker import close_worker, worker_settings

WITHOUT_SAFETY_NET = frozenset({COMPLETIONS_JOB})


async def submitted_from_greenhouse(greenhouse: Service, smtp: SmtpServer, fake: FakeGreenhouse) -> Flow:
    """Send Test → the candidate signs in from the e-mail → repository → pull request."""
    await greenhouse.set_default_reviewers()
    sent = await greenhouse.client.post(
        "/greenhouse/send_test", json=send_body(fake.url()), auth=greenhouse.basic
    )
    assert sent.status_code == 200, sent.text
    signed_in = await greenhouse.sign_in_through_invitation(smtp.mailbox.link_in(smtp.messages[0]), CANDIDATE)
    assert signed_in.status_code == 200, signed_in.text
    flow = Flow(api=greenhouse.client, world=greenhouse.world, settings=greenhouse.settings)
    flow.api.headers["Authorization"] = f"Bearer {greenhouse.key}"
    flow.assignment_id = sent.json()["partner_interview_id"]
    await flow.drain()
    flow.full_name = (await flow.assignment())["repo_url"].removeprefix("http://sandbox/")
    await flow.accept()
    await flow.open_pr()
    await flow.drain()
    return flow


async def test_a_burst_worker_sends_the_patch_after_the_scoring_job(
    greenhouse: Service, smtp: SmtpServer, fake_greenhouse: FakeGreenhouse
) -> None:
    flow = await submitted_from_greenhouse(greenhouse, smtp, fake_greenhouse)
    assert fake_greenhouse.received == []
    await flow.review(LEAD, FILLED, "APPROVE")
    await greenhouse.world.sim.state.sandbox.webhooks.flush()

    options = worker_settings(
        greenhouse.settings, burst=True, github_transport=greenhouse.world.transport, poll_delay=0.05
    )
    options["cron_jobs"] = [c for c in options["cron_jobs"] if c.name not in WITHOUT_SAFETY_NET]
    worker = Worker(**options)
    try:
        await worker.main()
    finally:
        await close_worker(worker)

    assert (await flow.assignment())["status"] == "scored"
    assert [(r.method, r.path) for r in fake_greenhouse.received] == [("PATCH", "/assessment/complete/4321")]
    assert fake_greenhouse.basic_key() == greenhouse.key
    # Delivered once: the safety net, run afterwards, finds nothing left to send.
    await run_worker_burst(greenhouse.settings, github_transport=greenhouse.world.transport)
    assert len(fake_greenhouse.received) == 1


async def test_a_running_worker_queues_the_patch_when_the_score_is_committed(
    greenhouse: Service, smtp: SmtpServer, fake_greenhouse: FakeGreenhouse
) -> None:
    flow = await submitted_from_greenhouse(greenhouse, smtp, fake_greenhouse)
    async with running_worker(
        greenhouse.settings, greenhouse.world.transport, without_crons=WITHOUT_SAFETY_NET
    ):
        await flow.review(LEAD, FILLED, "APPROVE")
        await greenhouse.world.sim.state.sandbox.webhooks.flush()
        await wait_for(lambda: fake_greenhouse.received, within=60, what="the completion PATCH")
    assert (await flow.assignment())["status"] == "scored"
    assert len(fake_greenhouse.received) == 1
    timeline = [e["kind"] for e in (await flow.assignment())["timeline"]]
    assert timeline.count("greenhouse.completion_attempt") == 1
