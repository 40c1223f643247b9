"""A pull request whose GitHub writes our own pacing puts far off waits for its slot."""

from __future__ import annotations

from redis.asyncio import Redis
from sqlalchemy import select

from tests.review.flow import ENGINEER, LEAD, Flow
from worksample.db.models import GitHubDelivery
from worksample.github.pacing import Budget, PacingPolicy, RedisWritePacer
from worksample.scoring import SCORECARD_MARKER

# One write per 2 s, and no waiting in line for a slot further off than 50 ms.
POLICY = PacingPolicy(interval=0, budgets=(Budget(1, 2.0),))


async def test_a_paced_write_defers_the_delivery_without_spending_its_tries(flow: Flow) -> None:
    await flow.create()
    await flow.accept()
    await flow.drain()
    await flow.open_pr()
    # Another job of this installation just took the slot (many pull requests at once, or the
    # hourly budget, do the same in production): routing's first write is deferred, not sent.
    redis: Redis = Redis.from_url(flow.settings.redis_url)
    try:
        pacer = RedisWritePacer(redis, POLICY, prefix=f"worksample:github:pace:{flow.settings.queue_name}")
        await pacer.wait_for_write(f"installation:{flow.world.installation_id}")
    finally:
        await redis.aclose()
    await flow.drain(pacing=POLICY, max_rate_limit_wait=0.05)

    # Once the first write is made the others wait in line, so the retry does not redo it.
    comments = await flow.comments()
    assert sum(SCORECARD_MARKER in c["body"] for c in comments) == 1
    assert sorted(u["login"] for u in (await flow.pull())["requested_reviewers"]) == sorted([LEAD, ENGINEER])
    deliveries = await flow.sql(
        select(GitHubDelivery.outcome, GitHubDelivery.attempts, GitHubDelivery.last_error).where(
            GitHubDelivery.event == "pull_request"
        )
    )
    assert deliveries, "the pull request's delivery was recorded"
    # Waiting for a slot is no failure: processed at the first real attempt, not given up.
    assert all(outcome not in (None, "failed") and attempts == 1 for outcome, attempts, _ in deliveries), (
        deliveries
    )
    assert (await flow.assignment())["status"] == "submitted"
