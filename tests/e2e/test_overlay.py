"""The OBS overlay against the real runtime: live messages, deletions, bans, reconnects."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from playwright.async_api import expect

from tests.e2e.harness import free_port, running_stack, watched_page

if TYPE_CHECKING:
    from pathlib import Path

    from playwright.async_api import Page

    from tests.e2e.harness import Watched


async def open_overlay(page: Page, query: str = "creator=alice") -> None:
    """Open the overlay and wait until its event stream is connected."""
    await page.goto("/overlay?" + query)
    await expect(page.locator("body")).to_have_attribute("data-stream", "live")


def delete_line(msg_id: str, login: str) -> str:
    """Return the CLEARMSG Twitch sends when a moderator deletes one message."""
    tags = f"@login={login};room-id=1;target-msg-id={msg_id};tmi-sent-ts=1"
    return f"{tags} :tmi.twitch.tv CLEARMSG #alice :x"


def ban_line(login: str, user_id: str) -> str:
    """Return the CLEARCHAT Twitch sends when a user is banned."""
    tags = f"@room-id=1;target-user-id={user_id};tmi-sent-ts=1"
    return f"{tags} :tmi.twitch.tv CLEARCHAT #alice :{login}"


@pytest.mark.asyncio
async def test_a_message_appears_within_a_second_of_the_emulator_sending_it(
    tmp_path: Path, artifacts: Path
) -> None:
    async with running_stack(tmp_path) as stack, watched_page(stack.base_url) as watched:
        page = watched.page
        await open_overlay(page, "creator=alice&theme=midnight")
        stack.emulator.say(
            "alice", "ann", "hello overlay Kappa", display_name="Ann", color="#1E90FF"
        )

        message = page.locator(".message", has_text="hello overlay")
        await expect(message).to_be_visible(timeout=1000)
        await expect(message.locator(".author")).to_have_text("Ann")
        await expect(message.locator("img.platform-badge")).to_have_attribute("alt", "twitch")
        await watched.screenshot(artifacts, "overlay")
        await watched.assert_clean(stack.base_url)


@pytest.mark.asyncio
async def test_deleted_messages_and_banned_users_disappear(tmp_path: Path, artifacts: Path) -> None:
    async with running_stack(tmp_path) as stack, watched_page(stack.base_url) as watched:
        page = watched.page
        await open_overlay(page)
        doomed = stack.emulator.say("alice", "ann", "this one gets deleted")
        stack.emulator.say("alice", "bob", "bob says one", user_id="77")
        stack.emulator.say("alice", "bob", "bob says two", user_id="77")
        stack.emulator.say("alice", "cid", "cid stays")
        await expect(page.locator(".message")).to_have_count(4)

        stack.emulator.send_raw(delete_line(doomed, "ann"))
        await expect(page.locator(".message", has_text="gets deleted")).to_have_count(0)
        stack.emulator.send_raw(ban_line("bob", "77"))
        await expect(page.locator(".message", has_text="bob says")).to_have_count(0)

        await expect(page.locator(".message .text")).to_have_text(["cid stays"])
        await watched.screenshot(artifacts, "after-moderation")
        await watched.assert_clean(stack.base_url)


@pytest.mark.asyncio
async def test_max_and_kinds_limit_what_is_shown(tmp_path: Path) -> None:
    async with running_stack(tmp_path) as stack, watched_page(stack.base_url) as watched:
        page = watched.page
        await open_overlay(page, "creator=alice&platforms=twitch,youtube&kinds=chat_message&max=3")
        paid = await browser_page_for(watched, "creator=alice&kinds=paid_support")
        stack.emulator.say("alice", "bob", "cheer100 a big cheer", bits="100")
        for n in range(5):
            stack.emulator.say("alice", "ann", f"numbered {n}")
        await expect(page.locator(".message", has_text="numbered 4")).to_be_visible()
        await expect(page.locator(".message")).to_have_count(3)
        await expect(page.locator(".message").first).to_contain_text("numbered 2")
        await expect(paid.locator(".message")).to_have_text([re.compile("a big cheer")])
        await watched.assert_clean(stack.base_url)


async def browser_page_for(watched: Watched, query: str) -> Page:
    """Open a second overlay with `query` in the same browser context."""
    page = await watched.page.context.new_page()
    await open_overlay(page, query)
    return page


@pytest.mark.asyncio
async def test_the_overlay_resumes_after_the_server_restarts_without_gaps_or_repeats(
    tmp_path: Path, artifacts: Path
) -> None:
    port = free_port()
    async with watched_page(f"http://127.0.0.1:{port}") as watched:
        page = watched.page
        async with running_stack(tmp_path, port=port) as first:
            await open_overlay(page)
            first.emulator.say("alice", "ann", "before restart")
            await expect(page.locator(".message", has_text="before restart")).to_be_visible()
        async with running_stack(tmp_path, port=port) as second:
            second.emulator.say("alice", "ann", "while the page was away")
            await expect(page.locator(".message", has_text="was away")).to_be_visible(timeout=15000)
            await expect(page.locator(".message")).to_have_count(2)
            await watched.screenshot(artifacts, "resumed")
            await watched.assert_clean(second.base_url)
