"""A local YouTube Data API v3 server, for tests and for running the runtime offline.

It answers the live-chat calls a connector makes (``liveChatMessages.list``/``insert``, and
``videos``, ``channels``, ``playlistItems``, ``liveBroadcasts`` and ``search`` to find a chat)
plus Google's OAuth token endpoint, over real HTTP. It charges each project's quota with
Google's costs, enforces ``pollingIntervalMillis``, pages chats with tokens, ends chats, and
injects faults. Every time it reads comes from its `clock`, so with a FakeClock a test passes
a quota day in milliseconds::

    async with YouTubeApiEmulator(clock=clock) as youtube:
        youtube.add_channel("UCalice0000000000000000", handle="@alice", title="Alice")
        stream = youtube.start_stream("UCalice0000000000000000", title="Speedruns")
        youtube.post_text(stream.live_chat_id, "Ann", "!ping")
        ...GET youtube.url + "youtube/v3/liveChat/messages?liveChatId=...&part=snippet&key=test-key"
        youtube.end_stream(stream.video_id)

The pieces: ``_youtube_wire`` (bodies and errors), ``_youtube_world`` (channels, videos,
chats), ``_youtube_methods`` (one function per API method), ``_youtube_ledger`` (quota,
tokens, faults) and ``_youtube_scenario`` (scenario files). See ``docs/emulators.md``.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Self

from aiohttp import web

from streamsuites.clock import SystemClock
from streamsuites.connectors.youtube.costs import COSTS, DAILY_UNITS
from streamsuites.emulators._http import serve_app
from streamsuites.emulators._youtube_ledger import (
    FaultQueue,
    PendingFault,
    QuotaBook,
    TokenGrant,
    TokenStore,
)
from streamsuites.emulators._youtube_methods import Call, ChatSettings, Methods
from streamsuites.emulators._youtube_scenario import YouTubeScenario, load_youtube_scenario
from streamsuites.emulators._youtube_scenario import play as play_scenario
from streamsuites.emulators._youtube_wire import ApiError, Author, error_body
from streamsuites.emulators._youtube_world import Channel, Stream, World
from streamsuites.errors import ComponentStateError

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Collection, Mapping
    from pathlib import Path
    from types import TracebackType

    from streamsuites.clock import Clock

__all__ = ["ApiCall", "Author", "Stream", "YouTubeApiEmulator"]

Json = dict[str, Any]

_API: Final = "/youtube/v3/"
_OAUTH_ONLY: Final = frozenset({"liveChatMessages.insert", "liveBroadcasts.list"})
"""Methods Google serves only to OAuth callers (an API key gets 401 ``required``)."""
_TOKEN_ERRORS: Final = {500: "server_error", 503: "temporarily_unavailable"}
_FAULT_REASONS: Final = {429: "rateLimitExceeded", 403: "rateLimitExceeded", 401: "authError"}


@dataclass(frozen=True, slots=True)
class ApiCall:
    """One request the emulator answered, for assertions (``no calls while exhausted``)."""

    method: str
    """The API method (``liveChatMessages.list``…) or ``token``."""
    params: Mapping[str, str]
    project: str | None
    """The API key or OAuth client id charged; None when the credentials named none."""
    cost: int
    """Quota units charged for it."""
    status: int
    reason: str | None
    """The error reason (``quotaExceeded``…), None on success."""
    time: float
    """The emulator clock's wall time when it was answered."""


class YouTubeApiEmulator:
    """YouTube's Data API, locally.

    Credentials: `api_keys` are accepted as ``key=``; `oauth_clients` maps client id → secret;
    `refresh_tokens` maps each refresh token to its client id, and `owners` maps a refresh
    token to the channel it acts for (default: the first channel added). A project (whose
    quota is counted) is an API key or an OAuth client id.

    Chats: the first ``liveChatMessages.list`` returns the last `history` messages;
    ``pollingIntervalMillis`` is `polling_interval_ms` plus up to `polling_jitter_ms`, and
    polling a chat sooner with the same project answers 403 ``rateLimitExceeded`` when
    `enforce_polling_interval`. An ended chat keeps answering (with ``offlineAt``) for
    `chat_end_grace` seconds, then 403 ``liveChatEnded``; `chat_ended_event` appends a
    ``chatEndedEvent`` message when a stream ends. Access tokens live `token_ttl` seconds.

    Ids (videos, chats, messages) come from `seed`: the same seed gives the same ids, as tests
    want; ``None`` gives fresh ones each time, as a long-lived emulator needs, since a runtime
    that meets an id again in its event log drops the message as a duplicate.
    """

    def __init__(
        self,
        *,
        clock: Clock | None = None,
        daily_quota: int = DAILY_UNITS,
        polling_interval_ms: int = 5000,
        polling_jitter_ms: int = 0,
        enforce_polling_interval: bool = True,
        history: int = 20,
        chat_end_grace: float = 30.0,
        chat_ended_event: bool = True,
        token_ttl: float = 3600.0,
        api_keys: Collection[str] = ("test-key",),
        oauth_clients: Mapping[str, str] | None = None,
        refresh_tokens: Mapping[str, str] | None = None,
        owners: Mapping[str, str] | None = None,
        seed: int | None = 0,
    ) -> None:
        self._clock: Clock = clock or SystemClock()
        self._keys = frozenset(api_keys)
        clients = dict(oauth_clients if oauth_clients is not None else {"client-id": "secret"})
        refresh = dict(
            refresh_tokens if refresh_tokens is not None else {"refresh-token": "client-id"}
        )
        self._tokens = TokenStore(clients, refresh, ttl=token_ttl)
        self._owners = dict(owners or {})
        self._book = QuotaBook(daily_quota)
        self._faults = FaultQueue()
        self._world = World(seed=seed)
        self._ended_event = chat_ended_event
        settings = ChatSettings(
            polling_interval_ms,
            polling_jitter_ms,
            enforce_polling_interval,
            history,
            chat_end_grace,
        )
        self._methods = Methods(self._world, settings, self._clock, self._owner_of, seed=seed)
        self.calls: list[ApiCall] = []
        """Every request answered, in order."""
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._host = "127.0.0.1"
        self._state = "new"
        self._changed = asyncio.Event()

    # Lifecycle

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """Listen on `host`:`port` (0 picks a free port); return once it accepts requests."""
        if self._state != "new":
            raise ComponentStateError(f"the emulator is {self._state}; start it only once")
        self._state = "started"
        self._runner, self._port = await serve_app(self._app(), host, port)
        self._host = host

    async def close(self) -> None:
        """Stop listening; calling it again does nothing."""
        runner, self._runner, self._state = self._runner, None, "closed"
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @property
    def url(self) -> str:
        """The API root, e.g. ``http://127.0.0.1:PORT/`` (paths: ``youtube/v3/…``)."""
        if self._port is None:
            raise ComponentStateError("the emulator is not started")
        return f"http://{self._host}:{self._port}/"

    @property
    def token_url(self) -> str:
        """The OAuth token endpoint (``POST``, form-encoded refresh-token grant)."""
        return self.url + "token"

    def _app(self) -> web.Application:
        app = web.Application()
        routes = {
            "liveChat/messages": ("liveChatMessages.list", self._methods.list_messages),
            "videos": ("videos.list", self._methods.list_videos),
            "channels": ("channels.list", self._methods.list_channels),
            "playlistItems": ("playlistItems.list", self._methods.list_playlist_items),
            "liveBroadcasts": ("liveBroadcasts.list", self._methods.list_broadcasts),
            "search": ("search.list", self._methods.search),
        }
        for path, (method, handler) in routes.items():
            app.router.add_get(_API + path, self._endpoint(method, handler))
        insert = self._endpoint("liveChatMessages.insert", self._methods.insert_message)
        app.router.add_post(_API + "liveChat/messages", insert)
        app.router.add_post("/token", self._token)
        return app

    # The API's plumbing: credentials, quota, faults, then the method

    def _endpoint(
        self, method: str, handler: Callable[[Call], Json]
    ) -> Callable[[web.Request], Awaitable[web.Response]]:
        async def serve(request: web.Request) -> web.Response:
            call = Call(method, dict(request.query))
            status, body, charge = await self._answer(request, call, handler)
            self._record(call.method, call.params, call.project, charge, status, body)
            return web.json_response(body, status=status)

        return serve

    async def _answer(
        self, request: web.Request, call: Call, handler: Callable[[Call], Json]
    ) -> tuple[int, Json, int]:
        """Return (status, body, units to charge) for one API request."""
        cost = COSTS[call.method]
        try:
            call.project, call.grant = self._identify(request, call.params)
            if not self._book.allows(call.project, cost, now=self._clock.time()):
                raise ApiError(403, "quotaExceeded")
            await self._inject_fault(call.method)
            if call.method in _OAUTH_ONLY and call.grant is None:
                raise ApiError(401, "required")
            if request.method == "POST":
                call.body = await _json_body(request)
            return 200, handler(call), cost
        except ApiError as error:
            charge = 0 if call.project is None or error.reason == "quotaExceeded" else 1
            return error.status, error_body(error), charge

    def _identify(
        self, request: web.Request, params: Mapping[str, str]
    ) -> tuple[str, TokenGrant | None]:
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            grant = self._tokens.check(auth[7:], now=self._clock.time())
            if grant is None:
                raise ApiError(401, "authError")
            return grant.client_id, grant
        key = params.get("key")
        if key is None:
            raise ApiError(403, "forbidden", "The request is missing a valid API key.")
        if key not in self._keys:
            raise ApiError(400, "keyInvalid")
        return key, None

    async def _inject_fault(self, method: str) -> None:
        fault = self._faults.take(method)
        if fault is None:
            return
        if fault.delay:
            await self._clock.sleep(fault.delay)
        if fault.status is not None:
            reason = fault.reason or _FAULT_REASONS.get(fault.status, "backendError")
            raise ApiError(fault.status, reason)

    def _record(
        self,
        method: str,
        params: Mapping[str, str],
        project: str | None,
        charge: int,
        status: int,
        body: Json,
    ) -> None:
        now = self._clock.time()
        if project is not None and charge:
            self._book.charge(project, charge, now=now)
        reason = _reason(body) if status >= 400 else None
        self.calls.append(ApiCall(method, dict(params), project, charge, status, reason, now))
        self._notify()

    async def _token(self, request: web.Request) -> web.Response:
        form = {key: str(value) for key, value in (await request.post()).items()}
        try:
            await self._inject_fault("token")
            answer = self._tokens.grant(form, now=self._clock.time())
        except ApiError as error:
            answer = error.status, _TOKEN_ERRORS.get(error.status, "server_error"), error.message
        if isinstance(answer, TokenGrant):
            status, body = 200, _token_body(answer, self._clock.time())
        else:
            status, body = answer[0], {"error": answer[1], "error_description": answer[2]}
        params = {k: v for k, v in form.items() if k not in {"client_secret", "refresh_token"}}
        self._record("token", params, form.get("client_id"), 0, status, body)
        return web.json_response(body, status=status)

    def _owner_of(self, grant: TokenGrant) -> Channel | None:
        channel_id = self._owners.get(grant.refresh_token)
        if channel_id is not None:
            return self._world.channels.get(channel_id)
        return next(iter(self._world.channels.values()), None)

    # Channels, streams and chat, for tests and scenarios

    def add_channel(
        self, channel_id: str, *, handle: str | None = None, title: str | None = None
    ) -> Channel:
        """Add a channel (``UC…``) with its ``@handle`` and uploads playlist; idempotent."""
        title = title or channel_id
        channel = self._world.add_channel(channel_id, handle, title, now=self._clock.time())
        self._notify()
        return channel

    @property
    def channels(self) -> list[Channel]:
        """Every channel, in the order added."""
        return list(self._world.channels.values())

    def channel(self, ref: str) -> Channel:
        """Return the channel with id or ``@handle`` `ref`; KeyError if there is none."""
        channel = self._world.channel(ref)
        if channel is None:
            raise KeyError(f"no channel {ref!r}")
        return channel

    def add_video(
        self, channel_id: str, *, title: str = "An upload", video_id: str | None = None
    ) -> str:
        """Upload a video that is not live (it shows in the uploads playlist); return its id."""
        return self._world.add_video(
            self.channel(channel_id), title, video_id, now=self._clock.time()
        ).id

    def start_stream(
        self,
        channel_id: str,
        *,
        title: str = "Live now",
        video_id: str | None = None,
        scheduled_seconds: float | None = None,
    ) -> Stream:
        """Go live on a channel: a new video, its broadcast and its chat.

        With `scheduled_seconds` the broadcast says when it is scheduled to end
        (``scheduledEndTime``); the stream still ends only when :meth:`end_stream` is called.
        """
        channel = self.channel(channel_id)
        now = self._clock.time()
        end = None if scheduled_seconds is None else now + scheduled_seconds
        stream = self._world.start_stream(channel, title, video_id, now=now, scheduled_end_at=end)
        self._notify()
        return stream

    def end_stream(self, video_id: str) -> None:
        """End a stream: ``offlineAt``/``actualEndTime`` now, ``liveChatEnded`` after the grace."""
        video = self._world.videos[video_id]
        now, mono = self._clock.time(), self._clock.monotonic()
        self._world.end_stream(video, now=now, mono=mono, ended_event=self._ended_event)
        self._notify()

    def live_stream(self, channel_id: str) -> Stream | None:
        """Return the channel's current stream, if it is live."""
        live = self._world.live_videos(self.channel(channel_id))
        if not live or live[0].chat is None:
            return None
        video = live[0]
        assert video.chat is not None
        return Stream(video.id, video.chat.id, video.id, video.channel.id)

    def disable_chat(self, live_chat_id: str) -> None:
        """Turn a chat off: lists and inserts answer 403 ``liveChatDisabled``."""
        self._world.chats[live_chat_id].disabled = True

    def post(
        self,
        live_chat_id: str,
        snippet_type: str,
        details: Mapping[str, Any] | None = None,
        *,
        author: Author | str,
        message_id: str | None = None,
    ) -> str:
        """Post a message of any ``snippet.type`` with its details object; return its id.

        Super Chat/Sticker details need only ``amountMicros`` and ``currency``: the display
        string and tier are filled in. `author` is an :class:`Author` or a display name.
        """
        chat = self._world.chats[live_chat_id]
        who = Author(author) if isinstance(author, str) else author
        message = self._world.post(
            chat,
            snippet_type,
            dict(details or {}),
            who,
            now=self._clock.time(),
            message_id=message_id,
        )
        self._notify()
        return message

    def post_text(self, live_chat_id: str, author: Author | str, text: str) -> str:
        """Post a text message; return its id."""
        return self.post(live_chat_id, "textMessageEvent", {"messageText": text}, author=author)

    def messages(self, live_chat_id: str) -> list[Json]:
        """Return every message of a chat, oldest first (inserted ones included)."""
        return list(self._world.chats[live_chat_id].messages)

    # Quota, tokens and faults

    def quota_used(self, project: str) -> int:
        """Return the units `project` (an API key or OAuth client id) used this quota day."""
        return self._book.used(project, now=self._clock.time())

    def exhaust_quota(self, project: str | None = None) -> None:
        """Use up the day's quota of `project`, or of every configured key and client."""
        projects = [project] if project is not None else [*self._keys, *self._tokens.clients]
        for name in projects:
            self._book.exhaust(name, now=self._clock.time())

    def fail_next(
        self, n: int = 1, *, status: int, reason: str | None = None, endpoint: str | None = None
    ) -> None:
        """Answer the next `n` requests (of `endpoint`: ``liveChatMessages.list``…) with an error.

        Reasons default by status: 403 and 429 ``rateLimitExceeded``, 401 ``authError``,
        others ``backendError``. With no endpoint it hits every API method, not ``token``.
        """
        self._faults.add(PendingFault(n, endpoint, status=status, reason=reason))

    def slow_next(self, n: int = 1, *, delay: float, endpoint: str | None = None) -> None:
        """Answer the next `n` requests only after `delay` seconds of the emulator's clock."""
        self._faults.add(PendingFault(n, endpoint, delay=delay))

    def revoke(self, refresh_token: str | None = None) -> None:
        """Revoke a refresh token (every one if None) and its access tokens."""
        self._tokens.revoke(refresh_token)

    def revoke_access_tokens(self, access_token: str | None = None) -> None:
        """Revoke an access token (every one if None); the refresh token still gets new ones."""
        self._tokens.revoke_access(access_token)

    def add_refresh_token(
        self, refresh_token: str, client_id: str, *, owner: str | None = None
    ) -> None:
        """Accept another refresh token for `client_id`, acting for channel `owner`."""
        self._tokens.add_refresh_token(refresh_token, client_id)
        if owner is not None:
            self._owners[refresh_token] = owner

    # Waiting and scenarios

    async def wait_for(self, predicate: Callable[[], object], timeout: float | None = 5.0) -> None:
        """Wait until `predicate()` is true, checked after each request and world change."""
        async with asyncio.timeout(timeout):
            while not predicate():
                await self._changed.wait()

    async def play(self, scenario: Path | YouTubeScenario) -> None:
        """Play a scenario (a file or a parsed one) from now; return when its last step ran."""
        if not isinstance(scenario, YouTubeScenario):
            scenario = load_youtube_scenario(scenario)
        await play_scenario(scenario, self, self._clock)

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()


async def _json_body(request: web.Request) -> Json:
    try:
        body = json.loads(await request.text())
    except json.JSONDecodeError:
        raise ApiError(400, "parseError", "Parse Error") from None
    if not isinstance(body, dict):
        raise ApiError(400, "parseError", "Parse Error")
    return body


def _token_body(grant: TokenGrant, now: float) -> Json:
    return {
        "access_token": grant.access_token,
        "expires_in": max(0, round(grant.expires_at - now)),
        "scope": "https://www.googleapis.com/auth/youtube.force-ssl",
        "token_type": "Bearer",
    }


def _reason(body: Json) -> str | None:
    error = body.get("error")
    if isinstance(error, dict):
        return str(error["errors"][0]["reason"])
    return str(error) if error is not None else None
