"""The YouTube quota planner: how often each live chat may be polled within a project's budget.

A Google Cloud project gets 10,000 units a day, shared by every creator whose key or OAuth
client belongs to it, and a ``liveChatMessages.list`` call costs 5: polling one chat every
second spends the day in 33 minutes. :class:`QuotaBook` holds one :class:`ProjectQuota` per
project; the connector charges it for every call and asks it how long to wait before the next
poll of a chat. Everything here takes ``now`` (epoch seconds) and reads no clock; the only I/O
is the optional :class:`QuotaLedger` that remembers the day's usage across restarts.

The policy (docs/platforms/youtube-quota.md has the numbers):

* A ``reserve`` of the budget is kept for sends and discovery; polls spend at most half of it,
  and only to read full pages that are waiting (below).
* Each active chat is expected to run ``expected_seconds``: what the connector knows (a
  scheduled end, the creator's setting), else a guess of four hours. One that has run for
  ``e`` seconds is planned to run ``max(expected - e, hedge * e)`` more, never past the next
  reset, since the budget refills then. The hedge keeps a stream that outlasts its
  expectation from finding the budget spent; it is 1 for a guess (a stream is expected to go
  on as long again as it has lasted) and 0.1 for a known length, until the stream outlives
  the length it was said to have; from then on it is 0.5. ``e`` counts from the stream's
  actual start when the platform gives it, so a runtime that joins late plans for what is
  left.
* Polls are spread so the message-weighted delay is smallest: minimising
  ``sum(v_i * H_i * I_i / 2)`` under ``sum(c * H_i / I_i) <= B`` gives
  ``I_i = c / sqrt(v_i) * sum_j(H_j * sqrt(v_j)) / B``. A busy chat (velocity ``v``) is
  polled more often than a quiet one, and a chat in a burst more often than the same chat at
  rest. The plan is recomputed at every poll, so what was overspent (follow-up pages, sends)
  or saved so far is spread over what is left.
* A chat is polled at least as often as it fills a page (``maxResults`` over its rate): beyond
  that every page costs as much as a poll, so waiting saves nothing.
* A poll that finds a full page waiting (and its follow-up pages) may spend half the reserve
  once the rest of the budget is gone: a stream that outlasts its plan is read late rather than
  lost. The other half stays for sends and discovery.
* The interval is never below the server's ``pollingIntervalMillis``, and never above
  ``max_interval`` as long as the budget can pay for polling every active chat that often for
  its planned time; when it cannot, keeping the cap could leave chats unread later, so the
  plan wins. No interval runs past the reset.
  Every returned interval books the poll it announces, so chats planned at the same moment
  cannot together overdraw the budget; when no poll fits, the interval runs to the next reset.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Protocol

from streamsuites.connectors.youtube.costs import DAILY_UNITS, QUOTA_TZ, cost, quota_day
from streamsuites.state.quotas import ChatInterval, QuotaStatus, QuotaUsage, next_midnight

__all__ = [
    "POLL_METHOD",
    "LedgerDay",
    "PlannerSettings",
    "ProjectQuota",
    "QuotaBook",
    "QuotaLedger",
    "next_reset",
    "quota_day",
]

POLL_METHOD: Final = "liveChatMessages.list"
POLL_COST: Final = cost(POLL_METHOD)
DEFAULT_PAGE_SIZE: Final = 500
"""``maxResults`` when the connector does not say; learnt from the first full page."""
DRAINING: Final = 0.9
"""A poll due when this share of a page has built up counts as draining a full page."""


def next_reset(now: float) -> float:
    """Return the next midnight in America/Los_Angeles (23 or 25 hours away on DST days)."""
    return next_midnight(now, QUOTA_TZ)


@dataclass(frozen=True, slots=True)
class LedgerDay:
    """What the ledger remembers of one project's quota day."""

    units: int = 0
    exhausted: bool = False


class QuotaLedger(Protocol):
    """Where a project's daily usage survives a restart (``quota_store.QuotaStore``)."""

    def load(self, project_id: str, day: str) -> LedgerDay:
        """Return what was recorded for `project_id` on `day` (nothing yet: zero)."""
        ...

    def add(self, project_id: str, day: str, units: int, now: float) -> None:
        """Add `units` to the day's usage."""
        ...

    def mark_exhausted(self, project_id: str, day: str, now: float) -> None:
        """Record that the platform answered ``quotaExceeded`` on `day`."""
        ...

    def close(self) -> None:
        """Release the storage; a second call does nothing."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannerSettings:
    """The planner's knobs; the defaults are the documented policy."""

    expected_stream_seconds: float = 4 * 3600.0
    """How long a stream is expected to run when the connector does not know."""
    hedge: float = 1.0
    """A guessed-length stream that has run ``e`` seconds is planned to last ``hedge * e`` more."""
    known_hedge: float = 0.1
    """The same for a stream whose expected length the connector passed to ``chat_started``."""
    overrun_hedge: float = 0.5
    """The same for a stream that has run longer than the length it was expected to have."""
    max_interval: float = 120.0
    """The longest wait between two polls of a chat while the budget lasts."""
    velocity_window: float = 30.0
    """Time constant (seconds) of the smoothed message rate."""
    min_velocity: float = 0.01
    """Messages per second assumed for a silent chat, so its interval stays finite."""

    def __post_init__(self) -> None:
        if self.expected_stream_seconds <= 0 or self.max_interval <= 0:
            raise ValueError("expected_stream_seconds and max_interval must be positive")
        knobs = (
            self.hedge,
            self.known_hedge,
            self.overrun_hedge,
            self.velocity_window,
            self.min_velocity,
        )
        if min(knobs) <= 0:
            raise ValueError("hedges, velocity_window and min_velocity must be positive")


class _Chat:
    """What the planner knows of one active chat."""

    __slots__ = (
        "booked_due",
        "expected",
        "filling",
        "hedge",
        "interval",
        "last_seen",
        "overrun_hedge",
        "page_size",
        "pending",
        "primed",
        "root_seconds",
        "root_sum",
        "started_at",
        "velocity",
    )

    def __init__(
        self,
        started_at: float,
        expected: float,
        hedge: float,
        overrun: float,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        self.started_at = started_at
        self.expected = expected
        self.hedge = hedge
        self.overrun_hedge = overrun
        self.last_seen = started_at
        self.pending = 0
        self.primed = False
        self.velocity: float | None = None
        self.root_sum = 0.0
        self.root_seconds = 0.0
        self.interval: float | None = None
        self.booked_due: float | None = None
        self.page_size = page_size
        self.filling = False

    def horizon(self, now: float, reset: float) -> float:
        """Seconds this chat is planned to run from `now`, never past the reset."""
        elapsed = now - self.started_at
        # A stream that outlived the length it was expected to have has shown the length was
        # wrong: from then on it may go on for a while yet.
        hedge = self.hedge if elapsed < self.expected else max(self.hedge, self.overrun_hedge)
        return min(reset - now, max(self.expected - elapsed, hedge * elapsed))

    def observe(
        self, now: float, messages: int, *, page_full: bool, knobs: PlannerSettings
    ) -> None:
        """Fold a page's messages into the smoothed rate once the chat has been drained."""
        self.pending += messages
        if page_full:
            self.page_size, self.filling = messages, True
            return  # the rest of this poll's messages are still on the next page
        self.filling = False
        if not self.primed:
            # The first poll returns the backlog, which says nothing about the rate.
            self.primed, self.last_seen, self.pending = True, now, 0
            return
        elapsed = now - self.last_seen
        if elapsed <= 0:
            return
        rate = self.pending / elapsed
        if self.velocity is None:
            self.velocity = rate
        else:
            self.velocity += (1 - math.exp(-elapsed / knobs.velocity_window)) * (
                rate - self.velocity
            )
        self.root_sum += self.root_velocity(knobs.min_velocity) * elapsed
        self.root_seconds += elapsed
        self.last_seen, self.pending = now, 0

    def page_interval(self) -> float:
        """Return how long the chat takes to fill a page at its current rate.

        Waiting longer saves nothing: the messages then come in full pages, each paid like
        a poll, so a longer wait only delays them.
        """
        if not self.velocity:
            return math.inf
        return self.page_size / self.velocity

    def draining(self, due: float) -> bool:
        """Say whether a poll at `due` reads a full page that is waiting (or follows one)."""
        return self.filling or due - self.last_seen >= DRAINING * self.page_interval()

    def spend_rate(self) -> float:
        """Return the units per second the chat costs at its current interval."""
        if not self.interval:
            return 0.0
        return POLL_COST * max(1 / self.interval, (self.velocity or 0.0) / self.page_size)

    def root_velocity(self, floor: float) -> float:
        """Return sqrt of the current message rate (1 before anything was seen)."""
        return 1.0 if self.velocity is None else math.sqrt(max(self.velocity, floor))

    def mean_root_velocity(self, floor: float) -> float:
        """Return the stream's time-averaged sqrt rate: the weight of its future in the plan."""
        if not self.root_seconds:
            return self.root_velocity(floor)
        return self.root_sum / self.root_seconds


class ProjectQuota:
    """One Google Cloud project's daily budget, shared by every chat polled with it."""

    def __init__(
        self,
        project_id: str,
        *,
        budget: int = DAILY_UNITS,
        reserve: int | None = None,
        settings: PlannerSettings | None = None,
        ledger: QuotaLedger | None = None,
    ) -> None:
        self.project_id = project_id
        self.settings = settings or PlannerSettings()
        self._ledger = ledger
        self._chats: dict[str, _Chat] = {}
        self._day: str | None = None
        self._used = 0
        self._exhausted = False
        self.budget, self.reserve = DAILY_UNITS, 0
        self.set_budget(budget, reserve)

    def set_budget(self, budget: int, reserve: int | None = None) -> None:
        """Change the budget and reserve (default: 5% of the budget)."""
        reserve = budget // 20 if reserve is None else reserve
        if reserve < 0 or budget - reserve < POLL_COST:
            raise ValueError(f"budget {budget} minus reserve {reserve} leaves no room to poll")
        self.budget, self.reserve = budget, reserve

    # -- the day's ledger ------------------------------------------------------------------

    def reset_at(self, now: float) -> float:
        """Return when the current quota day ends (epoch seconds)."""
        return next_reset(now)

    def day_key(self, now: float) -> str:
        """Return the quota day `now` belongs to."""
        return quota_day(now)

    def used(self, now: float) -> int:
        """Return the units charged so far in the quota day of `now`."""
        self._roll(now)
        return self._used

    def charge(
        self, method: str, now: float, *, units: int | None = None, chat_key: str | None = None
    ) -> None:
        """Record a call that was made: `units`, or what `method` costs.

        Pass `chat_key` for a chat's polls: it releases the poll booked by
        :meth:`poll_interval`.
        """
        spent = cost(method) if units is None else units
        self._roll(now)
        self._used += spent
        if self._ledger is not None:
            self._ledger.add(self.project_id, self._day or quota_day(now), spent, now)
        chat = self._chats.get(chat_key) if chat_key is not None else None
        if chat is not None and method == POLL_METHOD:
            chat.booked_due = None

    def mark_exhausted(self, now: float) -> None:
        """Record a ``quotaExceeded`` answer: no call fits until the reset."""
        self._roll(now)
        self._exhausted = True
        if self._ledger is not None:
            self._ledger.mark_exhausted(self.project_id, quota_day(now), now)

    def exhausted_until(self, now: float) -> float | None:
        """Return the reset if the quota is spent (or the platform said so), else None."""
        self._roll(now)
        if self._exhausted or self._used >= self.budget:
            return self.reset_at(now)
        return None

    def can_spend(
        self, units: int, now: float, *, reserve_ok: bool = False, chat_key: str | None = None
    ) -> bool:
        """Say whether a call of `units` fits; sends and discovery may use the whole reserve.

        Polls booked by :meth:`poll_interval` count as spent. A chat asking about the poll it
        booked passes its `chat_key`, so its own booking is not counted twice. A chat's polls
        may use half the reserve while they drain full pages, and its booked poll may too,
        since a draining chat may have taken the room it was booked in.
        """
        self._roll(now)
        if self._exhausted:
            return False
        limit = self.budget if reserve_ok else self.budget - self.reserve
        own = self._chats.get(chat_key) if chat_key is not None else None
        booked = own is not None and own.booked_due is not None
        if own is not None and not reserve_ok and (booked or own.draining(now)):
            limit = self.budget - self.reserve // 2
        return self._used + self._booked(quota_day(now), besides=own) + units <= limit

    def _roll(self, now: float) -> None:
        day = quota_day(now)
        if day == self._day:
            return
        recorded = self._ledger.load(self.project_id, day) if self._ledger else LedgerDay()
        self._day, self._used, self._exhausted = day, recorded.units, recorded.exhausted

    def _booked(self, day: str, *, besides: _Chat | None = None) -> int:
        due = [c.booked_due for c in self._chats.values() if c is not besides]
        return POLL_COST * sum(1 for d in due if d is not None and quota_day(d) == day)

    # -- chats and the plan ----------------------------------------------------------------

    def chat_started(
        self,
        chat_key: str,
        now: float,
        *,
        expected_seconds: float | None = None,
        since: float | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
    ) -> None:
        """Start planning for a chat; `expected_seconds` is its expected length, if known.

        `since` is when the stream actually started, if the platform says: a runtime that
        starts (or restarts) an hour into a stream plans for what is left of it, not for a
        whole new stream. `page_size` is the ``maxResults`` the chat is read with.
        """
        knobs = self.settings
        started = now if since is None else min(since, now)
        if expected_seconds is None:
            expected, hedge = knobs.expected_stream_seconds, knobs.hedge
        else:
            expected, hedge = expected_seconds, knobs.known_hedge
        chat = _Chat(started, expected, hedge, knobs.overrun_hedge, page_size)
        chat.last_seen = now
        self._chats[chat_key] = chat

    def chat_ended(self, chat_key: str, now: float) -> None:
        """Stop planning for a chat and drop its booked poll."""
        self._chats.pop(chat_key, None)

    def observe(self, chat_key: str, now: float, *, messages: int, page_full: bool) -> None:
        """Tell the planner a page of `chat_key` returned `messages` items.

        Call it for every page, follow-ups included; the first drained poll after binding is
        taken as backlog and only starts the clock.
        """
        chat = self._chat(chat_key, now)
        chat.observe(now, messages, page_full=page_full, knobs=self.settings)

    def poll_interval(self, chat_key: str, now: float, *, server_min: float) -> float:
        """Return the seconds to wait before polling `chat_key` again, and book that poll.

        A chat not announced with :meth:`chat_started` is started here, with a guessed length.
        """
        self._roll(now)
        chat = self._chat(chat_key, now)
        chat.booked_due = None
        interval = self._schedule(chat, now, self._wanted(chat, now, server_min), server_min)
        chat.booked_due, chat.interval = now + interval, interval
        return interval

    def _wanted(self, chat: _Chat, now: float, server_min: float) -> float:
        """Return the plan's interval: at least what the server asks, capped while affordable."""
        # Past the reset the budget is new, so no plan waits longer than that.
        wanted = min(self._planned(chat, now), self.reset_at(now) - now, chat.page_interval())
        wanted = max(wanted, server_min)
        cap = max(self.settings.max_interval, server_min)
        return cap if wanted > cap and self._cap_affordable(now) else wanted

    def _schedule(self, chat: _Chat, now: float, wanted: float, server_min: float) -> float:
        """Return `wanted` if that poll fits its quota day, else the wait for a day it fits."""
        if math.isfinite(wanted) and self._fits(chat, now + wanted):
            return wanted  # kept exact: `now + wanted - now` could round below server_min
        later = self.reset_at(now) if math.isinf(wanted) else now + wanted
        due = self._first_fit(chat, max(later, now + server_min))
        return max(due - now, server_min)

    def _chat(self, chat_key: str, now: float) -> _Chat:
        if chat_key not in self._chats:
            self.chat_started(chat_key, now)
        return self._chats[chat_key]

    def _room(self, besides: _Chat | None = None) -> int:
        """Units polls may still spend today, net of the other chats' booked polls."""
        booked = self._booked(self._day or "", besides=besides)
        return self.budget - self.reserve - self._used - booked

    def _planned(self, chat: _Chat, now: float) -> float:
        room = self._room(chat)
        if self._exhausted or room < POLL_COST:
            return math.inf
        reset, floor = self.reset_at(now), self.settings.min_velocity
        weight = sum(
            c.horizon(now, reset) * c.mean_root_velocity(floor) for c in self._chats.values()
        )
        return POLL_COST / chat.root_velocity(floor) * weight / room

    def _cap_affordable(self, now: float) -> bool:
        """Say whether every active chat could be polled every ``max_interval`` as planned."""
        reset = self.reset_at(now)
        polls = sum(c.horizon(now, reset) for c in self._chats.values())
        return self._room() >= POLL_COST * polls / self.settings.max_interval

    def _first_fit(self, chat: _Chat, due: float) -> float:
        """Return `due` or the start of the first later quota day where the poll fits."""
        for _ in range(len(self._chats) + 2):
            if self._fits(chat, due):
                return due
            due = next_reset(due)
        return due

    def _fits(self, chat: _Chat, due: float) -> bool:
        day = quota_day(due)
        today = day == self._day
        if today and self._exhausted:
            return False
        used = self._used if today else 0
        keep = self.reserve // 2 if chat.draining(due) else self.reserve
        return used + self._booked(day, besides=chat) + POLL_COST <= self.budget - keep

    # -- what quotas.json shows ------------------------------------------------------------

    def usage(self, now: float) -> QuotaUsage:
        """Return the project's usage, the current intervals and the forecast at this rate."""
        self._roll(now)
        reset = self.reset_at(now)
        rate = sum(chat.spend_rate() for chat in self._chats.values())
        remaining = max(self.budget - self._used, 0)
        runs_out = now + remaining / rate if rate else math.inf
        return QuotaUsage(
            platform="youtube",
            scope="project",
            scope_id=self.project_id,
            window="daily",
            used=self._used,
            max=self.budget,
            remaining=remaining,
            reset_at=reset,
            status=self._status(now),
            forecast_used=round(self._used + rate * (reset - now)),
            forecast_exhausted_at=runs_out if runs_out < reset else None,
            reserve=self.reserve,
            chats=tuple(self._chat_intervals()),
        )

    def _status(self, now: float) -> QuotaStatus:
        if self.exhausted_until(now) is not None:
            return "exhausted"
        return "buffer" if self._used >= self.budget - self.reserve else "ok"

    def _chat_intervals(self) -> list[ChatInterval]:
        return [
            ChatInterval(
                chat_key=key,
                interval_seconds=chat.interval,
                messages_per_second=chat.velocity,
                streaming_since=chat.started_at,
                expected_seconds=chat.expected,
            )
            for key, chat in sorted(self._chats.items())
        ]


class QuotaBook:
    """Every project's quota in this runtime; one per runtime, shared by all YouTube chats."""

    def __init__(
        self, store: QuotaLedger | None = None, *, settings: PlannerSettings | None = None
    ) -> None:
        self._store = store
        self._settings = settings or PlannerSettings()
        self._projects: dict[str, ProjectQuota] = {}

    def project(
        self, project_id: str, *, budget: int = DAILY_UNITS, reserve: int | None = None
    ) -> ProjectQuota:
        """Return the project's quota, creating it; a changed budget or reserve is applied."""
        quota = self._projects.get(project_id)
        if quota is None:
            quota = ProjectQuota(
                project_id,
                budget=budget,
                reserve=reserve,
                settings=self._settings,
                ledger=self._store,
            )
            self._projects[project_id] = quota
        else:
            quota.set_budget(budget, reserve)
        return quota

    def close(self) -> None:
        """Close the ledger's storage (at runtime shutdown)."""
        if self._store is not None:
            self._store.close()

    def usages(self, now: float) -> list[QuotaUsage]:
        """Return every project's usage, for quotas.json."""
        return [quota.usage(now) for _, quota in sorted(self._projects.items())]
