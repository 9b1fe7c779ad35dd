"""Child program of the event log crash test; the parent kills it with SIGKILL.

``eventlog_child.py DB append START`` appends events START, START+1, ... forever from four
concurrent tasks, in batches, and prints ``ack <event ids>`` after each append returns.
``eventlog_child.py DB redeliver START END`` appends events [START, END) once more and prints
one JSON line ``{"appended": [ids], "duplicates": n}``, then exits.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.events import Author, ChatMessage

BATCH = 40
TASKS = 4
BASE = datetime(2024, 5, 1, tzinfo=UTC)


def event(n: int) -> ChatMessage:
    at = BASE + timedelta(milliseconds=n)
    return ChatMessage(
        event_id=f"twitch:crash-{n}",
        creator_id="alice",
        platform="twitch",
        channel="alice",
        occurred_at=at,
        received_at=at,
        author=Author(id=str(n % 13)),
        text=f"message {n} " + "lorem ipsum " * (n % 9),
    )


async def append_forever(log: SqliteEventLog, start: int) -> None:
    counter = itertools.count(start, BATCH)

    async def task() -> None:
        while True:
            first = next(counter)
            result = await log.append([event(n) for n in range(first, first + BATCH)])
            ids = " ".join(item.event.event_id for item in result.appended)
            print(f"ack {ids}", flush=True)

    async with asyncio.TaskGroup() as group:
        for _ in range(TASKS):
            group.create_task(task())


async def redeliver(log: SqliteEventLog, start: int, end: int) -> None:
    appended: list[str] = []
    duplicates = 0
    for first in range(start, end, 100):
        result = await log.append([event(n) for n in range(first, min(first + 100, end))])
        appended += [item.event.event_id for item in result.appended]
        duplicates += result.duplicates
    print(json.dumps({"appended": appended, "duplicates": duplicates}), flush=True)


async def main(argv: list[str]) -> None:
    log = SqliteEventLog(Path(argv[1]))
    await log.start()
    try:
        if argv[2] == "append":
            await append_forever(log, int(argv[3]))
        else:
            await redeliver(log, int(argv[3]), int(argv[4]))
    finally:
        await log.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv))
