"""Every YouTube snippet type becomes the normalized event docs/platforms/youtube-events.md says."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from streamsuites.connectors.youtube.models import LiveChatMessage, decode_chat_page
from streamsuites.connectors.youtube.translate import (
    CODE_INVALID,
    CODE_UNKNOWN_TYPE,
    InvalidMessage,
    parse_uint,
    translate_message,
    translate_page,
)
from streamsuites.events import (
    Author,
    ChatMessage,
    Fragment,
    Membership,
    Moderation,
    Money,
    PaidSupport,
    ReplyTo,
    StreamState,
    SystemEvent,
    decode_event,
    encode_event,
)
from tests.support import REPO

FIXTURES = REPO / "tests/fixtures/youtube"
NOW = datetime(2026, 11, 24, 22, 0, tzinfo=UTC)
OWNER = "UCa1iceP1aysXXXXXXXXXXXX"
CHAT = "Cg0KC2FsaWNlc3RyZWFt"
FAY = "UCfayXXXXXXXXXXXXXXXXXXX"
GUS = "UCgusXXXXXXXXXXXXXXXXXXX"
MOD = "UCmodminaXXXXXXXXXXXXXXX"


def events_of(name: str, **options: Any) -> list[Any]:
    page = decode_chat_page((FIXTURES / f"{name}.json").read_bytes())
    return translate_page(page, creator_id="alice", channel=OWNER, received_at=NOW, **options)


def one(name: str) -> Any:
    (event,) = events_of(name)
    return event


def item(snippet: dict[str, Any], author: dict[str, Any] | None = None) -> LiveChatMessage:
    body: dict[str, Any] = {"id": "LCC.t", "snippet": {"publishedAt": "2026-11-24T19:00:00Z"}}
    body["snippet"].update(snippet)
    if author is not None:
        body["authorDetails"] = author
    return msgspec.json.decode(json.dumps(body), type=LiveChatMessage)


def who(event: Any) -> Author:
    assert event.author is not None
    author: Author = event.author
    return author


def translate_one(message: LiveChatMessage, **options: Any) -> Any:
    (event,) = translate_message(
        message, creator_id="alice", channel=OWNER, received_at=NOW, **options
    )
    return event


def test_every_snippet_type_has_a_mapped_kind(corpora):
    discovery = json.loads((corpora / "youtube/youtube.v3.discovery.json").read_text())
    types = discovery["schemas"]["LiveChatMessageSnippet"]["properties"]["type"]["enum"]
    expected = {
        "textMessageEvent": ChatMessage,
        "superChatEvent": PaidSupport,
        "superStickerEvent": PaidSupport,
        "fanFundingEvent": PaidSupport,
        "giftEvent": PaidSupport,
        "newSponsorEvent": Membership,
        "memberMilestoneChatEvent": Membership,
        "membershipGiftingEvent": Membership,
        "giftMembershipReceivedEvent": Membership,
        "messageDeletedEvent": Moderation,
        "messageRetractedEvent": Moderation,
        "tombstone": Moderation,
        "userBannedEvent": Moderation,
        "pollEvent": SystemEvent,
        "chatEndedEvent": StreamState,
        "sponsorOnlyModeStartedEvent": SystemEvent,
        "sponsorOnlyModeEndedEvent": SystemEvent,
        "invalidType": SystemEvent,
    }
    assert sorted(types) == sorted(expected)
    for kind in types:
        events = events_of(kind)
        assert events, kind
        assert all(type(event) is expected[kind] for event in events), kind
        assert all(
            event.code not in (CODE_INVALID,) for event in events if type(event) is SystemEvent
        )


def test_text_message():
    first, second, third = events_of("textMessageEvent")
    assert isinstance(first, ChatMessage)
    assert first.event_id == "youtube:LCC.text-1"
    assert (first.creator_id, first.platform, first.channel) == ("alice", "youtube", OWNER)
    assert first.stream_id == CHAT
    assert first.occurred_at == datetime(2026, 11, 24, 19, 0, 12, 345000, tzinfo=UTC)
    assert first.received_at == NOW
    assert first.text == "hi from YouTube 👋"
    assert first.fragments == (Fragment(text="hi from YouTube 👋"),)
    assert first.author == Author(
        id=FAY,
        display_name="Fay W.",
        avatar_url="https://yt3.ggpht.com/fay w./s88-c-k-no-mo-rj-c0xffffff/photo.jpg",
    )
    assert not first.backfill
    assert first.raw["snippet"]["textMessageDetails"] == {"messageText": "hi from YouTube 👋"}
    assert first.raw["id"] == "LCC.text-1"
    assert second.author.roles == ("broadcaster",)
    assert third.author.roles == ("moderator", "verified")
    # +02:00 in the page, UTC in the event.
    assert third.occurred_at == datetime(2026, 11, 24, 17, 0, 14, 500000, tzinfo=UTC)


def test_roles_sorted_by_name():
    flags = {"isChatOwner": True, "isChatModerator": True, "isChatSponsor": True}
    event = translate_one(
        item({"type": "textMessageEvent"}, {"channelId": "UC1", **flags, "isVerified": True})
    )
    assert event.author.roles == ("broadcaster", "member", "moderator", "verified")
    plain = translate_one(item({"type": "textMessageEvent"}, {"channelId": "UC1"}))
    assert plain.author.roles == ()


def test_stream_id_and_backfill_from_the_connector():
    (event, *_) = events_of("textMessageEvent", stream_id="aliceVid001", backfill=True)
    assert event.stream_id == "aliceVid001"
    assert event.backfill


def test_super_chat():
    first, second = events_of("superChatEvent")
    assert isinstance(first, PaidSupport)
    assert first.event_id == "youtube:LCC.sc-1"
    assert first.support_type == "superchat"
    assert first.amount == Money(amount_micros=5_000_000, currency="USD", display="$5.00")
    assert first.tier == 2
    assert first.text == "Love the stream!"
    assert first.fragments == (Fragment(text="Love the stream!"),)
    assert who(first).id == FAY
    # A Super Chat without a comment has no text.
    assert second.amount == Money(amount_micros=1_000_000, currency="EUR", display="€1.00")
    assert (second.text, second.fragments, second.tier) == ("", (), 1)
    assert second.author.roles == ("member",)


def test_super_sticker():
    event = one("superStickerEvent")
    assert isinstance(event, PaidSupport)
    assert event.support_type == "supersticker"
    assert event.amount == Money(amount_micros=2_000_000, currency="USD", display="$2.00")
    assert event.sticker_id == "pack_cat_wave"
    assert event.text == "A cat waving"
    assert event.tier == 1


def test_fan_funding():
    event = one("fanFundingEvent")
    assert isinstance(event, PaidSupport)
    assert event.support_type == "other"
    assert event.amount == Money(amount_micros=3_500_000, currency="USD", display="$3.50")
    assert event.text == "keep going"


def test_gift_in_jewels_counts_the_combo():
    event = one("giftEvent")
    assert isinstance(event, PaidSupport)
    assert event.support_type == "other"
    assert event.amount == Money(amount_micros=30_000_000, currency="JEWELS")
    assert event.text == "Rose"


def test_single_gift_without_combo():
    event = translate_one(item({"type": "giftEvent", "giftDetails": {"jewelsAmount": 50}}))
    assert event.amount == Money(amount_micros=50_000_000, currency="JEWELS")
    assert event.text == ""


def test_new_sponsor_and_upgrade():
    new, upgrade = events_of("newSponsorEvent")
    assert isinstance(new, Membership)
    assert (new.membership_type, new.tier, new.text) == ("new", "Superfans", "")
    assert who(new).id == GUS and who(new).roles == ("member",)
    assert (upgrade.membership_type, upgrade.tier) == ("resub", "Gold")


def test_pytchat_new_sponsor_without_details_is_a_new_member(corpora):
    body = (corpora / "youtube/pytchat-API_NewSponsor.json").read_bytes()
    (event,) = translate_page(
        decode_chat_page(body), creator_id="alice", channel=OWNER, received_at=NOW
    )
    assert isinstance(event, Membership)
    assert (event.membership_type, event.tier) == ("new", None)


def test_member_milestone():
    event = one("memberMilestoneChatEvent")
    assert isinstance(event, Membership)
    assert event.membership_type == "milestone"
    assert (event.months, event.tier, event.text) == (14, "Superfans", "14 months already!")
    assert event.fragments == (Fragment(text="14 months already!"),)


def test_membership_gifting():
    event = one("membershipGiftingEvent")
    assert isinstance(event, Membership)
    assert (event.membership_type, event.gift_count, event.tier) == ("gift_bundle", 5, "Superfans")
    assert who(event).id == FAY
    assert event.recipient is None


def test_gift_received():
    event = one("giftMembershipReceivedEvent")
    assert isinstance(event, Membership)
    assert event.event_id == "youtube:LCC.gr-1"
    assert event.membership_type == "gift_received"
    assert event.tier == "Superfans"
    assert event.recipient is not None
    assert (event.recipient.id, event.recipient.display_name) == (GUS, "Gus")
    assert event.recipient.roles == ("member",)
    assert event.author == Author(id=FAY)
    assert event.reply_to == ReplyTo(message_id="youtube:LCC.mg-1")


def test_gift_received_without_details():
    event = translate_one(
        item({"type": "giftMembershipReceivedEvent"}, {"channelId": GUS, "displayName": "Gus"})
    )
    assert (event.author, event.reply_to, event.tier) == (None, None, None)
    assert event.recipient == Author(id=GUS, display_name="Gus")


def test_message_deleted_names_the_event_id_it_removes():
    event = one("messageDeletedEvent")
    assert isinstance(event, Moderation)
    assert event.event_id == "youtube:LCC.del-1"
    assert event.action == "message_deleted"
    assert event.target_message_id == "youtube:LCC.text-1"
    assert event.target_message_id == events_of("textMessageEvent")[0].event_id
    assert who(event).id == MOD
    assert event.reason is None


def test_message_retracted():
    event = one("messageRetractedEvent")
    assert isinstance(event, Moderation)
    assert (event.action, event.target_message_id) == ("message_deleted", "youtube:LCC.text-1")
    assert event.reason == "retracted"
    assert who(event).id == FAY


def test_tombstone_replaces_the_message_under_its_own_id():
    event = one("tombstone")
    assert isinstance(event, Moderation)
    assert event.action == "message_deleted"
    assert event.target_message_id == "youtube:LCC.text-1"
    # Not the message's own event id, or the log would drop it as a redelivery.
    assert event.event_id == "youtube:LCC.text-1:tombstone"
    assert event.reason == "tombstone"
    assert event.author is None
    assert event.occurred_at == datetime(2026, 11, 24, 19, 0, 12, 345000, tzinfo=UTC)


def test_user_banned_temporary_and_permanent():
    timeout, ban = events_of("userBannedEvent")
    assert isinstance(timeout, Moderation)
    assert (timeout.action, timeout.duration_seconds) == ("timeout", 300)
    assert timeout.target == Author(
        id=FAY,
        display_name="Fay W.",
        avatar_url="https://yt3.ggpht.com/fay w./s88-c-k-no-mo-rj-c0xffffff/photo.jpg",
    )
    assert who(timeout).id == MOD and who(timeout).roles == ("moderator", "verified")
    assert (ban.action, ban.duration_seconds) == ("ban", None)
    assert ban.target == Author(id=GUS, display_name="Gus")


@pytest.mark.parametrize(
    ("details", "action", "duration"),
    [
        ({"banType": "temporary", "banDurationSeconds": "86400"}, "timeout", 86400),
        ({"banType": "permanent", "banDurationSeconds": "10"}, "ban", None),
        ({"banDurationSeconds": "60"}, "timeout", 60),
        ({}, "ban", None),
        (
            {"banType": "temporary", "banDurationSeconds": "18446744073709551615"},
            "timeout",
            2**64 - 1,
        ),
    ],
)
def test_ban_durations(details, action, duration):
    event = translate_one(item({"type": "userBannedEvent", "userBannedDetails": details}))
    assert (event.action, event.duration_seconds, event.target) == (action, duration, None)


@pytest.mark.parametrize(
    ("details", "problem"),
    [
        ({"banType": "temporary"}, "banDurationSeconds is missing"),
        ({"banType": "temporary", "banDurationSeconds": "5m"}, "banDurationSeconds is '5m'"),
        ({"banType": "temporary", "banDurationSeconds": "-5"}, "banDurationSeconds is '-5'"),
    ],
)
def test_bad_ban_duration_is_a_visible_warning(details, problem):
    event = translate_one(item({"type": "userBannedEvent", "userBannedDetails": details}))
    assert isinstance(event, SystemEvent)
    assert (event.code, event.level) == (CODE_INVALID, "warning")
    assert event.event_id == "youtube:LCC.t"
    assert event.text.startswith("userBannedEvent: snippet.userBannedDetails.")
    assert problem in event.text


def test_poll_carries_options_and_leaves_tallies_in_raw():
    event = one("pollEvent")
    assert isinstance(event, SystemEvent)
    assert (event.code, event.level, event.text) == ("youtube_poll", "info", "Next game?")
    assert event.fragments == (Fragment(text="Hades"), Fragment(text="Celeste"))
    poll = event.raw["snippet"]["pollDetails"]
    assert poll["status"] == "active"
    assert [option["tally"] for option in poll["metadata"]["options"]] == ["12", "7"]


def test_poll_without_details():
    event = translate_one(item({"type": "pollEvent"}))
    assert (event.code, event.text, event.fragments) == ("youtube_poll", "", ())


def test_chat_ended():
    event = one("chatEndedEvent")
    assert isinstance(event, StreamState)
    assert event.state == "offline"
    assert event.event_id == "youtube:LCC.end-1"
    assert event.author is None


def test_members_only_mode():
    started = one("sponsorOnlyModeStartedEvent")
    ended = one("sponsorOnlyModeEndedEvent")
    assert (started.code, started.level, started.text) == (
        "youtube_members_only_on",
        "info",
        "Members-only mode is on",
    )
    assert (ended.code, ended.text) == ("youtube_members_only_off", "Members-only mode is off")


def test_invalid_type_is_visible():
    event = one("invalidType")
    assert isinstance(event, SystemEvent)
    assert (event.code, event.level, event.text) == (CODE_UNKNOWN_TYPE, "warning", "invalidType")
    assert event.event_id == "youtube:LCC.inv-1"
    assert who(event).id == FAY


def test_unknown_and_missing_types_are_visible():
    future = translate_one(item({"type": "hologramEvent", "displayMessage": "✨"}))
    assert (future.code, future.text) == (CODE_UNKNOWN_TYPE, "hologramEvent")
    bare = translate_one(msgspec.json.decode(b'{"id": "LCC.x"}', type=LiveChatMessage))
    assert isinstance(bare, SystemEvent)
    assert (bare.code, bare.text, bare.author, bare.stream_id) == (
        CODE_UNKNOWN_TYPE,
        "(no type)",
        None,
        None,
    )
    # Without platform time, the receive time stands in.
    assert bare.occurred_at == NOW


@pytest.mark.parametrize(
    ("snippet", "problem"),
    [
        (
            {
                "type": "superChatEvent",
                "superChatDetails": {"amountMicros": "5.00", "currency": "USD"},
            },
            "superChatEvent: snippet.superChatDetails.amountMicros is '5.00',"
            " not an unsigned 64-bit integer",
        ),
        (
            {"type": "superChatEvent", "superChatDetails": {"amountMicros": "", "currency": "USD"}},
            "amountMicros is ''",
        ),
        (
            {
                "type": "superChatEvent",
                "superChatDetails": {"amountMicros": str(2**64), "currency": "X"},
            },
            "amountMicros is '18446744073709551616'",
        ),
        (
            {"type": "superChatEvent", "superChatDetails": {"currency": "USD"}},
            "superChatEvent: snippet.superChatDetails.amountMicros is missing",
        ),
        (
            {"type": "superChatEvent", "superChatDetails": {"amountMicros": "1"}},
            "superChatEvent: snippet.superChatDetails.currency is missing",
        ),
        ({"type": "superChatEvent"}, "superChatEvent: snippet.superChatDetails is missing"),
        ({"type": "superStickerEvent"}, "snippet.superStickerDetails is missing"),
        (
            {
                "type": "superStickerEvent",
                "superStickerDetails": {"amountMicros": "x1", "currency": "USD"},
            },
            "snippet.superStickerDetails.amountMicros is 'x1'",
        ),
        ({"type": "fanFundingEvent"}, "snippet.fanFundingEventDetails is missing"),
        ({"type": "giftEvent", "giftDetails": {"giftName": "Rose"}}, "jewelsAmount is missing"),
        ({"type": "giftEvent", "giftDetails": {"jewelsAmount": -3}}, "jewelsAmount is -3"),
        ({"type": "userBannedEvent"}, "snippet.userBannedDetails is missing"),
    ],
)
def test_bad_values_become_warnings_naming_the_field(snippet, problem):
    event = translate_one(item(snippet))
    assert isinstance(event, SystemEvent)
    assert (event.code, event.level, event.event_id) == (CODE_INVALID, "warning", "youtube:LCC.t")
    assert problem in event.text
    assert event.raw["snippet"]["type"] == snippet["type"]


def test_missing_optional_details_still_translate():
    cases = {
        "textMessageEvent": ChatMessage,
        "newSponsorEvent": Membership,
        "memberMilestoneChatEvent": Membership,
        "membershipGiftingEvent": Membership,
        "messageDeletedEvent": Moderation,
        "messageRetractedEvent": Moderation,
    }
    for kind, cls in cases.items():
        event = translate_one(item({"type": kind}))
        assert type(event) is cls, kind
        assert event.text == ""
    deleted = translate_one(item({"type": "messageDeletedEvent"}))
    assert deleted.target_message_id is None
    sticker = translate_one(
        item(
            {
                "type": "superStickerEvent",
                "superStickerDetails": {"amountMicros": "1", "currency": "USD"},
            }
        )
    )
    assert (sticker.sticker_id, sticker.text, sticker.amount.display) == (None, "", None)


def test_text_falls_back_to_display_message():
    event = translate_one(item({"type": "textMessageEvent", "displayMessage": "shown"}))
    assert event.text == "shown"
    preferred = translate_one(
        item(
            {
                "type": "textMessageEvent",
                "displayMessage": "rendered",
                "textMessageDetails": {"messageText": "typed"},
            }
        )
    )
    assert preferred.text == "typed"


def test_author_from_snippet_when_details_are_missing():
    event = translate_one(item({"type": "textMessageEvent", "authorChannelId": "UCx"}))
    assert event.author == Author(id="UCx")
    partial = translate_one(
        item({"type": "textMessageEvent", "authorChannelId": "UCx"}, {"displayName": "X"})
    )
    assert partial.author == Author(id="UCx", display_name="X")


def test_gift_name_falls_back_to_alt_text():
    details = {"jewelsAmount": 1, "altText": "A red rose"}
    event = translate_one(item({"type": "giftEvent", "giftDetails": details}))
    assert event.text == "A red rose"


def test_missing_id_gets_a_stable_content_id():
    body = b'{"snippet": {"type": "textMessageEvent", "displayMessage": "hi", "liveChatId": "c"}}'
    message = msgspec.json.decode(body, type=LiveChatMessage)
    first = translate_one(message)
    again = translate_one(message)
    assert first.event_id.startswith("youtube:h:")
    assert first.event_id == again.event_id
    other = msgspec.json.decode(body.replace(b'"hi"', b'"ho"'), type=LiveChatMessage)
    assert translate_one(other).event_id != first.event_id


def test_page_keeps_item_order_and_skips_the_active_poll_item():
    body = json.loads((FIXTURES / "pollEvent.json").read_text())
    body["items"] = [
        *json.loads((FIXTURES / "textMessageEvent.json").read_text())["items"],
        *body["items"],
    ]
    page = decode_chat_page(json.dumps(body))
    events = translate_page(page, creator_id="alice", channel=OWNER, received_at=NOW)
    assert [event.event_id for event in events] == [
        "youtube:LCC.text-1",
        "youtube:LCC.text-2",
        "youtube:LCC.text-3",
        "youtube:LCC.poll-1",
    ]
    assert (
        translate_page(decode_chat_page(b"{}"), creator_id="a", channel="c", received_at=NOW) == []
    )


def test_parse_uint():
    assert parse_uint("0", "f") == 0
    assert parse_uint("18446744073709551615", "f") == 2**64 - 1
    for bad in ("", " 1", "1 ", "+1", "-1", "1e3", "0x10", "١٢", "18446744073709551616"):
        with pytest.raises(InvalidMessage, match="^f is "):
            parse_uint(bad, "f")
    with pytest.raises(InvalidMessage, match="^f is missing$"):
        parse_uint(None, "f")


@pytest.mark.parametrize("name", sorted(path.stem for path in FIXTURES.glob("*.json")))
def test_fixture_events_round_trip(name):
    for event in events_of(name):
        assert decode_event(encode_event(event)) == event


# --- the three real pages from pytchat ------------------------------------------------------

PYTCHAT_ID = (
    "LCC.Ck7NAO9vS2nHct38SwUnWfkQy5kxNdHJqrL0dYOb3izTAHB74jBnWRccAia8DURhN1h8oT79FH94gMnQ2OTfv5B"
    "Pev1huOtEfAHjciF8TWsyi9LeJWdOu7HJ4JoFquok7dv6tD9chf6wqpWz"
)
PYTCHAT_CHAT = (
    "oQZoCxfO7oUMBf703MdPwXb4c3EwgfI2Po4sL1oBaKbMelkCBiOS5UPOzE62l7hbC249v8wSTXcyEcVFHklmClse41w"
    "wiyO97uUyrt"
)
PYTCHAT_AUTHOR = Author(
    id="UCZneZy3197k3ErGxVjKFZSg",
    display_name="A",
    avatar_url=(
        "https://yt3.ggpht.com/-Dvb6csYDHb9/AAAAAAAAAAI/AAAAAAAAAAA/Bvb6csYDHb9/"
        "s88-c-k-no-mo-rj-c0xffffff/photo.jpg"
    ),
)
PYTCHAT_TIME = datetime(2018, 1, 1, tzinfo=UTC)


def pytchat(corpora, name: str) -> Any:
    body = (corpora / f"youtube/pytchat-API_{name}.json").read_bytes()
    (event,) = translate_page(
        decode_chat_page(body), creator_id="alice", channel=OWNER, received_at=NOW
    )
    assert event.event_id == f"youtube:{PYTCHAT_ID}"
    assert event.stream_id == PYTCHAT_CHAT
    assert event.occurred_at == PYTCHAT_TIME
    return event


def test_pytchat_text_message(corpora):
    event = pytchat(corpora, "TextMessage")
    assert isinstance(event, ChatMessage)
    assert event.author == PYTCHAT_AUTHOR
    assert event.text == "888"
    assert event.fragments == (Fragment(text="888"),)


def test_pytchat_super_chat(corpora):
    event = pytchat(corpora, "SuperChat")
    assert isinstance(event, PaidSupport)
    assert event.author == PYTCHAT_AUTHOR
    assert event.support_type == "superchat"
    assert event.amount == Money(amount_micros=200_000_000, currency="JPY", display="¥200")
    assert event.tier == 2
    assert event.text == "888"


def test_pytchat_new_sponsor(corpora):
    event = pytchat(corpora, "NewSponsor")
    assert isinstance(event, Membership)
    assert event.membership_type == "new"
    assert event.author == Author(
        id=PYTCHAT_AUTHOR.id,
        display_name="A",
        avatar_url=PYTCHAT_AUTHOR.avatar_url,
        roles=("member",),
    )
    assert event.tier is None


# --- property: any well-formed text message translates and round-trips ---------------------

TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=60)
OFFSETS = st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timezone(timedelta(minutes=m)))
TIMES = st.datetimes(
    min_value=datetime(1971, 1, 1), max_value=datetime(9998, 12, 31), timezones=OFFSETS
)
AUTHORS = st.fixed_dictionaries(
    {"channelId": TEXT},
    optional={
        "displayName": TEXT,
        "channelUrl": TEXT,
        "profileImageUrl": TEXT,
        "isVerified": st.booleans(),
        "isChatOwner": st.booleans(),
        "isChatSponsor": st.booleans(),
        "isChatModerator": st.booleans(),
    },
)
SNIPPETS = st.fixed_dictionaries(
    {"type": st.just("textMessageEvent"), "publishedAt": TIMES.map(datetime.isoformat)},
    optional={
        "liveChatId": TEXT,
        "authorChannelId": TEXT,
        "hasDisplayContent": st.booleans(),
        "displayMessage": TEXT,
        "textMessageDetails": st.fixed_dictionaries({}, optional={"messageText": TEXT}),
    },
)
ITEMS = st.fixed_dictionaries(
    {"id": TEXT, "snippet": SNIPPETS},
    optional={"kind": st.just("youtube#liveChatMessage"), "etag": TEXT, "authorDetails": AUTHORS},
)


@given(items=st.lists(ITEMS, max_size=5), backfill=st.booleans())
def test_any_text_message_translates_and_round_trips(items, backfill):
    page = decode_chat_page(json.dumps({"items": items}))
    events = translate_page(
        page, creator_id="alice", channel=OWNER, received_at=NOW, backfill=backfill
    )
    assert len(events) == len(items)
    for event, body in zip(events, items, strict=True):
        assert isinstance(event, ChatMessage)
        assert event.backfill is backfill
        assert event.occurred_at == datetime.fromisoformat(body["snippet"]["publishedAt"])
        typed = body["snippet"].get("textMessageDetails", {}).get("messageText")
        assert event.text == (typed or body["snippet"].get("displayMessage", ""))
        assert decode_event(encode_event(event)) == event
        assert encode_event(decode_event(encode_event(event))) == encode_event(event)
