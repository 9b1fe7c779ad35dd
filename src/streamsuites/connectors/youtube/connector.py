"""The YouTube live chat connector: discovery, gap-free polling and sending, inside a quota.

One :meth:`YouTubeConnector.run` serves until an error the supervisor must handle. Inside it the
connector cycles through three states, each reported truthfully:

- **offline** (``link.waiting("offline")``): no live chat; discovery re-checks every
  ``offline_check_seconds`` (see :mod:`.discovery` for what each check costs).
- **connected**: bound to a chat, polling ``liveChatMessages.list`` with the page token. The
  first page after binding is history: it is appended with ``backfill=True`` and fires no
  trigger. A full page is followed at once; otherwise the planner picks the wait, never below
  ``pollingIntervalMillis``. The page token only advances after the page's events are durable,
  so a crash or a dropped connection re-reads a page rather than skipping one (the event log
  drops the duplicates).
- **quota_exhausted** (``link.waiting("quota_exhausted")``): no calls at all until the quota
  resets at midnight Pacific; then it carries on where it was.

When the chat ends (``offlineAt`` on a page, or ``liveChatEnded``/``liveChatNotFound``/
``liveChatDisabled``) the connector emits an ``offline`` stream event and goes back to
discovery, so the next stream is picked up without a restart. Rate limits, 5xx and network
errors leave :meth:`run` for the supervisor's backoff; the chat and its page token are kept, so
the next run resumes the same chat without a gap. A refused key or token stops the connector
(``auth_failed``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Final, Literal

import aiohttp

from streamsuites.actions.outbox import SendOutcome
from streamsuites.clock import utc_from_timestamp
from streamsuites.connectors.text import split_text
from streamsuites.connectors.youtube.client import ChatGone, QuotaExhausted, YouTubeApi
from streamsuites.connectors.youtube.config import YouTubeConfig
from streamsuites.connectors.youtube.discovery import Discovery, LiveChat
from streamsuites.connectors.youtube.models import decode_chat_page
from streamsuites.connectors.youtube.quota import QuotaBook
from streamsuites.connectors.youtube.quota_store import QuotaStore
from streamsuites.connectors.youtube.translate import translate_page
from streamsuites.errors import ConnectorError, ProtocolError, RateLimited
from streamsuites.events import StreamState

if TYPE_CHECKING:
    from streamsuites.actions.outbox import OutboundMessage
    from streamsuites.clock import Clock
    from streamsuites.connectors.base import ConnectorLink, ConnectorServices, ConnectorSpec
    from streamsuites.connectors.youtube.models import LiveChatMessageListResponse
    from streamsuites.connectors.youtube.quota import ProjectQuota

__all__ = ["MESSAGE_LIMIT", "YouTubeConnector", "shared_quota_book"]

_log = logging.getLogger("streamsuites.youtube")

MESSAGE_LIMIT: Final = 200
"""Characters per sent message; longer texts are split."""
_DEFAULT_POLL: Final = 5.0
"""Seconds to wait when a page names no ``pollingIntervalMillis``."""
_OFFLINE_RETRY: Final = 10.0
_BOOK_KEY: Final = "youtube.quota"


def shared_quota_book(services: ConnectorServices) -> QuotaBook:
    """Return the runtime's one YouTube quota book, persisted in its database if it has one."""

    def create() -> QuotaBook:
        if services.database is None:
            return QuotaBook()
        return QuotaBook(store=QuotaStore(services.database))

    book = services.shared_object(_BOOK_KEY, create)
    assert isinstance(book, QuotaBook)
    return book


@dataclass(slots=True)
class _Binding:
    """The chat being followed and where we are in it; kept across connections."""

    chat: LiveChat
    page_token: str | None = None
    announced: bool = False
    """Whether the ``online`` stream event went out."""
    ended: bool = False
    """Whether the platform's own end-of-chat event (``chatEndedEvent``) went out."""

    @property
    def key(self) -> str:
        return self.chat.live_chat_id


class YouTubeConnector:
    """One creator's YouTube live chat, found, followed and answered within the quota."""

    def __init__(
        self,
        spec: ConnectorSpec,
        *,
        clock: Clock | None = None,
        quota_book: QuotaBook | None = None,
    ) -> None:
        self.config = YouTubeConfig.from_spec(spec)
        self._creator_id = spec.creator.creator_id
        self._clock: Clock = clock or spec.services.clock
        book = quota_book or shared_quota_book(spec.services)
        self.quota: ProjectQuota = book.project(
            self.config.project, budget=self.config.budget, reserve=self.config.reserve
        )
        self._discovery = Discovery(self.config)
        self._binding: _Binding | None = None
        self._ended: set[str] = set()
        self._api: YouTubeApi | None = None
        self._live = False

    async def run(self, link: ConnectorLink) -> None:
        """Serve until an error ends the connection; see the module docstring."""
        timeout = aiohttp.ClientTimeout(total=self.config.request_timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            self._api = YouTubeApi(session, self.config, self.quota, self._clock)
            try:
                while True:
                    await self._cycle(self._api, link)
            finally:
                self._api = None
                self._live = False

    async def _cycle(self, api: YouTubeApi, link: ConnectorLink) -> None:
        try:
            if self._binding is None:
                self._binding = await self._discover(api, link)
            await self._follow(api, self._binding, link)
        except QuotaExhausted as exc:
            await self._wait_for_quota(exc, link)
        except ChatGone as exc:
            await self._chat_ended(link, exc.reason)

    async def _discover(self, api: YouTubeApi, link: ConnectorLink) -> _Binding:
        while True:
            chat = await self._discovery.find(api, self._clock.time(), ended=self._ended)
            if chat is not None:
                _log.info("found live chat %s (video %s)", chat.live_chat_id, chat.video_id)
                return _Binding(chat)
            delay = self.config.offline_check_seconds
            reason = (
                f"no live stream on {self.config.target} "
                f"(checked via {self._discovery.path}); next check in {delay:g}s"
            )
            self._live = False
            link.waiting("offline", reason, until=self._clock.time() + delay)
            await self._clock.sleep(delay)

    async def _follow(self, api: YouTubeApi, binding: _Binding, link: ConnectorLink) -> None:
        if not binding.announced:
            chat = binding.chat
            expected = chat.planned_seconds or self.config.expected_stream_seconds
            self.quota.chat_started(
                binding.key,
                self._clock.time(),
                expected_seconds=expected,
                since=chat.started_at,
                page_size=self.config.max_results,
            )
        while True:
            page = await self._poll(api, binding)
            if not self._live:
                self._live = True
                link.connected()
            link.frame_received()
            await self._take_page(page, binding, link)
            now = self._clock.time()
            full = len(page.items) >= self.config.max_results
            self.quota.observe(binding.key, now, messages=len(page.items), page_full=full)
            if page.offline_at is not None and not full:
                await self._chat_ended(link, "the stream went offline (offlineAt)")
                return
            if not full:
                interval = self._interval(binding, page, now)
                link.next_frame_at(now + interval)
                await self._clock.sleep(interval)

    async def _poll(self, api: YouTubeApi, binding: _Binding) -> LiveChatMessageListResponse:
        params = {
            "liveChatId": binding.key,
            "part": "id,snippet,authorDetails",
            "maxResults": str(self.config.max_results),
        }
        if binding.page_token:
            params["pageToken"] = binding.page_token
        body = await api.call(
            "GET",
            "liveChatMessages.list",
            "youtube/v3/liveChat/messages",
            params,
            chat_key=binding.key,
        )
        try:
            return decode_chat_page(body)
        except ValueError as exc:  # msgspec's errors are ValueErrors
            raise ProtocolError(f"unreadable chat page: {exc}", platform="youtube") from exc

    async def _take_page(
        self, page: LiveChatMessageListResponse, binding: _Binding, link: ConnectorLink
    ) -> None:
        received = utc_from_timestamp(self._clock.time())
        backfill = binding.page_token is None
        events = translate_page(
            page,
            creator_id=self._creator_id,
            channel=binding.chat.channel_id,
            received_at=received,
            stream_id=binding.chat.video_id,
            backfill=backfill,
        )
        if not binding.announced:
            events.insert(0, self._stream_event(binding.chat, "online", received))
        if events:
            await link.emit(events)
        binding.announced = True
        binding.ended = binding.ended or any(
            isinstance(e, StreamState) and e.state == "offline" for e in events
        )
        # Only now, with the page durable, may the token move past it.
        if page.next_page_token:
            binding.page_token = page.next_page_token

    def _interval(self, binding: _Binding, page: LiveChatMessageListResponse, now: float) -> float:
        server = page.polling_interval_millis
        server_min = server / 1000 if server is not None else _DEFAULT_POLL
        return self.quota.poll_interval(binding.key, now, server_min=server_min)

    async def _chat_ended(self, link: ConnectorLink, reason: str) -> None:
        binding, self._binding = self._binding, None
        self._live = False
        if binding is None:
            return
        self._ended.add(binding.key)
        self.quota.chat_ended(binding.key, self._clock.time())
        link.notice("info", f"youtube: chat of video {binding.chat.video_id} ended: {reason}")
        if binding.announced and not binding.ended:
            received = utc_from_timestamp(self._clock.time())
            await link.emit([self._stream_event(binding.chat, "offline", received)])

    async def _wait_for_quota(self, exc: QuotaExhausted, link: ConnectorLink) -> None:
        self._live = False
        until = exc.until
        resume = datetime.fromtimestamp(until, UTC).strftime("%Y-%m-%d %H:%M UTC")
        link.waiting("quota_exhausted", f"{exc.reason}; no calls until {resume}", until=until)
        await self._clock.sleep(max(0.0, until - self._clock.time()))

    def _stream_event(
        self, chat: LiveChat, state: Literal["online", "offline"], at: datetime
    ) -> StreamState:
        return StreamState(
            event_id=f"youtube:{state}:{chat.live_chat_id}",
            creator_id=self._creator_id,
            platform="youtube",
            channel=chat.channel_id,
            occurred_at=at,
            received_at=at,
            stream_id=chat.video_id,
            state=state,
            title=chat.title or None,
        )

    async def send(self, message: OutboundMessage) -> SendOutcome:
        """Post `message` to the bound chat, one ``liveChatMessages.insert`` per part."""
        api, binding = self._api, self._binding
        if api is None or binding is None or not self._live:
            return SendOutcome.retry(_OFFLINE_RETRY, "youtube: no live chat bound")
        if not api.can_send:
            return SendOutcome.failed("youtube: sending needs OAuth; an API key is read-only")
        parts = split_text(message.text, MESSAGE_LIMIT)
        if not parts:
            return SendOutcome.failed("the message is empty")
        for index, part in enumerate(parts):
            outcome = await self._insert(api, binding.key, part)
            if outcome.status != "delivered":
                return outcome if not index else SendOutcome.partial(outcome, index, len(parts))
        return SendOutcome.delivered()

    async def _insert(self, api: YouTubeApi, live_chat_id: str, text: str) -> SendOutcome:
        body = {
            "snippet": {
                "liveChatId": live_chat_id,
                "type": "textMessageEvent",
                "textMessageDetails": {"messageText": text},
            }
        }
        try:
            await api.call(
                "POST",
                "liveChatMessages.insert",
                "youtube/v3/liveChat/messages",
                {"part": "snippet"},
                body=body,
                units=self.config.insert_cost,
                reserve_ok=True,
            )
        except QuotaExhausted as exc:
            return SendOutcome.retry(max(1.0, exc.until - self._clock.time()), exc.reason)
        except RateLimited as exc:
            return SendOutcome.retry(exc.retry_after, exc.reason)
        except ConnectorError as exc:  # refused key or token, chat gone, any other refusal
            return SendOutcome.failed(f"youtube: {exc.reason}")
        _log.info("sent to youtube chat %s: %s", live_chat_id, text)
        return SendOutcome.delivered()
