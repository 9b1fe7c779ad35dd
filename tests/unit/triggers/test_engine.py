"""Engine behaviour: every trigger type, permission, cooldown scope, skip rule and failure path."""

from __future__ import annotations

import logging

import pytest

from streamsuites.actions.descriptor import action_id_for, encode_descriptor
from streamsuites.events import Author, Membership, Money, PaidSupport, StreamState
from streamsuites.triggers import EngineState, EvalContext, TriggerType
from tests.unit.triggers.helpers import NOW, T0, chat, engine, run, texts, trigger


def test_command_fires_with_args_and_descriptor_fields():
    eng = engine(trigger(response="hi {user}, you said {args} ({arg1}/{arg2}/{arg3})"))
    result = run(eng, chat("!HI  there friend"))
    [descriptor] = result.descriptors
    assert descriptor.action_type == "send_chat_message"
    assert descriptor.payload == {
        "text": "hi Bob, you said there friend (there/friend/)",
        "channel": "alice",
        "reply_to": "msg-1",
    }
    assert descriptor.action_id == action_id_for("t", "twitch:msg-1", 0)
    assert (descriptor.creator_id, descriptor.platform, descriptor.trigger_id) == (
        "alice",
        "twitch",
        "t",
    )
    assert descriptor.created_at == T0
    assert result.fired == ("t",)


def test_command_aliases_and_only_first_word():
    eng = engine(trigger(aliases=["!hello"], response="x"))
    assert texts(run(eng, chat("!hello"))) == ["x"]
    assert texts(run(eng, chat("say !hi"))) == []
    assert texts(run(eng, chat("!hiya"))) == []


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("what is the Schedule?", True),
        ("WHEN   live", True),
        ("schedules", False),
        ("reschedule", False),
        ("", False),
    ],
)
def test_keyword_is_whole_word_any_case(text, fires):
    eng = engine(trigger(type="keyword", keywords=["schedule", "when live"], response="x"))
    assert bool(run(eng, chat(text)).descriptors) is fires


def test_regex_searches_the_text():
    eng = engine(trigger(type="regex", pattern=r"(?i)\bg+\s*g+\b", response="GG"))
    assert texts(run(eng, chat("that was ggg gg wp"))) == ["GG"]
    assert texts(run(eng, chat("eggs"))) == []


def test_event_trigger_fires_on_kind_and_type():
    thanks = trigger(
        type="event",
        events=[{"kind": "paid_support"}, {"kind": "membership", "types": ["resub"]}],
        response="thanks {user} {amount}{months}",
    )
    eng = engine(thanks)
    paid = PaidSupport(
        **_common(), support_type="bits", amount=Money(amount_micros=100_000_000, currency="BITS")
    )
    resub = Membership(**_common(), membership_type="resub", months=7)
    gift = Membership(**_common(), membership_type="gift")
    assert texts(run(eng, paid)) == ["thanks Bob 100 bits"]
    assert texts(run(eng, resub)) == ["thanks Bob 7"]
    assert texts(run(eng, gift)) == []
    assert texts(run(eng, chat("hello"))) == []


def test_a_chat_listener_and_a_text_trigger_both_fire_in_id_order():
    every = trigger(trigger_id="a-every", type="event", events=["chat_message"], response="1")
    command = trigger(trigger_id="b-cmd", response="2")
    keyword = trigger(trigger_id="c-kw", type="keyword", keywords=["hi"], response="3")
    eng = engine(keyword, every, command)
    assert texts(run(eng, chat("!hi"))) == ["1", "2", "3"]
    assert texts(run(eng, chat("hello", n=2))) == ["1"]


def test_a_trigger_on_cooldown_is_skipped_and_the_next_one_still_fires():
    gg = {"type": "keyword", "keywords": ["gg"]}
    slow = trigger(trigger_id="a", response="a", cooldown_seconds=60, **gg)
    fast = trigger(trigger_id="b", response="b {count}", cooldown_seconds=0, **gg)
    eng = engine(slow, fast)
    first = eng.evaluate(chat("gg"), EngineState(), NOW)
    second = eng.evaluate(chat("gg", n=2), first.state, NOW + 1)
    assert texts(first) == ["a", "b 1"]
    assert texts(second) == ["b 2"]


def test_nothing_fired_keeps_the_state_it_was_given():
    eng = engine(trigger(type="keyword", keywords=["gg"], response="x"))
    state = eng.evaluate(chat("gg"), EngineState(), NOW).state
    for n, text in enumerate(["hello", "hello", "nope"], start=2):
        result = eng.evaluate(chat(text, n=n), state, NOW + n)
        assert result.descriptors == ()
        assert result.state is state


def test_raid_event_uses_viewers_and_has_no_reply_to():
    eng = engine(
        trigger(
            type="event",
            events=[{"kind": "stream_state", "types": ["raid"]}],
            response="welcome {viewers} raiders from {user}",
        )
    )
    raid = StreamState(**_common(), state="raid", viewers=42)
    [descriptor] = run(eng, raid).descriptors
    assert descriptor.payload == {"text": "welcome 42 raiders from Bob", "channel": "alice"}


def test_text_trigger_can_listen_to_super_chat_text():
    eng = engine(trigger(type="keyword", keywords=["hype"], events=["paid_support"], response="x"))
    superchat = PaidSupport(**_common(), support_type="superchat", text="HYPE!")
    assert texts(run(eng, superchat)) == ["x"]
    assert texts(run(eng, chat("hype"))) == []


@pytest.mark.parametrize(
    ("permission", "roles", "fires"),
    [
        ("everyone", (), True),
        ("subscriber", (), False),
        ("subscriber", ("subscriber",), True),
        ("member", ("member",), True),
        ("subscriber", ("member",), True),
        ("vip", ("subscriber",), False),
        ("vip", ("vip",), True),
        ("vip", ("moderator",), True),
        ("moderator", ("vip",), False),
        ("moderator", ("moderator",), True),
        ("broadcaster", ("moderator",), False),
        ("broadcaster", ("broadcaster",), True),
    ],
)
def test_permission_levels(permission, roles, fires):
    eng = engine(trigger(permission=permission, response="x"))
    assert bool(run(eng, chat("!hi", roles=roles)).descriptors) is fires


def test_platform_filter():
    eng = engine(trigger(platforms=["youtube"], response="x"))
    assert texts(run(eng, chat("!hi"))) == []
    assert texts(run(eng, chat("!hi", platform="youtube"))) == ["x"]


def test_global_cooldown_applies_to_everyone():
    eng = engine(trigger(cooldown_seconds=30, response="x"))
    first = run(eng, chat("!hi", user="a"))
    assert first.fired == ("t",)
    assert run(eng, chat("!hi", user="b"), first.state, NOW + 29).fired == ()
    assert run(eng, chat("!hi", user="b"), first.state, NOW + 30).fired == ("t",)


def test_user_cooldown_applies_per_user():
    eng = engine(trigger(cooldown_seconds=0, user_cooldown_seconds=60, response="x"))
    state = run(eng, chat("!hi", user="a")).state
    assert run(eng, chat("!hi", user="a"), state, NOW + 10).fired == ()
    assert run(eng, chat("!hi", user="b"), state, NOW + 10).fired == ("t",)
    assert run(eng, chat("!hi", user="a"), state, NOW + 60).fired == ("t",)


def test_tier_minimum_is_the_default_cooldown():
    from streamsuites.triggers import parse_trigger

    built, _ = parse_trigger(
        {"trigger_id": "t", "creator_id": "alice", "type": "command", "command": "!x"},
        default_cooldown=2.0,
    )
    assert built is not None and built.cooldown_seconds == 2.0


def test_count_placeholder_counts_fires():
    eng = engine(trigger(response="#{count}"))
    first = run(eng, chat("!hi", n=1))
    second = run(eng, chat("!hi", n=2), first.state)
    assert texts(first) + texts(second) == ["#1", "#2"]


def test_uptime_and_other_placeholders():
    eng = engine(trigger(response="{uptime}|{platform}|{channel}|{creator}|{login}|{message}"))
    context = EvalContext(online_since=NOW - 3723)
    result = eng.evaluate(chat("!hi x"), EngineState(), NOW, context)
    assert texts(result) == ["1h 02m 03s|twitch|alice|Alice|bob|!hi x"]
    assert texts(run(eng, chat("!hi"))) == ["offline|twitch|alice|Alice|bob|!hi"]


def test_action_platform_override_drops_reply_fields():
    eng = engine(
        trigger(
            actions=[
                {
                    "action_type": "send_chat_message",
                    "platform": "discord",
                    "payload": {"text": "{user} asked"},
                }
            ]
        )
    )
    [descriptor] = run(eng, chat("!hi")).descriptors
    assert descriptor.platform == "discord"
    assert descriptor.payload == {"text": "Bob asked"}


def test_actions_keep_order_and_render_nested_payloads():
    eng = engine(
        trigger(
            actions=[
                {
                    "action_type": "enqueue_clip_job",
                    "payload": {"title": "{args}", "tags": ["{login}", 3]},
                },
                {"action_type": "tally_increment", "payload": {"tally": "clips"}},
            ]
        )
    )
    result = run(eng, chat("!hi best play"))
    assert [d.action_type for d in result.descriptors] == ["enqueue_clip_job", "tally_increment"]
    assert result.descriptors[0].payload == {"title": "best play", "tags": ["bob", 3]}
    assert [d.action_id for d in result.descriptors] == [
        action_id_for("t", "twitch:msg-1", 0),
        action_id_for("t", "twitch:msg-1", 1),
    ]


def test_triggers_fire_in_trigger_id_order():
    eng = engine(
        trigger(trigger_id="b", response="b"),
        trigger(trigger_id="a", response="a"),
        trigger(trigger_id="c", type="keyword", keywords=["!hi"], response="c"),
    )
    assert texts(run(eng, chat("!hi"))) == ["a", "b", "c"]


def test_backfill_and_own_bot_messages_never_fire():
    eng = engine(trigger(response="x"), bot_logins={"twitch": ["AliceBot"]})
    assert run(eng, chat("!hi", backfill=True)).descriptors == ()
    assert run(eng, chat("!hi", user="alicebot")).descriptors == ()
    assert texts(run(eng, chat("!hi", user="alicebot", platform="youtube"))) == ["x"]
    assert texts(run(eng, chat("!hi", user="alice"))) == ["x"]


def test_unknown_creator_and_disabled_trigger_do_nothing():
    eng = engine(trigger(response="x", enabled=False))
    assert run(eng, chat("!hi")).descriptors == ()
    assert eng.evaluate(_with_creator(chat("!hi"), "zed"), EngineState(), NOW).descriptors == ()


def test_failing_trigger_is_isolated_and_logged(caplog, monkeypatch):
    good = trigger(trigger_id="good", response="ok")
    bad = trigger(trigger_id="bad", response="boom")
    eng = engine(good, bad)
    original = type(bad.actions[0].payload["text"]).render

    def render(self, values):
        if self.source == "boom":
            raise RuntimeError("render exploded")
        return original(self, values)

    monkeypatch.setattr(type(bad.actions[0].payload["text"]), "render", render)
    with caplog.at_level(logging.ERROR, logger="streamsuites.triggers"):
        result = run(eng, chat("!hi"))
    assert texts(result) == ["ok"]
    assert result.fired == ("good",)
    [failure] = result.failures
    assert (failure.trigger_id, failure.event_id) == ("bad", "twitch:msg-1")
    assert "render exploded" in failure.error
    assert "bad" in caplog.text and "twitch:msg-1" in caplog.text
    assert result.state.count(bad) == 0


def test_chat_behaviour_entries():
    from streamsuites.triggers import parse_behaviour

    equals, _ = parse_behaviour({"match": "!ping", "response": "pong"}, "alice")
    contains, _ = parse_behaviour(
        {"match": "discord", "match_mode": "contains_icase", "response": "join"}, "alice"
    )
    assert equals is not None and contains is not None
    assert equals.type is TriggerType.CHAT_BEHAVIOUR
    eng = engine(equals, contains)
    assert texts(run(eng, chat("  !PING "))) == ["pong"]
    assert texts(run(eng, chat("!ping now"))) == []
    assert texts(run(eng, chat("our DISCORDserver"))) == ["join"]


def test_descriptors_encode_canonically():
    eng = engine(trigger(response="x"))
    [descriptor] = run(eng, chat("!hi")).descriptors
    assert encode_descriptor(descriptor).startswith(b'{"action_id":"act_')


def _common():
    return {
        "event_id": "twitch:ev-1",
        "creator_id": "alice",
        "platform": "twitch",
        "channel": "alice",
        "occurred_at": T0,
        "received_at": T0,
        "author": Author(id="id-bob", login="bob", display_name="Bob"),
    }


def _with_creator(event, creator_id):
    import msgspec

    return msgspec.structs.replace(event, creator_id=creator_id)
