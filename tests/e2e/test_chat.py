"""The pop-out chat: replay through a long stream, live autoscroll, the moderator's send box."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from playwright.async_api import expect

from tests.e2e.harness import OPERATOR_TOKEN, chat_events, running_stack, watched_page

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.async_api import Page

SEEDED = 10_000
START = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


async def scroll_viewport(page: Page, where: str) -> None:
    """Scroll the message list to its top or bottom, as a user dragging the bar would."""
    script = (
        "el => { el.scrollTop = 0; }"
        if where == "top"
        else "el => { el.scrollTop = el.scrollHeight; }"
    )
    await page.locator("#viewport").evaluate(script)


async def page_back_to_start(page: Page) -> int:
    """Scroll to the top until replay reports the stream's start; return the pages loaded."""
    info = page.locator("#replay-info")
    pages = 0
    while await info.get_attribute("data-at-start") != "true":
        loaded = await info.get_attribute("data-loaded")
        await scroll_viewport(page, "top")
        await expect(info).not_to_have_attribute("data-loaded", loaded or "")
        pages += 1
    return pages


@pytest.mark.asyncio
async def test_replay_pages_back_through_ten_thousand_messages(
    tmp_path: Path, artifacts: Path
) -> None:
    texts = [f"seeded message {n:05d}" for n in range(SEEDED)]
    seed = chat_events(texts, start=START, step=timedelta(seconds=1))
    async with running_stack(tmp_path, seed=seed) as stack, watched_page(stack.base_url) as watched:
        page = watched.page
        await page.goto("/chat?creator=alice&mode=replay")
        body = await stack.get_json("/api/v1/creators/alice/sessions")
        [seeded] = [s["session_id"] for s in body["sessions"] if s["event_count"] == SEEDED]
        await page.locator("#session").select_option(seeded)
        await expect(page.locator(".vlist-row", has_text="seeded message 09999")).to_be_visible()
        await watched.screenshot(artifacts, "replay-end")

        pages = await page_back_to_start(page)
        await scroll_viewport(page, "top")
        await expect(page.locator(".vlist-row").first).to_contain_text("seeded message 00000")
        await expect(page.locator("#replay-info")).to_have_attribute("data-loaded", str(SEEDED))
        assert pages >= SEEDED // 500 - 1
        assert await page.locator(".vlist-row").count() < 200
        await watched.screenshot(artifacts, "replay-start")

        await page.locator("#scrubber").fill("500")
        await expect(page.locator(".vlist-row").first).to_contain_text(
            re.compile(r"seeded message 0(49|50)\d\d")
        )
        await watched.assert_clean(stack.base_url)


@pytest.mark.asyncio
async def test_live_chat_pauses_autoscroll_when_the_user_scrolls_up(
    tmp_path: Path, artifacts: Path
) -> None:
    async with (
        running_stack(tmp_path) as stack,
        watched_page(stack.base_url, height=400) as watched,
    ):
        page = watched.page
        await page.goto("/chat?creator=alice")
        await expect(page.locator("#status")).to_have_attribute("data-state", "live")
        for n in range(30):
            stack.emulator.say("alice", "ann", f"line {n:02d}")
        await expect(page.locator(".vlist-row", has_text="line 29")).to_be_visible()

        await scroll_viewport(page, "top")
        stack.emulator.say("alice", "ann", "arrives while reading")
        button = page.locator("#new-messages")
        await expect(button).to_be_visible()
        await expect(
            page.locator(".vlist-row", has_text="arrives while reading")
        ).not_to_be_in_viewport()
        await watched.screenshot(artifacts, "paused")

        await button.click()
        await expect(
            page.locator(".vlist-row", has_text="arrives while reading")
        ).to_be_in_viewport()
        await expect(button).to_be_hidden()
        await watched.assert_clean(stack.base_url)


@pytest.mark.asyncio
async def test_the_platform_filter_hides_other_platforms(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack, watched_page(stack.base_url) as watched:
        page = watched.page
        await page.goto("/chat?creator=alice")
        await expect(page.locator("#status")).to_have_attribute("data-state", "live")
        stack.emulator.say("alice", "ann", "a twitch line")
        await expect(page.locator(".vlist-row", has_text="a twitch line")).to_be_visible()
        await page.get_by_label("twitch").uncheck()
        await expect(page.locator(".vlist-row", has_text="a twitch line")).to_have_count(0)
        await page.get_by_label("twitch").check()
        await expect(page.locator(".vlist-row", has_text="a twitch line")).to_be_visible()
        await watched.assert_clean(stack.base_url)


@pytest.mark.asyncio
async def test_a_moderator_send_goes_through_the_outbox_to_the_platform(
    tmp_path: Path, artifacts: Path
) -> None:
    async with running_stack(tmp_path) as stack, watched_page(stack.base_url) as watched:
        page = watched.page
        await page.goto("/chat?creator=alice")
        await expect(page.locator("#send-form")).to_be_hidden()
        await page.locator("#token").fill(OPERATOR_TOKEN)
        await page.locator("#token-form button").click()
        await expect(page.locator("#send-form")).to_be_visible()

        await page.locator("#send-text").fill("hello from the pop-out")
        await page.locator("#send-form button[type=submit]").click()
        await expect(page.locator("#send-result")).to_contain_text("queued")
        await stack.emulator.wait_for(
            lambda: "hello from the pop-out" in [line.text for line in stack.emulator.privmsgs],
        )
        await watched.screenshot(artifacts, "sent")
        await watched.assert_clean(stack.base_url)


@pytest.mark.asyncio
async def test_a_wrong_token_is_refused_and_said_so(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack, watched_page(stack.base_url) as watched:
        page = watched.page
        await page.goto("/chat?creator=alice")
        await page.locator("#token").fill("not-the-token")
        await page.locator("#token-form button").click()
        await page.locator("#send-text").fill("should not be sent")
        await page.locator("#send-form button[type=submit]").click()
        await expect(page.locator("#send-result")).to_contain_text("not sent")
        assert [line.text for line in stack.emulator.privmsgs] == []
        await watched.assert_clean(stack.base_url)
