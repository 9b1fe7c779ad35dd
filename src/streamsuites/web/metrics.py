"""``/metrics`` in the Prometheus text format, and the event-loop lag probe behind one of them.

A scrape reads everything fresh: the live state (connector statuses and counters), the event
log's totals, the actions database (actions by result, sends by outcome), the quota source and
the server's own numbers. :func:`gather` does the reads; :func:`render` is pure and builds the
text through ``prometheus_client`` on a registry of its own (no process-global registry).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from streamsuites.state.runtime_state import ConnectorStatus, effective_status

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Iterator, Sequence

    from streamsuites.eventlog import LogStats
    from streamsuites.state.quotas import QuotaUsage
    from streamsuites.state.runtime_state import ConnectorHealth
    from streamsuites.web.sources import WebSources

__all__ = ["CONTENT_TYPE", "LagProbe", "Sample", "ServerNumbers", "gather", "render"]

CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
_PREFIX: Final = "streamsuites_"
_COUNTERS: Final = ("events", "messages", "duplicates", "triggers", "errors")


@dataclass(slots=True)
class LagProbe:
    """Measures how late the event loop wakes a sleeper: the loop's lag, in seconds."""

    interval: float = 0.5
    last: float = 0.0
    peak: float = 0.0
    """The largest lag seen since the last scrape read it."""

    async def run(self) -> None:
        """Measure until cancelled."""
        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            await asyncio.sleep(self.interval)
            self.record(loop.time() - started - self.interval)

    def record(self, lag: float) -> None:
        """Keep one measurement."""
        self.last = max(0.0, lag)
        self.peak = max(self.peak, self.last)

    def read_peak(self) -> float:
        """Return the peak and start a new window."""
        peak, self.peak = self.peak, self.last
        return peak


@dataclass(frozen=True, slots=True, kw_only=True)
class ServerNumbers:
    """The web server's own figures."""

    serving: bool
    live_clients: int
    live_dropped: int
    csp_reports: int
    loop_lag: float
    loop_lag_peak: float


@dataclass(frozen=True, slots=True, kw_only=True)
class Sample:
    """Everything one scrape shows, read at `now`."""

    now: float
    connectors: Sequence[ConnectorHealth]
    log: LogStats | None
    actions: dict[str, int] = field(default_factory=dict)
    sends: dict[tuple[str, str], int] = field(default_factory=dict)
    quotas: Sequence[QuotaUsage] = ()
    server: ServerNumbers


def _action_counts(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute("SELECT status, COUNT(*) FROM action_audit GROUP BY status")
    return {str(status): int(count) for status, count in rows}


def _send_counts(conn: sqlite3.Connection) -> dict[tuple[str, str], int]:
    rows = conn.execute("SELECT platform, status, COUNT(*) FROM outbox GROUP BY platform, status")
    return {(str(platform), str(status)): int(count) for platform, status, count in rows}


async def gather(sources: WebSources, server: ServerNumbers) -> Sample:
    """Read one scrape's worth of numbers."""
    db = sources.db
    return Sample(
        now=sources.clock.time(),
        connectors=[h for _, h in sorted(sources.state.connectors.items())],
        log=await sources.log.stats(),
        actions=await db.read(_action_counts) if db is not None else {},
        sends=await db.read(_send_counts) if db is not None else {},
        quotas=list(sources.quotas()),
        server=server,
    )


def render(sample: Sample) -> bytes:
    """Return the Prometheus text of `sample`."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector(sample))
    return generate_latest(registry)


class _Collector:
    def __init__(self, sample: Sample) -> None:
        self._sample = sample

    def collect(self) -> Iterator[Metric]:
        yield from _connector_metrics(self._sample)
        yield from _log_metrics(self._sample.log)
        yield from _action_metrics(self._sample)
        yield from _quota_metrics(self._sample.quotas)
        yield from _server_metrics(self._sample.server)


def _connector_metrics(sample: Sample) -> Iterator[Metric]:
    labels = ["creator", "platform"]
    status = GaugeMetricFamily(
        f"{_PREFIX}connector_status", "1 for the connector's current status, else 0",
        labels=[*labels, "status"],
    )  # fmt: skip
    for health in sample.connectors:
        current = effective_status(health, sample.now)
        for value in ConnectorStatus:
            status.add_metric([health.creator_id, health.platform, value.value], value is current)
    yield status
    for name in _COUNTERS:
        counter = CounterMetricFamily(
            f"{_PREFIX}{name}", f"{name} counted per connector since start", labels=labels
        )
        for health in sample.connectors:
            value = getattr(health.counters, name)
            counter.add_metric([health.creator_id, health.platform], value)
        yield counter


def _log_metrics(stats: LogStats | None) -> Iterator[Metric]:
    if stats is None:
        return
    yield GaugeMetricFamily(f"{_PREFIX}event_log_events", "events stored", value=stats.event_count)
    yield GaugeMetricFamily(
        f"{_PREFIX}event_log_last_seq", "seq of the newest event appended", value=stats.last_seq
    )
    yield GaugeMetricFamily(
        f"{_PREFIX}event_log_bytes", "bytes the database's live pages use", value=stats.size_bytes
    )


def _action_metrics(sample: Sample) -> Iterator[Metric]:
    actions = CounterMetricFamily(
        f"{_PREFIX}actions", "actions in the audit log, by result", labels=["result"]
    )
    for result, count in sorted(sample.actions.items()):
        actions.add_metric([result], count)
    yield actions
    sends = CounterMetricFamily(
        f"{_PREFIX}sends",
        "outbox messages, by platform and outcome",
        labels=["platform", "outcome"],
    )
    for (platform, outcome), count in sorted(sample.sends.items()):
        sends.add_metric([platform, outcome], count)
    yield sends


def _quota_metrics(quotas: Sequence[QuotaUsage]) -> Iterator[Metric]:
    labels = ["platform", "scope", "scope_id", "window"]
    used = GaugeMetricFamily(f"{_PREFIX}quota_used", "quota units used", labels=labels)
    left = GaugeMetricFamily(f"{_PREFIX}quota_remaining", "quota units left", labels=labels)
    for quota in quotas:
        key = [quota.platform, quota.scope, quota.scope_id, quota.window]
        used.add_metric(key, quota.used)
        left.add_metric(key, quota.remaining)
    yield used
    yield left


def _server_metrics(server: ServerNumbers) -> Iterator[Metric]:
    yield GaugeMetricFamily(f"{_PREFIX}serving", "1 while the runtime serves", value=server.serving)
    yield GaugeMetricFamily(
        f"{_PREFIX}live_clients", "SSE and WebSocket clients connected", value=server.live_clients
    )
    yield CounterMetricFamily(
        f"{_PREFIX}live_clients_dropped", "live clients dropped as too slow",
        value=server.live_dropped,
    )  # fmt: skip
    yield CounterMetricFamily(
        f"{_PREFIX}csp_reports", "CSP violation reports received", value=server.csp_reports
    )
    yield GaugeMetricFamily(
        f"{_PREFIX}event_loop_lag_seconds", "latest event-loop lag", value=server.loop_lag
    )
    yield GaugeMetricFamily(
        f"{_PREFIX}event_loop_lag_peak_seconds", "largest event-loop lag since the last scrape",
        value=server.loop_lag_peak,
    )  # fmt: skip
