"""YouTube connector settings from creators.json, and what each API error makes the connector do."""

from __future__ import annotations

from typing import Any

import pytest

from streamsuites.config.model import Creator, CreatorPlatform, Limits
from streamsuites.connectors.base import ConnectorSpec
from streamsuites.connectors.youtube.client import (
    ApiCallError,
    ChatGone,
    QuotaExhausted,
    YouTubeApi,
)
from streamsuites.connectors.youtube.config import YouTubeConfig
from streamsuites.connectors.youtube.models import ApiError
from streamsuites.connectors.youtube.quota import QuotaBook
from streamsuites.errors import AuthError, RateLimited, TransportError
from streamsuites.testing import FakeClock

KEY = {"api_key": "AIza-secret"}
OAUTH = {"client_id": "123-abc.apps", "client_secret": "s", "refresh_token": "r"}


def spec(
    channel: str | None = "UCa1iceP1aysXXXXXXXXXXXX",
    secrets: dict[str, str] | None = None,
    limits: dict[str, Any] | None = None,
    options: dict[str, object] | None = None,
) -> ConnectorSpec:
    settings = CreatorPlatform(
        platform="youtube", enabled=True, channel=channel, options=options or {}
    )
    creator = Creator(
        creator_id="alice", display_name="Alice", enabled=True, tier="open",
        limits=Limits(extra=limits or {}), platforms={"youtube": settings},
    )  # fmt: skip
    return ConnectorSpec(
        creator=creator, settings=settings, secrets=KEY if secrets is None else secrets
    )


def test_a_channel_id_a_handle_or_a_video() -> None:
    by_id = YouTubeConfig.from_spec(spec())
    assert (by_id.channel_id, by_id.handle) == ("UCa1iceP1aysXXXXXXXXXXXX", None)
    by_handle = YouTubeConfig.from_spec(spec("aliceplays"))
    assert (by_handle.channel_id, by_handle.handle) == (None, "@aliceplays")
    video = YouTubeConfig.from_spec(spec(None, options={"video_id": "dQw4w9WgXcQ"}))
    assert video.video_id == "dQw4w9WgXcQ" and video.target == "video dQw4w9WgXcQ"


@pytest.mark.parametrize(
    ("channel", "secrets", "options", "message"),
    [
        ("alice plays!", KEY, {}, "neither a channel id"),
        (None, KEY, {}, "needs a 'channel'"),
        ("@alice", {}, {}, "needs credentials"),
        ("@alice", {"client_id": "x"}, {}, "all three of client_id_env"),
        ("@alice", KEY, {"video_id": "short"}, "'video_id' must be an 11-character"),
        ("@alice", KEY, {"max_results": 50}, "'max_results' must be an integer from 200 to 2000"),
        ("@alice", KEY, {"search_fallback": "yes"}, "'search_fallback' must be true or false"),
        ("@alice", KEY, {"offline_check_seconds": 0}, "positive number of seconds"),
    ],
)
def test_bad_settings_name_the_option(
    channel: str | None, secrets: dict[str, str], options: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        YouTubeConfig.from_spec(spec(channel, secrets, options=options))


def test_the_quota_project_is_shared_by_credentials_and_never_shows_the_key() -> None:
    one = YouTubeConfig.from_spec(spec())
    two = YouTubeConfig.from_spec(spec("@bob"))
    assert one.project == two.project and one.project.startswith("key:")
    assert "AIza" not in one.project and "AIza" not in repr(one)
    assert YouTubeConfig.from_spec(spec(secrets=OAUTH)).project == "oauth:123"
    assert YouTubeConfig.from_spec(spec(options={"project": "studio"})).project == "studio"


def test_the_tier_limits_set_the_budget_and_reserve() -> None:
    config = YouTubeConfig.from_spec(
        spec(limits={"youtube_daily_units_max": 9000, "youtube_daily_units_buffer": 300})
    )
    assert (config.budget, config.reserve) == (9000, 300)
    with pytest.raises(ValueError, match="youtube_daily_units_max"):
        YouTubeConfig.from_spec(spec(limits={"youtube_daily_units_max": "lots"}))


def test_without_a_buffer_the_reserve_is_the_planners_five_percent() -> None:
    config = YouTubeConfig.from_spec(spec(limits={"youtube_daily_units_max": 400}))
    assert config.reserve is None
    quota = QuotaBook().project(config.project, budget=config.budget, reserve=config.reserve)
    assert (quota.budget, quota.reserve) == (400, 20)


def error(status: int, *reasons: str, details: tuple[str, ...] = ()) -> ApiError:
    return ApiError(
        status=status, code=status, message="m", reasons=reasons, detail_reasons=details
    )


@pytest.fixture
def api() -> YouTubeApi:
    config = YouTubeConfig.from_spec(spec())
    quota = QuotaBook().project(config.project)
    return YouTubeApi(None, config, quota, FakeClock())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("failure", "raised", "code"),
    [
        (error(403, "quotaExceeded"), QuotaExhausted, "quota_exhausted"),
        (error(403, "rateLimitExceeded"), RateLimited, "rateLimitExceeded"),
        (error(429), RateLimited, ""),
        (error(503, "backendError"), TransportError, "http_503"),
        (error(400, "keyInvalid"), AuthError, "keyInvalid"),
        (error(400, "badRequest", details=("API_KEY_INVALID",)), AuthError, "badRequest"),
        (error(401, "authError"), AuthError, "authError"),
        (error(400, "invalid_grant"), AuthError, "invalid_grant"),
        (error(403, "liveChatEnded"), ChatGone, "liveChatEnded"),
        (error(404, "liveChatNotFound"), ChatGone, "liveChatNotFound"),
        (error(403, "liveChatDisabled"), ChatGone, "liveChatDisabled"),
        (error(400, "invalidPageToken"), ApiCallError, "invalidPageToken"),
    ],
)
def test_each_error_reason_becomes_the_class_that_decides_what_happens(
    api: YouTubeApi, failure: ApiError, raised: type[Exception], code: str
) -> None:
    result = api._error(failure, retry_after=None)
    assert type(result) is raised
    assert result.code == code


def test_quota_exceeded_marks_the_project_until_the_reset(api: YouTubeApi) -> None:
    result = api._error(error(403, "quotaExceeded"), retry_after=None)
    assert isinstance(result, QuotaExhausted)
    assert result.until == api._quota.reset_at(api._clock.time())
    assert api._quota.exhausted_until(api._clock.time()) == result.until


def test_a_rate_limit_waits_as_long_as_the_server_asks(api: YouTubeApi) -> None:
    result = api._error(error(429), retry_after=42.0)
    assert isinstance(result, RateLimited) and result.retry_after == 42.0
    default = api._error(error(403, "rateLimitExceeded"), retry_after=None)
    assert isinstance(default, RateLimited) and default.retry_after == 10.0
