"""Hostile chat never runs: the XSS corpus as chat text, names, emotes, amounts and poll options.

The corpus (tests/fixtures/xss/payloads.txt) reaches the pages two ways: written into the event
log before start (every field the pages show, with hostile colours and image URLs too), and
live through the Twitch emulator and the real connector (text, display name, emote, cheer).
Poll questions and options come from config. A ``!echo`` trigger repeats a payload, so it also
reaches the dashboard's actions table as a reply's text. On every page we then require: no
dialog, no script error, no CSP violation (in the page or reported to the server), no element
or attribute our code did not create, and the payload shown as plain text.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from playwright.async_api import expect

from streamsuites.config._interactive import InteractiveSettings, PollDefinition, PollSettings
from streamsuites.config.model import InteractiveConfig, Limits
from streamsuites.events import (
    Author,
    ChatMessage,
    Event,
    Fragment,
    Membership,
    Moderation,
    Money,
    PaidSupport,
)
from tests.e2e.harness import running_stack, watched_browser
from tests.support import REPO

if TYPE_CHECKING:
    from pathlib import Path

    from tests.e2e.harness import Stack, Watched, WatchedBrowser

CORPUS = REPO / "tests" / "fixtures" / "xss" / "payloads.txt"
DOM_CHECK = (REPO / "tests" / "e2e" / "dom_check.js").read_text()
TWITCH_EMOTES = "https://static-cdn.jtvnw.net/"
START = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
HOSTILE_URLS = (
    "javascript:alert(1)",
    "http://static-cdn.jtvnw.net/emoticons/v2/25/default/dark/1.0",
    "https://evil.invalid/x.png",
    "https://static-cdn.jtvnw.net.evil.invalid/x.png",
    "https://user:pw@static-cdn.jtvnw.net/x.png",
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>",
    "//evil.invalid/x.png",
    "https://notrumble.com/x.png",
)
ECHO = {
    "trigger_id": "echo",
    "creator_id": "alice",
    "type": "command",
    "command": "!echo",
    "response": "you said: {message}",
}
HOSTILE_COLORS = (
    "red;background:url(https://evil.invalid/t.png)",
    "#fff;x",
    "expression(alert(1))",
)


def payloads() -> list[str]:
    """Return the corpus: every line that is not a comment."""
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line and not line.startswith("# ")]


def hostile_author(index: int, payload: str) -> Author:
    return Author(
        id=f"x{index}",
        login=payload,
        display_name=payload,
        roles=("moderator", payload),
        color=HOSTILE_COLORS[index % len(HOSTILE_COLORS)] if index % 2 else payload,
        avatar_url=HOSTILE_URLS[index % len(HOSTILE_URLS)],
    )


def hostile_events(corpus: list[str]) -> list[Event]:
    """Return per payload a chat message and, in turn, a paid message, membership or moderation."""
    events: list[Event] = []
    for index, payload in enumerate(corpus):
        events.append(hostile_chat(index, payload))
        events.append(EXTRA[index % len(EXTRA)](index, payload))
    return events


def _common(index: int, kind: str, payload: str) -> dict[str, Any]:
    at = START + timedelta(seconds=index)
    return {
        "event_id": f"twitch:xss-{kind}-{index}",
        "creator_id": "alice",
        "platform": "twitch",
        "channel": "alice",
        "occurred_at": at,
        "received_at": at,
        "author": hostile_author(index, payload),
        "text": payload,
    }


def hostile_chat(index: int, payload: str) -> Event:
    emote = Fragment(text=payload, emote_id="1", emote_url=HOSTILE_URLS[index % len(HOSTILE_URLS)])
    kappa = TWITCH_EMOTES + "emoticons/v2/25/default/dark/1.0"
    fine = Fragment(text=payload, emote_id="25", emote_url=kappa)
    fragments = (Fragment(text=payload), emote, fine)
    return ChatMessage(**_common(index, "chat", payload), fragments=fragments)


def hostile_paid(index: int, payload: str) -> Event:
    amount = Money(amount_micros=5_000_000, currency="USD", display=payload)
    return PaidSupport(**_common(index, "paid", payload), amount=amount, support_type="superchat")


def hostile_membership(index: int, payload: str) -> Event:
    return Membership(**_common(index, "member", payload), membership_type="new", tier=payload)


def hostile_moderation(index: int, payload: str) -> Event:
    target = Author(id=f"t{index}", login=payload, display_name=payload)
    return Moderation(
        **_common(index, "mod", payload),
        action="timeout",
        target=target,
        target_message_id=payload,
        reason=payload,
        duration_seconds=5,
    )


EXTRA = (hostile_paid, hostile_membership, hostile_moderation)


def hostile_polls(corpus: list[str]) -> InteractiveConfig:
    """Return config polls asking the payloads, with the payloads as options, four a poll."""
    definitions = tuple(
        PollDefinition(
            poll_id=f"xss-{n}", question=corpus[n], options=tuple(corpus[n : n + 4]), auto_open=True
        )
        for n in range(0, len(corpus) - 3, 4)
    )
    settings = InteractiveSettings(polls=PollSettings(definitions=definitions))
    return InteractiveConfig(creators={"alice": settings})


def say_corpus(stack: Stack, corpus: list[str]) -> None:
    """Send each payload live as text and display name; every 2nd an emote, every 3rd a cheer."""
    for index, payload in enumerate(corpus):
        tags = {"display_name": payload, "user_id": str(500 + index)}
        if index % 2:
            tags["emotes"] = f"25:0-{len(payload) - 1}"
        if index % 3 == 0:
            tags["bits"] = "100"
        stack.emulator.say("alice", f"viewer{index}", payload, **tags)
    stack.emulator.say("alice", "viewer", "!echo " + corpus[0])
    stack.emulator.say("alice", "viewer", "corpus sent")


async def assert_untouched(watched: Watched, stack: Stack) -> None:
    """Fail on anything on the page our code did not create, and on any executed payload."""
    problems = await watched.page.evaluate(DOM_CHECK, [TWITCH_EMOTES])
    assert problems == []
    await watched.assert_clean(stack.base_url)


async def open_pages(browser: WatchedBrowser) -> tuple[Watched, Watched, Watched]:
    overlay = await browser.open()
    await overlay.page.goto("/overlay?creator=alice&max=100")
    chat = await browser.open()
    await chat.page.goto("/chat?creator=alice")
    dashboard = await browser.open()
    await dashboard.page.goto("/dashboard")
    return overlay, chat, dashboard


@pytest.mark.asyncio
async def test_the_xss_corpus_never_executes(tmp_path: Path, artifacts: Path) -> None:
    corpus = payloads()
    assert len(corpus) >= 50
    limits = Limits(max_active_polls=len(corpus), max_poll_options=4)
    seed = hostile_events(corpus)
    shown = sum(1 for event in seed[-100:] if not isinstance(event, Moderation))
    polls = hostile_polls(corpus)
    async with (
        running_stack(
            tmp_path, seed=seed, interactive=polls, limits=limits, triggers=[ECHO]
        ) as stack,
        watched_browser(stack.base_url, width=1200, height=8000) as browser,
    ):
        overlay, chat, dashboard = await open_pages(browser)
        await expect(overlay.page.locator(".message")).to_have_count(shown)
        await expect(chat.page.locator(".vlist-row .text", has_text=corpus[0])).not_to_have_count(0)
        await expect(dashboard.page.locator("#polls .counts")).to_have_count(len(corpus) // 4)
        for watched in (overlay, chat, dashboard):
            await assert_untouched(watched, stack)

        say_corpus(stack, corpus)
        for watched in (overlay, chat):
            await expect(watched.page.locator(".message", has_text="corpus sent")).to_be_visible()
        last_cheer = corpus[(len(corpus) - 1) // 3 * 3]
        await expect(dashboard.page.locator("#activity li").first).to_contain_text(last_cheer)
        echo = dashboard.page.locator("#actions tr[data-trigger=echo] td.detail")
        await expect(echo).to_contain_text(corpus[0])
        for name, watched in (("overlay", overlay), ("chat", chat), ("dashboard", dashboard)):
            await assert_untouched(watched, stack)
            await watched.screenshot(artifacts, name)
        await assert_shown_as_text(chat, corpus)


async def assert_shown_as_text(chat: Watched, corpus: list[str]) -> None:
    """Every live payload sent without an emote is in the chat as its literal text."""
    texts = await chat.page.locator(".vlist-row .text").all_text_contents()
    names = await chat.page.locator(".vlist-row .author").all_text_contents()
    plain = [payload for index, payload in enumerate(corpus) if index % 2 == 0]
    assert [p for p in plain if p not in texts] == []
    assert [p for p in corpus if p not in names] == []
