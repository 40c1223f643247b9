"""The pages in a real browser: a recruiter's whole flow, and an outsider refused."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import Page, expect

from tests.browser.conftest import OUTSIDER, Browse, shoot
from worksample.demo import people
from worksample.demo.stack import DemoStack
from worksample.demo.story import ARTIFACT_ID
from worksample.demo.world import CANDIDATE, ENGINEER, LEAD

pytestmark = pytest.mark.browser
WAIT_SECONDS = 20.0


async def sign_in(page: Page, stack: DemoStack, login: str) -> None:
    """Through the simulator's OAuth consent page, as a person would click it."""
    await page.goto(stack.api_url + "/board")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await shoot(page, "01-sign-in")
    await page.get_by_role("link", name="Sign in with GitHub").click()
    await page.locator("#as_user").select_option(login)
    await page.get_by_role("button", name=re.compile("Authorize")).click()


async def wait_for_status(page: Page, *wanted: str) -> None:
    """Reload the assignment page until the service shows one of ``wanted`` (the worker moves it)."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while (await page.locator("#status").inner_text()) not in wanted:
        assert asyncio.get_running_loop().time() < deadline, f"never became {wanted}"
        await asyncio.sleep(0.2)
        await page.reload()


async def fits_the_phone(page: Page) -> None:
    """Nothing wider than the screen: no sideways scrolling on a phone."""
    too_wide = await page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => !e.closest('thead, .sr, .skip'))
            .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
            .slice(0, 5).map(e => e.tagName + ': ' + (e.textContent || '').slice(0, 40))"""
    )
    assert too_wide == [], too_wide
    assert await page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


async def test_recruiter_triggers_tracks_scores_and_resends(stack: DemoStack, chromium: Browse) -> None:
    context = await chromium()
    page = await context.new_page()
    await sign_in(page, stack, LEAD)
    await expect(page.get_by_role("heading", name="Assignments")).to_be_visible()
    await shoot(page, "02-board-empty")

    # The trigger form: pick the artifact, its variables appear as fields.
    await page.get_by_role("navigation").get_by_role("link", name="Send a work sample").click()
    await page.get_by_label("Artifact").select_option(ARTIFACT_ID)
    await page.get_by_role("button", name="Show its fields").click()
    await page.get_by_label("GitHub login or e-mail").fill("not a login!")
    await page.get_by_role("button", name="Send the work sample").click()
    await expect(page.locator("#e-candidate")).to_contain_text("not a GitHub login")
    await expect(page.locator("#e-lead")).to_be_visible()
    await shoot(page, "03-trigger-errors")
    await page.get_by_label("GitHub login or e-mail").fill(CANDIDATE)
    await page.get_by_label("Lead engineer (GitHub login)").fill(LEAD)
    await page.get_by_label("Other reviewers").fill(ENGINEER)
    await page.get_by_role("button", name="Send the work sample").click()
    await expect(page.get_by_role("status")).to_have_text("Assignment created.")
    assignment_id = page.url.split("/assignments/")[1].split("?")[0]
    await wait_for_status(page, "invited")
    await shoot(page, "04-assignment-invited")

    # The candidate, through the simulator's REST API with their own token: accept, open a PR.
    stored = (await stack.api.get(f"/v1/assignments/{assignment_id}")).json()
    owner, repo = people.split_repo_url(stored["repo_url"])
    async with stack.as_user(CANDIDATE) as candidate:
        await people.accept_invitation(candidate, owner, repo)
        pull = await people.open_pull_request(candidate, owner, repo)
    await wait_for_status(page, "submitted", "in_review")

    # The lead's review queue and the reviewer page with the guide.
    await page.get_by_role("navigation").get_by_role("link", name="Review queue").click()
    await page.get_by_role("link", name="Reviewer guide and scorecard").click()
    await expect(page.get_by_role("heading", name="Reviewer guide", exact=True)).to_be_visible()
    await shoot(page, "05-reviewer-page")

    async with stack.as_user(LEAD) as lead:
        scorecard = None
        for _ in range(int(WAIT_SECONDS / 0.2)):
            scorecard = await people.find_scorecard(lead, owner, repo, int(pull["number"]))
            if scorecard:
                break
            await asyncio.sleep(0.2)
        assert scorecard, "the service posted no scorecard"
        body, scores = people.fill_scorecard(scorecard)
        await people.submit_review(lead, owner, repo, int(pull["number"]), body)

    await page.goto(f"{stack.api_url}/assignments/{assignment_id}")
    await wait_for_status(page, "scored")
    breakdown = page.get_by_role("table", name=re.compile("Per criterion"))
    await expect(breakdown).to_be_visible()
    await expect(breakdown.locator("tbody tr")).to_have_count(len(scores))
    reviewers = page.get_by_role("table", name="Reviewers")
    await expect(reviewers).to_contain_text("hire")
    await expect(reviewers).to_contain_text(LEAD)
    await shoot(page, "06-assignment-scored")

    # Resend the assignment.scored delivery once the ATS has it.
    assert await stack.receiver.wait_for("assignment.scored", seconds=WAIT_SECONDS)
    await page.reload()
    row = page.get_by_role("row").filter(has_text="assignment.scored")
    await expect(row).to_contain_text("succeeded")
    before = len(stack.receiver.deliveries)
    await row.get_by_role("button", name=re.compile("Resend")).click()
    await expect(page.get_by_role("status")).to_have_text("The event is queued to be sent again.")
    for _ in range(int(WAIT_SECONDS / 0.1)):
        if len(stack.receiver.deliveries) > before:
            break
        await asyncio.sleep(0.1)
    assert stack.receiver.deliveries[-1].event_type == "assignment.scored"
    await page.reload()
    await shoot(page, "07-assignment-resent")

    await page.goto(f"{stack.api_url}/results/{assignment_id}")
    await expect(page.get_by_role("heading", name="Work sample result")).to_be_visible()
    await shoot(page, "08-result")
    await page.goto(f"{stack.api_url}/board")
    await expect(page.get_by_role("link", name=CANDIDATE)).to_be_visible()
    await shoot(page, "09-board")
    await page.set_viewport_size({"width": 390, "height": 844})
    await shoot(page, "10-board-phone")
    await fits_the_phone(page)
    await page.goto(f"{stack.api_url}/assignments/{assignment_id}")
    await shoot(page, "11-assignment-phone")
    await fits_the_phone(page)


async def test_outsider_is_refused(stack: DemoStack, chromium: Browse) -> None:
    context = await chromium()
    page = await context.new_page()
    await sign_in(page, stack, OUTSIDER)
    await expect(page.get_by_role("heading", name="Not a member")).to_be_visible()
    await expect(page.get_by_role("alert")).to_contain_text(f"{OUTSIDER} is not a member")
    await shoot(page, "12-outsider-refused")
    response = await page.goto(stack.api_url + "/board")
    assert response is not None
    assert page.url.startswith(stack.api_url + "/sign-in")
