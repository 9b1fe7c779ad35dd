"""Replay recorded events through the real automation with a dry-run executor.

Every event goes through the same :class:`~.pipeline.Automation` the runtime uses. Interactive
actions (polls, tallies, scores) are applied, because later events depend on them; every other
action (chat replies, clips, webhooks) is only reported. The output is JSON lines, one per
action and then one per creator for polls, tallies and scoreboards, with sorted keys: the same
config and events always print the same bytes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import msgspec

from streamsuites.automation.pipeline import Automation
from streamsuites.interactive import INTERACTIVE_ACTIONS

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from streamsuites.actions.descriptor import ActionDescriptor
    from streamsuites.config.model import Config
    from streamsuites.events import Event

__all__ = ["simulate"]


def simulate(config: Config, events: Iterable[Event]) -> Iterator[str]:
    """Yield the JSON lines of what `events` would do under `config`."""
    automation = Automation(config)
    for event in events:
        if event.backfill:
            continue
        for descriptor in automation(event, 0.0).descriptors:
            yield _line({"kind": "action", **_outcome(automation, descriptor)})
    yield from automation.interactive.json_lines()


def _outcome(automation: Automation, descriptor: ActionDescriptor) -> dict[str, Any]:
    result: dict[str, Any] = {"descriptor": msgspec.to_builtins(descriptor)}
    if descriptor.action_type not in INTERACTIVE_ACTIONS:
        return {**result, "result": "dry_run"}
    outcome = automation.apply_action(descriptor)
    if outcome.applied:
        return {**result, "result": "applied"}
    return {**result, "result": "refused", "reason": outcome.reason}


def _line(value: dict[str, Any]) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
