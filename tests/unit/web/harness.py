"""A real web server over a real event log on disk, for the web tests (no runtime around it)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from streamsuites.actions.database import ActionDatabase
from streamsuites.config import load_config
from streamsuites.config.model import Config
from streamsuites.eventlog import AppendResult
from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.events import Author, ChatMessage, Event, Moderation
from streamsuites.state.runtime_state import RuntimeState
from streamsuites.web import WebOptions, WebServer, WebSources

CONFIG: dict[str, Any] = {
    "tiers.json": {
        "tiers": {
            "pro": {
                "label": "Pro",
                "features": {
                    "triggers": {"max_triggers": 100, "min_cooldown_seconds": 0},
                    "polls": {"max_active_polls": 2, "max_options": 6},
                },
            }
        }
    },
    "creators.json": {
        "creators": [
            {
                "creator_id": "alice",
                "display_name": "Alice",
                "tier": "pro",
                "platforms": {
                    "twitch": {"enabled": True, "channel": "alice"},
                    "youtube": {"enabled": True, "channel": "UCalice"},
                },
            },
            {
                "creator_id": "bob",
                "display_name": "Bob",
                "tier": "pro",
                "platforms": {
                    "twitch": {"enabled": True, "channel": "bob"},
                },
            },
        ]
    },
    "triggers.json": {
        "triggers": [
            {
                "trigger_id": "shoutout",
                "creator_id": "alice",
                "type": "command",
                "command": "!so",
                "response": "follow {creator} on {platform}!",
            },
        ]
    },
    "interactive.json": {
        "creators": {
            "alice": {
                "polls": {
                    "definitions": [
                        {
                            "poll_id": "best-game",
                            "question": "Best game?",
                            "options": ["chess", "go"],
                        },
                    ]
                }
            }
        }
    },
}

T0 = datetime(2026, 11, 24, 20, 0, tzinfo=UTC)


def write_config(directory: Path, overrides: Mapping[str, Any] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, body in {**CONFIG, **(overrides or {})}.items():
        (directory / name).write_text(json.dumps(body))
    return directory


def load(directory: Path, environ: Mapping[str, str] | None = None) -> Config:
    config = load_config(write_config(directory)).config
    if environ is not None:
        from dataclasses import replace

        config = replace(config, environ=dict(environ))
    return config


_counter = iter(range(1, 10**9))


def chat(
    text: str, *, creator: str = "alice", platform: str = "twitch", at: datetime | None = None,
    login: str = "viewer",
) -> ChatMessage:  # fmt: skip
    n = next(_counter)
    moment = at or T0 + timedelta(seconds=n)
    return ChatMessage(
        event_id=f"{platform}:m{n}-{time.monotonic_ns()}", creator_id=creator, platform=platform,
        channel=creator, occurred_at=moment, received_at=moment,
        author=Author(id=f"u-{login}", login=login, display_name=login), text=text,
    )  # fmt: skip


def deletion(target: str, *, creator: str = "alice", platform: str = "twitch") -> Moderation:
    n = next(_counter)
    moment = T0 + timedelta(seconds=n)
    return Moderation(
        event_id=f"{platform}:del{n}-{time.monotonic_ns()}", creator_id=creator,
        platform=platform, channel=creator, occurred_at=moment, received_at=moment,
        action="message_deleted", target_message_id=target,
    )  # fmt: skip


@dataclass
class Web:
    server: WebServer
    log: SqliteEventLog
    db: ActionDatabase
    state: RuntimeState
    config: Config
    http: aiohttp.ClientSession

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    async def append(self, events: Sequence[Event]) -> AppendResult:
        """Append as the intake does: store, then wake the hub."""
        result = await self.log.append(events)
        self.server.hub.notify()
        return result

    async def get_json(self, path: str, status: int = 200, **kwargs: Any) -> Any:
        async with self.http.get(self.url(path), **kwargs) as response:
            assert response.status == status, await response.text()
            assert response.content_type == "application/json"
            return await response.json()


@contextlib.asynccontextmanager
async def serve(
    tmp_path: Path,
    *,
    options: WebOptions | None = None,
    documents: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    ready: bool = True,
    with_db: bool = True,
) -> AsyncIterator[Web]:
    """Serve a fresh log and actions database; `with_db` False hides the database from the web."""
    config = load(tmp_path / "config", environ)
    database = tmp_path / "data" / "streamsuites.db"
    database.parent.mkdir(parents=True, exist_ok=True)
    log = SqliteEventLog(database)
    await log.start()
    db = ActionDatabase(database)
    await db.start()
    state = RuntimeState(started_at=time.time())
    from streamsuites.clock import SystemClock

    sources = WebSources(
        log=log, state=state, config=config, clock=SystemClock(), documents=documents or {},
        db=db if with_db else None, ready=lambda: ready,
    )  # fmt: skip
    server = WebServer(sources, options or WebOptions(port=0))
    await server.start()
    runner = asyncio.create_task(server.run())
    try:
        async with aiohttp.ClientSession() as http:
            yield Web(server, log, db, state, config, http)
    finally:
        await server.close()
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        await db.close()
        await log.close()


@dataclass(frozen=True)
class Frame:
    id: int | None
    event: str | None
    data: Any
    comment: str | None = None


async def read_frame(response: aiohttp.ClientResponse) -> Frame:
    """Read one SSE frame (or one comment) from `response`."""
    fields: dict[str, str] = {}
    comment: str | None = None
    while True:
        raw = await response.content.readline()
        if not raw:
            raise EOFError("the stream ended")
        line = raw.decode().rstrip("\n")
        if line == "":
            if fields or comment is not None:
                break
            continue
        if line.startswith(":"):
            comment = line[1:].strip()
            continue
        name, _, value = line.partition(":")
        fields[name] = value.removeprefix(" ")
    if "retry" in fields and "data" not in fields:
        return await read_frame(response)
    data = json.loads(fields["data"]) if "data" in fields else None
    seq = int(fields["id"]) if "id" in fields else None
    return Frame(seq, fields.get("event"), data, comment)


async def read_events(response: aiohttp.ClientResponse, count: int) -> list[Frame]:
    """Read `count` event frames, skipping keepalive comments."""
    frames: list[Frame] = []
    while len(frames) < count:
        frame = await read_frame(response)
        if frame.id is not None:
            frames.append(frame)
    return frames
