from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from streamsuites.events import (
    EVENT_KINDS,
    Author,
    ChatMessage,
    Event,
    Fragment,
    Membership,
    Moderation,
    Money,
    PaidSupport,
    ReplyTo,
    StreamState,
    SystemEvent,
    content_event_id,
    decode_event,
    encode_event,
    event_kind,
    from_epoch_ms,
    native_event_id,
)

T0 = datetime(2026, 11, 24, 20, 15, 2, 114000, tzinfo=UTC)
BASE: dict[str, Any] = {
    "creator_id": "alice", "platform": "twitch", "channel": "alice",
    "occurred_at": T0, "received_at": T0 + timedelta(milliseconds=17),
}
VIEWER = Author(
    id="123", login="viewer", display_name="Viewer", roles=("subscriber",),
    badges=("subscriber/12",), color="#1E90FF",
)

EXAMPLES: list[Event] = [
    ChatMessage(
        event_id="twitch:a", **BASE, author=VIEWER, text="hello Kappa",
        fragments=(Fragment(text="hello "), Fragment(text="Kappa", emote_id="25")),
        reply_to=ReplyTo(message_id="twitch:z", author_login="alice", text="hi"),
        first_message=True, raw="@id=a :viewer PRIVMSG #alice :hello Kappa",
    ),
    PaidSupport(
        event_id="twitch:b", **BASE, author=VIEWER, text="cheer100 gg",
        amount=Money(amount_micros=100_000_000, currency="BITS"), support_type="bits",
    ),
    PaidSupport(
        event_id="youtube:c", **(BASE | {"platform": "youtube"}), author=VIEWER,
        amount=Money(amount_micros=5_000_000, currency="USD", display="$5.00"),
        support_type="superchat", tier=2, raw={"snippet": {"type": "superChatEvent"}},
    ),
    Membership(
        event_id="twitch:d", **BASE, author=VIEWER, membership_type="gift",
        tier="1000", recipient=Author(id="9", login="lucky"), months=1,
    ),
    Moderation(
        event_id="twitch:e", **BASE, action="timeout", target=Author(id="5", login="troll"),
        duration_seconds=600, reason="spam",
    ),
    StreamState(event_id="twitch:f", **BASE, state="raid", author=VIEWER, viewers=420),
    SystemEvent(event_id="twitch:g", **BASE, level="warning", code="msg_channel_suspended",
                text="This channel does not exist or has been suspended."),
]


@pytest.mark.parametrize("event", EXAMPLES, ids=lambda e: e.event_id)
def test_every_kind_round_trips_through_the_canonical_encoding(event: Event) -> None:
    encoded = encode_event(event)
    assert decode_event(encoded) == event
    assert encode_event(decode_event(encoded)) == encoded


def test_kind_is_the_first_key_and_defaults_are_left_out() -> None:
    message = ChatMessage(event_id="twitch:x", **BASE, text="hi")
    encoded = encode_event(message)
    assert encoded.startswith(b'{"kind":"chat_message","event_id":"twitch:x"')
    assert b"backfill" not in encoded
    assert b'"occurred_at":"2026-11-24T20:15:02.114000Z"' in encoded


def test_raw_keys_are_sorted_so_equal_payloads_encode_equally() -> None:
    one = ChatMessage(event_id="y:1", **BASE, raw={"b": 1, "a": {"d": 2, "c": 3}})
    two = ChatMessage(event_id="y:1", **BASE, raw={"a": {"c": 3, "d": 2}, "b": 1})
    assert encode_event(one) == encode_event(two)


def test_event_kinds_lists_every_tag() -> None:
    assert EVENT_KINDS == (
        "chat_message", "paid_support", "membership", "moderation", "stream_state", "system"
    )
    assert sorted({event_kind(e) for e in EXAMPLES}) == sorted(EVENT_KINDS)


def test_events_are_immutable() -> None:
    with pytest.raises(AttributeError):
        EXAMPLES[0].text = "changed"  # type: ignore[misc]


def test_naive_times_are_refused_when_built_and_when_decoded() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        ChatMessage(event_id="x:1", **(BASE | {"occurred_at": datetime(2026, 1, 1)}))
    encoded = encode_event(EXAMPLES[0]).replace(b"20:15:02.114000Z", b"20:15:02")
    with pytest.raises(msgspec.ValidationError):
        decode_event(encoded)


def test_other_offsets_decode_to_the_same_instant() -> None:
    shifted = encode_event(EXAMPLES[0]).replace(
        b'"occurred_at":"2026-11-24T20:15:02.114000Z"',
        b'"occurred_at":"2026-11-24T21:15:02.114000+01:00"',
    )
    decoded = decode_event(shifted)
    assert decoded.occurred_at == T0
    assert decoded.occurred_at.tzinfo is UTC
    assert encode_event(decoded) == encode_event(EXAMPLES[0])


@pytest.mark.parametrize(
    "bad",
    [b"{}", b'{"kind":"nope"}', b'{"kind":"chat_message"}', b"[1]", b"not json"],
)
def test_decode_rejects_what_is_not_an_event(bad: bytes) -> None:
    with pytest.raises((msgspec.ValidationError, msgspec.DecodeError)):
        decode_event(bad)


def test_ids() -> None:
    assert native_event_id("twitch", "abc") == "twitch:abc"
    one = content_event_id("rumble", "chan", "user", "2026-01-01T00:00:00Z", "hi")
    assert one == content_event_id("rumble", "chan", "user", "2026-01-01T00:00:00Z", "hi")
    assert one != content_event_id("rumble", "chan", "user", "2026-01-01T00:00:01Z", "hi")
    assert one.startswith("rumble:h:") and len(one) == len("rumble:h:") + 32
    # Parts are separated, so shifting text between them changes the id.
    assert content_event_id("k", "ab", "c") != content_event_id("k", "a", "bc")


def test_from_epoch_ms() -> None:
    assert from_epoch_ms(1_764_015_302_114) == datetime(2025, 11, 24, 20, 15, 2, 114000, tzinfo=UTC)


texts = st.text(max_size=200)
times = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=-8)), timezone(timedelta(hours=5, minutes=30))]
    ),
)
authors = st.builds(
    Author, id=texts, login=texts, display_name=texts,
    roles=st.lists(st.sampled_from(["moderator", "vip", "subscriber"]), unique=True).map(
        lambda r: tuple(sorted(r))
    ),
)
chat = st.builds(
    ChatMessage, event_id=texts, creator_id=texts, platform=texts, channel=texts,
    occurred_at=times, received_at=times, author=st.none() | authors, text=texts,
    fragments=st.lists(st.builds(Fragment, text=texts, emote_id=st.none() | texts)).map(tuple),
    amount=st.none() | st.builds(Money, amount_micros=st.integers(0, 10**15), currency=texts),
    backfill=st.booleans(),
    raw=st.none() | texts | st.dictionaries(texts, st.integers() | texts, max_size=5),
)


@given(chat)
def test_any_chat_message_round_trips(event: ChatMessage) -> None:
    assert event.occurred_at.tzinfo is UTC
    decoded = decode_event(encode_event(event))
    assert decoded == event
    assert encode_event(decoded) == encode_event(event)
