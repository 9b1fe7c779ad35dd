from __future__ import annotations

import pytest

from streamsuites.emulators._youtube_wire import (
    ApiError,
    Author,
    amount_display,
    display_message,
    error_body,
    live_chat_id_for,
    rfc3339,
    super_chat_tier,
)
from streamsuites.emulators._youtube_world import World, page_index, page_token


def test_error_body_is_googles_envelope() -> None:
    body = error_body(ApiError(403, "quotaExceeded"))
    error = body["error"]
    assert error["code"] == 403
    assert error["status"] == "PERMISSION_DENIED"
    assert error["errors"] == [
        {"message": error["message"], "domain": "youtube.quota", "reason": "quotaExceeded"}
    ]
    auth = error_body(ApiError(401, "authError"))["error"]["errors"][0]
    assert (auth["domain"], auth["location"], auth["locationType"]) == (
        "global",
        "Authorization",
        "header",
    )


@pytest.mark.parametrize(
    ("micros", "currency", "shown", "tier"),
    [
        (1_000_000, "USD", "$1.00", 1),
        (5_000_000, "USD", "$5.00", 3),
        (200_000_000, "JPY", "¥200", 2),
        (3_500_000, "CHF", "CHF 3.50", 2),
        (1_000_000_000, "EUR", "€1,000.00", 7),
    ],
)
def test_amounts_are_shown_as_youtube_shows_them(
    micros: int, currency: str, shown: str, tier: int
) -> None:
    assert amount_display(micros, currency) == shown
    assert super_chat_tier(micros, currency) == tier


def test_authors_have_stable_channels_and_roles() -> None:
    ann = Author("Ann", member=True)
    assert ann.id == Author("Ann").id
    assert ann.id.startswith("UC") and len(ann.id) == 24
    details = ann.details()
    assert (details["displayName"], details["isChatSponsor"], details["isChatOwner"]) == (
        "Ann",
        True,
        False,
    )
    assert set(ann.profile()) == {"channelId", "channelUrl", "displayName", "profileImageUrl"}


def test_display_messages_by_type() -> None:
    bo = Author("Bo")
    super_chat = {"amountDisplayString": "$5.00", "userComment": "gg"}
    assert display_message("superChatEvent", super_chat, bo) == '$5.00 from Bo: "gg"'
    assert display_message("textMessageEvent", {"messageText": "hi"}, bo) == "hi"
    assert display_message("messageDeletedEvent", {"deletedMessageId": "x"}, bo) is None


def test_times_and_chat_ids_are_shaped_like_youtubes() -> None:
    assert rfc3339(1_700_000_000.25) == "2023-11-14T22:13:20.250Z"
    assert live_chat_id_for("dQw4w9WgXcQ").startswith("Cg0KC")


def test_page_tokens_round_trip_and_reject_tampering() -> None:
    world = World()
    channel = world.add_channel("UCx000000000000000000000", "@x", "X", now=0.0)
    chat = world.chats[world.start_stream(channel, "t", None, now=0.0).live_chat_id]
    other = world.chats[world.start_stream(channel, "u", None, now=0.0).live_chat_id]
    world.post(chat, "textMessageEvent", {"messageText": "a"}, Author("A"), now=0.0)
    assert page_index(chat, page_token(chat, 1)) == 1
    for bad in (page_token(chat, 2), page_token(other, 0), "!!!", ""):
        with pytest.raises(ApiError) as caught:
            page_index(chat, bad)
        assert caught.value.reason == "invalidPageToken"


def test_super_chat_details_are_completed() -> None:
    world = World()
    channel = world.add_channel("UCx000000000000000000000", None, "X Y", now=0.0)
    assert channel.handle == "@XY"
    chat = world.chats[world.start_stream(channel, "t", None, now=0.0).live_chat_id]
    details = {"amountMicros": 2_000_000, "currency": "GBP"}
    world.post(chat, "superChatEvent", details, Author("A"), now=0.0)
    snippet = chat.messages[-1]["snippet"]
    assert snippet["superChatDetails"] == {
        "tier": 2,
        "amountMicros": "2000000",
        "currency": "GBP",
        "amountDisplayString": "£2.00",
    }
    with pytest.raises(ValueError, match="unknown liveChatMessage type"):
        world.post(chat, "nonsense", {}, Author("A"), now=0.0)
    with pytest.raises(ValueError, match="starts with 'UC'"):
        world.add_channel("bad", None, "bad", now=0.0)
