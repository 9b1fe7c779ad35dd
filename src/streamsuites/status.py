"""Render a runtime snapshot (runtime_snapshot.json) as the table ``streamsuites status`` prints."""

from __future__ import annotations

from datetime import datetime
from typing import Any

__all__ = ["format_status"]

_COLUMNS = ("CREATOR", "PLATFORM", "STATUS", "LAST FRAME", "MESSAGES", "EVENTS", "ERRORS", "REASON")


def format_status(snapshot: dict[str, Any], *, now: float) -> str:
    """Return a readable table of every connector in `snapshot`, as seen at `now`."""
    lines = [_heading(snapshot, now), ""]
    rows = [_COLUMNS, *(_row(entry, now) for entry in _health_entries(snapshot))]
    if len(rows) == 1:
        lines.append("No connectors: no enabled creator has an enabled platform.")
    else:
        lines.extend(_table(rows))
    return "\n".join(lines)


def _heading(snapshot: dict[str, Any], now: float) -> str:
    runtime = snapshot.get("runtime") or {}
    version = runtime.get("version", "?")
    generated = _epoch(snapshot.get("generated_at"))
    if generated is None:
        return f"StreamSuites Runtime {version}: snapshot has no generated_at"
    age = now - generated
    heading = (
        f"StreamSuites Runtime {version}: snapshot written {snapshot['generated_at']} ({_ago(age)})"
    )
    if age > 60:
        heading += "\nThis snapshot is old: the runtime is probably not running."
    return heading


def _health_entries(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    entries = []
    for platform in snapshot.get("platforms") or []:
        for health in platform.get("health") or []:
            entries.append({"platform": platform.get("name", "?"), **health})
    return sorted(entries, key=lambda e: (str(e.get("creator_id")), str(e["platform"])))


def _row(entry: dict[str, Any], now: float) -> tuple[str, ...]:
    counters = entry.get("counters") or {}
    last_frame = _epoch(entry.get("last_frame_at"))
    return (
        str(entry.get("creator_id", "?")),
        str(entry["platform"]),
        str(entry.get("status", "?")),
        "-" if last_frame is None else _ago(now - last_frame),
        str(counters.get("messages", 0)),
        str(counters.get("events", 0)),
        str(counters.get("errors", 0)),
        str(entry.get("reason") or entry.get("last_error") or ""),
    )


def _table(rows: list[tuple[str, ...]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(_COLUMNS) - 1)]
    padded = ([cell.ljust(w) for cell, w in zip(row, widths, strict=False)] for row in rows)
    return ["  ".join([*cells, row[-1]]).rstrip() for cells, row in zip(padded, rows, strict=True)]


def _epoch(value: object) -> float | None:
    if isinstance(value, int | float):
        return float(value)
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def _ago(seconds: float) -> str:
    seconds = max(0.0, seconds)
    if seconds < 120:
        return f"{seconds:.0f}s ago"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m ago"
    return f"{seconds / 3600:.1f}h ago"
