"""Operator requests as action descriptors: deterministic ids, the fields the handlers read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from streamsuites.triggers import compile_triggers
from streamsuites.web.operator import (
    OPERATOR_TRIGGER,
    message_descriptor,
    operator_action_id,
    poll_descriptor,
    trigger_descriptors,
)
from tests.unit.web.harness import load

AT = datetime(2026, 11, 24, 21, 0, tzinfo=UTC)


def test_the_same_key_gives_the_same_action_id_and_kinds_do_not_collide() -> None:
    assert operator_action_id("send_chat_message", "k1") == operator_action_id(
        "send_chat_message", "k1"
    )
    assert operator_action_id("send_chat_message", "k1") != operator_action_id("poll_open", "k1")
    assert operator_action_id("send_chat_message", "k1").startswith("op_")


def test_a_message_descriptor_carries_text_and_channel_only_when_given() -> None:
    plain = message_descriptor(
        creator_id="alice", platform="twitch", text="hi", channel=None, key="k", at=AT
    )
    aimed = message_descriptor(
        creator_id="alice", platform="twitch", text="hi", channel="#other", key="k2", at=AT
    )
    assert plain.payload == {"text": "hi"} and aimed.payload == {"text": "hi", "channel": "#other"}
    assert (plain.action_type, plain.trigger_id, plain.event_id) == (
        "send_chat_message", OPERATOR_TRIGGER, "operator:k",
    )  # fmt: skip
    assert plain.created_at == AT


def test_a_poll_descriptor_names_the_poll() -> None:
    descriptor = poll_descriptor(
        action_type="poll_close", poll_id="best-game", creator_id="alice", platform="twitch",
        key="k", at=AT,
    )  # fmt: skip
    assert (descriptor.action_type, descriptor.payload) == ("poll_close", {"poll_id": "best-game"})


def test_a_trigger_run_renders_its_actions_without_a_chatter(tmp_path: Path) -> None:
    triggers = compile_triggers(load(tmp_path / "config"))
    [trigger] = triggers.creators["alice"].triggers
    [descriptor] = trigger_descriptors(
        trigger, creator_name="Alice", platform="youtube", key="k", at=AT
    )
    assert descriptor.payload["text"] == "follow Alice on youtube!"
    assert (descriptor.platform, descriptor.trigger_id) == ("youtube", "shoutout")
    again = trigger_descriptors(trigger, creator_name="Alice", platform="youtube", key="k", at=AT)
    assert again == [descriptor]
