"""The pop-out chat: replay through a long stream, live autoscroll, the moderator's send box."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import msgspec
import pytest
from playwright.async_api import expect

from tests.e2e.harness import (
    OPERATOR_TOKEN,
    chat_events,
    running_stack,
    watched_browser,
    watched_page,
)

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
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
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
        pages_asked = [url for url in requested if "/api/v1/events" in url]
        assert len(pages_asked) >= pages
        assert all(f"session={seeded.replace(':', '%3A')}" in url for url in pages_asked[-pages:])
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


@pytest.mark.asyncio
async def test_a_moderator_selects_a_replay_for_every_replay_page(
    tmp_path: Path, artifacts: Path
) -> None:
    step = timedelta(seconds=1)
    first = chat_events([f"first stream {n}" for n in range(5)], start=START, step=step)
    later = START + timedelta(hours=3)
    second = chat_events([f"second stream {n}" for n in range(5)], start=later, step=step)
    second = [msgspec.structs.replace(e, event_id=e.event_id + "-b") for e in second]
    async with (
        running_stack(tmp_path, seed=[*first, *second]) as stack,
        watched_browser(stack.base_url) as browser,
    ):
        body = await stack.get_json("/api/v1/creators/alice/sessions?platform=twitch")
        by_start = {s["started_at"][:16]: s["session_id"] for s in body["sessions"]}
        older, newer = by_start["2026-11-20T18:00"], by_start["2026-11-20T21:00"]
        moderator = await browser.open()
        await moderator.page.goto("/chat?creator=alice&mode=replay")
        await expect(moderator.page.locator("#replay-info")).to_contain_text("loaded")
        await moderator.page.locator("#token").fill(OPERATOR_TOKEN)
        await moderator.page.locator("#token-form button").click()
        await moderator.page.locator("#session").select_option(older)
        await expect(moderator.page.locator("#replay-shared")).to_have_attribute(
            "data-state", "selected"
        )
        selection = (await stack.get_json("/api/v1/replay/selection"))["selection"]
        assert selection["session_id"] == older

        viewer = await browser.open()  # a new tab: no token in its sessionStorage
        await viewer.page.goto("/chat?creator=alice&mode=replay")
        await expect(viewer.page.locator(".vlist-row", has_text="first stream 4")).to_be_visible()
        await expect(viewer.page.locator("#session")).to_have_value(older)
        await viewer.screenshot(artifacts, "viewer-follows-selection")
        await viewer.page.locator("#session").select_option(newer)
        await expect(viewer.page.locator(".vlist-row", has_text="second stream 4")).to_be_visible()
        await expect(viewer.page.locator("#replay-shared")).to_have_text("")
        selection = (await stack.get_json("/api/v1/replay/selection"))["selection"]
        assert selection["session_id"] == older
        await moderator.assert_clean(stack.base_url)
        await viewer.assert_clean(stack.base_url)
