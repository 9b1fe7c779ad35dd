"""A runtime with a job a test can kill: real Runtime, a real worker, a job that may block.

    python -m tests.integration.jobs_child CONFIG_DIR DATA_DIR STATE_DIR WORK_DIR MODE

At start it queues the job ``crash-job`` (kind ``blocker``, as if from Twitch chat; queuing is
idempotent, so a restart finds the same job). Each attempt appends ``start <attempt>`` to
WORK_DIR/starts.txt. With MODE ``block`` the attempt then waits for ever; with ``finish`` it
appends ``done`` to WORK_DIR/done.txt and succeeds with a chat reply. Chat "sends" are appended
to WORK_DIR/sent.txt. Every line is flushed and fsynced before it counts. SIGTERM stops the
runtime cleanly (the job worker drains first).
"""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from streamsuites.actions.outbox import OutboundMessage, SendOutcome
from streamsuites.cli import run_until_signalled
from streamsuites.config import load_config
from streamsuites.jobs import JobKind, JobOutcome, JobStore
from streamsuites.jobs.worker import WorkerOptions
from streamsuites.runtime import Runtime, RuntimeOptions

if TYPE_CHECKING:
    from streamsuites.connectors.base import ConnectorLink, ConnectorSpec
    from streamsuites.jobs import JobContext

JOB_ID = "crash-job"
CHAT = {"platform": "twitch", "event_id": "twitch:msg-1", "channel": "alice", "request": {}}
WORKER = WorkerOptions(lease=2.0, heartbeat=0.5, poll_interval=0.2)


def append(path: Path, line: str) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
        out.flush()
        os.fsync(out.fileno())


@dataclass
class ChatSink:
    sent: Path

    async def run(self, link: ConnectorLink) -> None:
        link.connected()
        await asyncio.Event().wait()

    async def send(self, message: OutboundMessage) -> SendOutcome:
        append(self.sent, message.text)
        return SendOutcome.delivered()


def handler(work: Path, mode: str):  # noqa: ANN201 - a test helper's closure
    async def run(ctx: JobContext) -> JobOutcome:
        append(work / "starts.txt", f"start {ctx.attempt}")
        if mode == "block":
            await asyncio.Event().wait()
        append(work / "done.txt", "done")
        return JobOutcome.succeeded({"attempt": ctx.attempt}, reply="job done")

    return run


async def queue_job(runtime: Runtime) -> None:
    await runtime.ready.wait()
    now = runtime.clock.time()
    await JobStore(runtime.db).enqueue(
        job_id=JOB_ID, kind="blocker", creator_id="alice", payload=CHAT, now=now
    )
    assert runtime.jobs is not None
    runtime.jobs.notify()


def main(config_dir: str, data_dir: str, state_dir: str, work_dir: str, mode: str) -> None:
    config = load_config(Path(config_dir)).config
    work = Path(work_dir)

    def factory(spec: ConnectorSpec) -> ChatSink:
        return ChatSink(work / "sent.txt")

    options = RuntimeOptions(
        state_dir=Path(state_dir), data_dir=Path(data_dir), jobs=WORKER, job_drain_timeout=1.0
    )
    runtime = Runtime(config, options, connectors={"twitch": factory})
    runtime.job_kinds.append(JobKind(name="blocker", handler=handler(work, mode), timeout=60))

    async def run(stop: asyncio.Event) -> None:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(queue_job(runtime))
            await runtime.run(stop)

    asyncio.run(run_until_signalled(run))


if __name__ == "__main__":
    main(*sys.argv[1:6])
