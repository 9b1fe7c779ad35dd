"""The dashboard over the WebSocket: a connector going down and coming back, and stale data."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.async_api import expect

from streamsuites.emulators import TwitchIrcEmulator
from tests.e2e.harness import TOKEN, running_stack, watched_page

if TYPE_CHECKING:
    from pathlib import Path


@pytest.mark.asyncio
async def test_the_dashboard_shows_a_connector_going_down_and_recovering(
    tmp_path: Path, artifacts: Path
) -> None:
    async with (
        running_stack(tmp_path) as stack,
        watched_page(stack.base_url, width=1400) as watched,
    ):
        page = watched.page
        await page.goto("/dashboard")
        row = page.locator("#connectors tr[data-creator=alice][data-platform=twitch]")
        await expect(row).to_have_attribute("data-status", "connected")
        await expect(page.locator("#freshness")).to_have_attribute("data-state", "live")

        port = stack.emulator.tcp_port
        assert port is not None
        await stack.emulator.close()
        await expect(row).to_have_attribute("data-status", "backoff", timeout=10000)
        await expect(row.locator("td.error")).not_to_be_empty()
        await watched.screenshot(artifacts, "down")

        replacement = TwitchIrcEmulator(tokens={TOKEN: "bot"})
        await replacement.start(port=port)
        try:
            await expect(row).to_have_attribute("data-status", "connected", timeout=10000)
            await watched.screenshot(artifacts, "recovered")
            await watched.assert_clean(stack.base_url)
        finally:
            await replacement.close()


@pytest.mark.asyncio
async def test_the_dashboard_says_when_its_data_is_stale(tmp_path: Path, artifacts: Path) -> None:
    async with (
        running_stack(tmp_path) as stack,
        watched_page(stack.base_url, width=1400) as watched,
    ):
        page = watched.page
        await page.goto("/dashboard")
        freshness = page.locator("#freshness")
        await expect(freshness).to_have_attribute("data-state", "live")
        await watched.assert_clean(stack.base_url)
        await stack.shutdown()
        await expect(freshness).to_have_attribute("data-state", "closed")
        await expect(page.locator("body")).to_have_class("dashboard stale")
        await watched.screenshot(artifacts, "stale")


SHOUTOUT = {
    "trigger_id": "shoutout",
    "creator_id": "alice",
    "type": "command",
    "command": "!so",
    "response": "thanks {user}, follow {creator}!",
}


@pytest.mark.asyncio
async def test_a_chat_command_shows_up_as_a_fired_trigger_with_its_result(
    tmp_path: Path, artifacts: Path
) -> None:
    async with (
        running_stack(tmp_path, triggers=[SHOUTOUT]) as stack,
        watched_page(stack.base_url, width=1400) as watched,
    ):
        page = watched.page
        await page.goto("/dashboard")
        await expect(page.locator("#freshness")).to_have_attribute("data-state", "live")
        actions = page.locator("#actions tbody tr[data-trigger=shoutout]")
        await expect(actions).to_have_count(0)

        stack.emulator.say("alice", "ann", "!so")
        await stack.emulator.wait_for(
            lambda: any("thanks ann" in line.text for line in stack.emulator.privmsgs)
        )
        row = actions.first
        await expect(row).to_have_attribute("data-status", "succeeded", timeout=10000)
        await expect(row).to_have_attribute("data-send", "delivered", timeout=10000)
        await expect(row.locator("td").nth(4)).to_have_text("send_chat_message")
        await expect(row).to_contain_text("thanks ann, follow")
        await expect(actions).to_have_count(1)
        await watched.screenshot(artifacts, "trigger-fired")
        await watched.assert_clean(stack.base_url)
