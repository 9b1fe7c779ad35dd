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
