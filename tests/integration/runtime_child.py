"""A runtime a test can kill: real Runtime, a connector replaying an event file, sends to a file.

    python -m tests.integration.runtime_child CONFIG_DIR DATA_DIR STATE_DIR EVENTS SENT

The connector emits the file's events in small batches (all of them again on every start, as a
platform redelivering history would) and "posts" each reply by appending a line to SENT, flushed
and fsynced before the send reports delivered. SIGTERM stops it cleanly.
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from streamsuites.actions.outbox import OutboundMessage, SendOutcome
from streamsuites.cli import run_until_signalled
from streamsuites.config import load_config
from streamsuites.connectors.base import ConnectorLink, ConnectorSpec
from streamsuites.eventlog.files import read_events_file
from streamsuites.runtime import Runtime, RuntimeOptions

if TYPE_CHECKING:
    from streamsuites.events import Event

BATCH = 5


@dataclass
class ReplayConnector:
    events: list[Event]
    sent: Path
    lines: list[str] = field(default_factory=list)

    async def run(self, link: ConnectorLink) -> None:
        link.connected()
        for start in range(0, len(self.events), BATCH):
            await link.emit(self.events[start : start + BATCH])
            await asyncio.sleep(0.01)
        await asyncio.Event().wait()

    async def send(self, message: OutboundMessage) -> SendOutcome:
        with self.sent.open("a", encoding="utf-8") as out:
            out.write(f"{message.action_id} {message.text}\n")
            out.flush()
            os.fsync(out.fileno())
        return SendOutcome.delivered()


def main(config_dir: str, data_dir: str, state_dir: str, events: str, sent: str) -> None:
    config = load_config(Path(config_dir)).config
    recorded = list(read_events_file(Path(events)))

    def factory(spec: ConnectorSpec) -> ReplayConnector:
        mine = [
            e for e in recorded
            if e.creator_id == spec.creator.creator_id and e.platform == spec.platform
        ]
        return ReplayConnector(mine, Path(sent))

    options = RuntimeOptions(state_dir=Path(state_dir), data_dir=Path(data_dir))
    runtime = Runtime(config, options, connectors={"twitch": factory})
    asyncio.run(run_until_signalled(runtime.run))


if __name__ == "__main__":
    main(*sys.argv[1:6])
