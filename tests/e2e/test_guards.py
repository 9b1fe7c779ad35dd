"""The XSS test's guards catch what they are there to catch, so a pass means something.

An injected element inside a message must show up in the DOM check; an inline script must be
refused by the CSP and counted by the server's report endpoint; an alert must be recorded.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from playwright.async_api import expect

from tests.e2e.harness import csp_report_count, running_stack, wait_until, watched_page
from tests.e2e.test_xss import DOM_CHECK, TWITCH_EMOTES

if TYPE_CHECKING:
    from pathlib import Path

INJECT = """() => {
  const img = document.createElement("img");
  img.src = "https://evil.invalid/x.png";
  img.setAttribute("onerror", "void 0");
  document.querySelector(".message").append(img);
  const script = document.createElement("script");
  script.textContent = "window.__xss = 1";
  document.body.append(script);
  alert("guard");
}"""


@pytest.mark.asyncio
async def test_the_dom_check_the_csp_and_the_dialog_watch_each_catch_an_injection(
    tmp_path: Path,
) -> None:
    async with running_stack(tmp_path) as stack, watched_page(stack.base_url) as watched:
        page = watched.page
        await page.goto("/overlay?creator=alice")
        await expect(page.locator("body")).to_have_attribute("data-stream", "live")
        stack.emulator.say("alice", "ann", "a harmless line")
        await expect(page.locator(".message")).to_have_count(1)

        await page.evaluate(INJECT)
        problems = await page.evaluate(DOM_CHECK, [TWITCH_EMOTES])
        assert any(p.startswith("IMG attribute onerror") for p in problems), problems
        assert any(p.startswith("script ") for p in problems), problems
        assert watched.dialogs == ["alert: guard"]
        assert await watched.violations() != []
        await wait_until(lambda: _reported(stack.base_url), timeout=5)


async def _reported(base_url: str) -> bool:
    return await csp_report_count(base_url) > 0
