"""The query readers: typed values, or a 400 that names the parameter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from multidict import MultiDict

from streamsuites.web.errors import (
    ApiError,
    int_param,
    kinds_param,
    optional_int,
    text_param,
    time_param,
    values_param,
)


def bad(call: object, parameter: str) -> ApiError:
    with pytest.raises(ApiError) as caught:
        assert callable(call)
        call()
    error = caught.value
    assert (error.status, error.code, error.parameter) == (400, "bad_parameter", parameter)
    assert error.body()["error"]["parameter"] == parameter
    return error


def test_int_param_defaults_and_bounds() -> None:
    assert int_param(MultiDict(), "limit", default=50, low=1, high=500) == 50
    assert int_param(MultiDict(limit="7"), "limit", default=50, low=1, high=500) == 7
    for raw in ("0", "501", "-1", "1.5", "1e3", "", " 5", "٣", "x" * 30):
        query = MultiDict(limit=raw)
        bad(lambda q=query: int_param(q, "limit", default=50, low=1, high=500), "limit")


def test_a_repeated_single_parameter_is_refused() -> None:
    query = MultiDict([("after", "1"), ("after", "2")])
    bad(lambda: optional_int(query, "after"), "after")


def test_text_param_refuses_control_characters_and_long_values() -> None:
    assert text_param(MultiDict(creator="alice"), "creator") == "alice"
    assert text_param(MultiDict(creator=""), "creator") is None
    bad(lambda: text_param(MultiDict(creator="a\nb"), "creator"), "creator")
    bad(lambda: text_param(MultiDict(creator="a" * 201), "creator"), "creator")


def test_values_are_repeated_or_comma_separated_without_duplicates() -> None:
    query = MultiDict([("platform", "twitch,youtube"), ("platform", "twitch"), ("platform", "")])
    assert values_param(query, "platform") == ("twitch", "youtube")


def test_kinds_must_be_known_event_kinds() -> None:
    query = MultiDict([("kind", "chat_message,moderation")])
    assert kinds_param(query) == ("chat_message", "moderation")
    error = bad(lambda: kinds_param(MultiDict(kind="chat")), "kind")
    assert "chat_message" in error.message


def test_times_need_an_offset() -> None:
    assert time_param(MultiDict(since="2026-11-24T20:00:00Z"), "since") == datetime(
        2026, 11, 24, 20, tzinfo=UTC
    )
    assert time_param(MultiDict(), "since") is None
    for raw in ("2026-11-24T20:00:00", "yesterday", "2026-11-24T20:00:00 00:00"):
        bad(lambda r=raw: time_param(MultiDict(since=r), "since"), "since")
