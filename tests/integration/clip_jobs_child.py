"""A runtime making one clip that a test can kill: real Runtime, capture, clip job and publish.

    python -m tests.integration.clip_jobs_child CONFIG_DIR DATA_DIR STATE_DIR WORK_DIR

The config's creator ``alice`` has a Twitch ``clip_source`` (the test's HLS emulator). On the
first start the child waits until the capture holds a few seconds, then queues the clip job
``crash-clip`` as a ``!clip 2`` from Twitch chat at that moment; a restarted child finds the job
already queued (or running under a dead worker's lease) and queues nothing. Chat "sends" are
appended to WORK_DIR/sent.txt, flushed and fsynced. SIGTERM stops the runtime cleanly.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from streamsuites.cli import run_until_signalled
from streamsuites.config import load_config
from streamsuites.jobs import JobStore
from streamsuites.jobs.worker import WorkerOptions
from streamsuites.runtime import Runtime, RuntimeOptions
from tests.integration.jobs_child import ChatSink

if TYPE_CHECKING:
    from streamsuites.connectors.base import ConnectorSpec

JOB_ID = "crash-clip"
WORKER = WorkerOptions(lease=2.0, heartbeat=0.5, poll_interval=0.2)


async def queue_clip(runtime: Runtime) -> None:
    await runtime.ready.wait()
    store = JobStore(runtime.db)
    if await store.get(JOB_ID) is not None:
        return
    assert runtime.jobs is not None
    capture = runtime.clips.captures[("alice", "twitch")]
    await capture.wait_for(lambda status: status.buffered_seconds >= 4)
    now = runtime.clock.time()
    payload = {
        "platform": "twitch", "event_id": "twitch:msg-1", "channel": "alice",
        "requested_at": now, "request": {"args": "2", "requested_by": "crasher"},
    }  # fmt: skip
    await store.enqueue(job_id=JOB_ID, kind="clip", creator_id="alice", payload=payload, now=now)
    runtime.jobs.notify()


def main(config_dir: str, data_dir: str, state_dir: str, work_dir: str) -> None:
    config = load_config(Path(config_dir)).config
    sent = Path(work_dir) / "sent.txt"

    def factory(spec: ConnectorSpec) -> ChatSink:
        return ChatSink(sent)

    options = RuntimeOptions(
        state_dir=Path(state_dir), data_dir=Path(data_dir), jobs=WORKER, job_drain_timeout=1.0
    )
    runtime = Runtime(config, options, connectors={"twitch": factory})

    async def run(stop: asyncio.Event) -> None:
        async with asyncio.TaskGroup() as tasks:
            tasks.create_task(queue_clip(runtime))
            await runtime.run(stop)

    asyncio.run(run_until_signalled(run))


if __name__ == "__main__":
    main(*sys.argv[1:5])
