"""YouTube connector settings, validated once from a :class:`ConnectorSpec`.

The creator's ``youtube`` entry in creators.json names the channel to follow: a channel id
(``UC`` + 22 characters) or an ``@handle``. Options:

- ``video_id``: follow this one broadcast instead of discovering the channel's live stream.
- ``project``: the Google Cloud project the credentials belong to. Every creator on the same
  project shares one quota; by default the project is named after the OAuth client id, or a
  fingerprint of the API key, so two creators with the same key share a budget automatically.
- ``api_base`` (default ``https://youtube.googleapis.com/``) and ``token_url`` (default
  ``https://oauth2.googleapis.com/token``): where to send requests, to aim at an emulator.
- ``expected_stream_hours``: how long this creator's streams last. Without it the planner
  guesses (see docs/platforms/youtube-quota.md); a broadcast's scheduled end wins over both.
- ``offline_check_seconds`` (300): how often to look for a live stream while offline.
- ``search_fallback`` (false): allow ``search.list`` (100 units) when the cheap discovery path
  finds nothing, at most once per ``search_interval_seconds`` (3600).
- ``max_results`` (2000, 200..2000): messages per page; a poll costs 5 units whatever its size.
- ``insert_cost`` (20): units one sent message costs (Google's older pages say 50).
- ``request_timeout`` (15): seconds per HTTP request.

Limits ``youtube_daily_units_max`` (10,000) and ``youtube_daily_units_buffer`` (5% of the
budget) of the creator's tier or ``limits`` set the project's daily budget and the reserve kept
for sends and discovery. Secrets (``<role>_env`` keys): ``api_key``, or ``client_id`` +
``client_secret`` + ``refresh_token`` for OAuth (needed to send, and for the 1-unit discovery of
one's own stream).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from streamsuites.connectors.options import Options
from streamsuites.connectors.youtube.costs import DAILY_UNITS

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.connectors.base import ConnectorSpec

__all__ = ["DEFAULT_API_BASE", "DEFAULT_TOKEN_URL", "OAuthCredentials", "YouTubeConfig"]

DEFAULT_API_BASE: Final = "https://youtube.googleapis.com/"
DEFAULT_TOKEN_URL: Final = "https://oauth2.googleapis.com/token"
_CHANNEL_ID: Final = re.compile(r"UC[A-Za-z0-9_-]{22}")
_HANDLE: Final = re.compile(r"@[A-Za-z0-9._-]{3,30}")
_VIDEO_ID: Final = re.compile(r"[A-Za-z0-9_-]{11}")


@dataclass(frozen=True, slots=True)
class OAuthCredentials:
    """An OAuth client and the creator's refresh token."""

    client_id: str
    client_secret: str = field(repr=False)
    refresh_token: str = field(repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class YouTubeConfig:
    """How to find and follow one creator's YouTube live chat."""

    channel_id: str | None
    """``UC…``; None when only a handle (or only a video) is known."""
    handle: str | None
    video_id: str | None
    api_key: str | None = field(default=None, repr=False)
    oauth: OAuthCredentials | None = None
    project: str
    budget: int = DAILY_UNITS
    reserve: int | None = None
    """Units polls leave for sends and discovery; None: the planner's default (5%)."""
    api_base: str = DEFAULT_API_BASE
    token_url: str = DEFAULT_TOKEN_URL
    expected_stream_seconds: float | None = None
    """How long a stream lasts, when the creator says; None lets the planner guess."""
    offline_check_seconds: float = 300.0
    search_fallback: bool = False
    search_interval_seconds: float = 3600.0
    max_results: int = 2000
    insert_cost: int = 20
    request_timeout: float = 15.0

    @property
    def target(self) -> str:
        """What the connector follows, for messages: the video, handle or channel id."""
        if self.video_id:
            return f"video {self.video_id}"
        return self.handle or self.channel_id or "?"

    @classmethod
    def from_spec(cls, spec: ConnectorSpec) -> YouTubeConfig:
        """Build the config from a creator's youtube settings; ValueError names a bad option."""
        options = Options("youtube", spec.settings.options)
        channel_id, handle = _channel(spec.settings.channel)
        video_id = _video(options)
        if channel_id is None and handle is None and video_id is None:
            raise ValueError(
                "youtube needs a 'channel' (a UC… channel id or an @handle) or option 'video_id'"
            )
        api_key = spec.secrets.get("api_key") or None
        oauth = _oauth(spec.secrets)
        if api_key is None and oauth is None:
            raise ValueError(
                "youtube needs credentials: 'api_key_env', or 'client_id_env', "
                "'client_secret_env' and 'refresh_token_env' for OAuth"
            )
        limits = spec.creator.limits.extra
        return cls(
            channel_id=channel_id,
            handle=handle,
            video_id=video_id,
            api_key=api_key,
            oauth=oauth,
            project=options.text("project", "") or _default_project(api_key, oauth),
            budget=_limit(limits, "youtube_daily_units_max", DAILY_UNITS),
            reserve=_optional_limit(limits, "youtube_daily_units_buffer"),
            api_base=_base(options.text("api_base", DEFAULT_API_BASE)),
            token_url=options.text("token_url", DEFAULT_TOKEN_URL),
            expected_stream_seconds=_hours(options, "expected_stream_hours"),
            offline_check_seconds=options.seconds("offline_check_seconds", 300.0),
            search_fallback=options.flag("search_fallback", False),
            search_interval_seconds=options.seconds("search_interval_seconds", 3600.0),
            max_results=options.integer("max_results", 2000, low=200, high=2000),
            insert_cost=options.integer("insert_cost", 20, low=1, high=1000),
            request_timeout=options.seconds("request_timeout", 15.0),
        )


def _hours(options: Options, key: str) -> float | None:
    if options.get(key) is None:
        return None
    return options.seconds(key, 1.0) * 3600


def _channel(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    value = value.strip()
    if _CHANNEL_ID.fullmatch(value):
        return value, None
    handle = value if value.startswith("@") else f"@{value}"
    if _HANDLE.fullmatch(handle):
        return None, handle
    raise ValueError(
        f"youtube channel {value!r} is neither a channel id (UC + 22 characters) nor an @handle"
    )


def _video(options: Options) -> str | None:
    video = options.text("video_id", "").strip()
    if video and not _VIDEO_ID.fullmatch(video):
        raise options.error("video_id", "an 11-character YouTube video id", video)
    return video or None


def _oauth(secrets: Mapping[str, str]) -> OAuthCredentials | None:
    parts = (secrets.get("client_id"), secrets.get("client_secret"), secrets.get("refresh_token"))
    if not any(parts):
        return None
    client_id, client_secret, refresh_token = parts
    if not (client_id and client_secret and refresh_token):
        raise ValueError(
            "youtube OAuth needs all three of client_id_env, client_secret_env and "
            "refresh_token_env"
        )
    return OAuthCredentials(client_id, client_secret, refresh_token)


def _default_project(api_key: str | None, oauth: OAuthCredentials | None) -> str:
    # The OAuth client id names its project (its digits are the project number); an API key
    # is a secret, so only a fingerprint of it may appear in quotas.json and logs.
    if oauth is not None:
        return f"oauth:{oauth.client_id.split('-', 1)[0]}"
    digest = hashlib.sha256((api_key or "").encode()).hexdigest()[:10]
    return f"key:{digest}"


def _optional_limit(limits: Mapping[str, object], key: str) -> int | None:
    return None if limits.get(key) is None else _limit(limits, key, 0)


def _limit(limits: Mapping[str, object], key: str, default: int) -> int:
    value = limits.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"limit {key!r} must be a whole number of quota units, got {value!r}")
    return value


def _base(url: str) -> str:
    return url if url.endswith("/") else f"{url}/"
