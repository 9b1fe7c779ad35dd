"""The discovery-document validator (tests/discovery.py) catches what a fake would get wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.discovery import load_discovery, schema_errors


@pytest.fixture
def discovery(corpora) -> dict[str, Any]:
    return load_discovery(corpora)


def page(snippet: dict[str, Any], **extra: Any) -> dict[str, Any]:
    item = {"id": "LCC.1", "snippet": {"type": "textMessageEvent", **snippet}}
    return {"items": [item], **extra}


def test_real_pytchat_pages_fit(discovery, corpora):
    for name in ("TextMessage", "SuperChat", "NewSponsor"):
        body = json.loads((corpora / f"youtube/pytchat-API_{name}.json").read_text())
        assert schema_errors(discovery, "LiveChatMessageListResponse", body) == []


def test_unknown_property_is_named_by_path(discovery):
    body = page({"textMessageDetails": {"messageText": "hi", "bold": True}})
    assert schema_errors(discovery, "LiveChatMessageListResponse", body) == [
        "$.items[0].snippet.textMessageDetails.bold: property not in the schema"
    ]


def test_uint64_must_be_a_decimal_string(discovery):
    as_number = page({"superChatDetails": {"amountMicros": 5000000}})
    not_decimal = page({"superChatDetails": {"amountMicros": "5e6"}})
    too_big = page({"superChatDetails": {"amountMicros": str(2**64)}})
    negative = page({"superChatDetails": {"amountMicros": "-1"}})
    path = "$.items[0].snippet.superChatDetails.amountMicros"
    assert schema_errors(discovery, "LiveChatMessageListResponse", as_number) == [
        f"{path}: expected a string, got int"
    ]
    for body in (not_decimal, too_big, negative):
        (error,) = schema_errors(discovery, "LiveChatMessageListResponse", body)
        assert error.startswith(f"{path}: ")


def test_int64_string_accepts_negative(discovery):
    poll = {"pollDetails": {"metadata": {"options": [{"optionText": "a", "tally": "-3"}]}}}
    assert schema_errors(discovery, "LiveChatMessageListResponse", page(poll)) == []


def test_enum_integer_boolean_and_time_checks(discovery):
    body = page(
        {"type": "shoutEvent", "hasDisplayContent": "yes", "publishedAt": "2026-11-24 19:00"},
        pollingIntervalMillis=-5,
        pageInfo={"totalResults": True},
    )
    assert sorted(schema_errors(discovery, "LiveChatMessageListResponse", body)) == [
        "$.items[0].snippet.hasDisplayContent: expected a boolean, got a string",
        "$.items[0].snippet.publishedAt: '2026-11-24 19:00' is not an RFC 3339 date-time",
        "$.items[0].snippet.type: 'shoutEvent' is not one of the enum values",
        "$.pageInfo.totalResults: expected an integer, got a boolean",
        "$.pollingIntervalMillis: -5 is out of range for uint32",
    ]


def test_date_time_needs_an_offset(discovery):
    naive = page({"publishedAt": "2026-11-24T19:00:00"})
    aware = page({"publishedAt": "2026-11-24T19:00:00.5+01:00"})
    assert len(schema_errors(discovery, "LiveChatMessageListResponse", naive)) == 1
    assert schema_errors(discovery, "LiveChatMessageListResponse", aware) == []


def test_wrong_container_types(discovery):
    assert schema_errors(discovery, "LiveChatMessageListResponse", {"items": {}}) == [
        "$.items: expected an array, got an object"
    ]
    assert schema_errors(discovery, "LiveChatMessageListResponse", []) == [
        "$: expected an object, got an array"
    ]


def test_additional_properties_map(discovery):
    good = {"localizations": {"de": {"title": "Hallo"}}}
    bad = {"localizations": {"de": {"title": 3}}}
    assert schema_errors(discovery, "Channel", good) == []
    assert schema_errors(discovery, "Channel", bad) == [
        "$.localizations.de.title: expected a string, got int"
    ]


def test_empty_schema_allows_no_properties(discovery):
    body = {"items": [], "tokenPagination": {"x": 1}}
    assert schema_errors(discovery, "LiveChatMessageListResponse", body) == [
        "$.tokenPagination.x: property not in the schema"
    ]


def test_unknown_schema_name_is_a_key_error(discovery):
    with pytest.raises(KeyError):
        schema_errors(discovery, "NoSuchSchema", {})
