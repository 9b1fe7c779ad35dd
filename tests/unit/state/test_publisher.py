from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import replace
from pathlib import Path

import pytest

from streamsuites.eventlog import LogStats
from streamsuites.state.publisher import StatePublisher, StatsSource
from streamsuites.testing import FakeClock

from ._sample import NOW, sample_config, sample_state, sample_stats

FILES = [
    "jobs.json",
    "quotas.json",
    "runtime_snapshot.json",
    "telemetry/errors.json",
    "telemetry/events.json",
    "telemetry/rates.json",
]


class Log:
    async def stats(self) -> LogStats:
        return sample_stats()


class BrokenLog:
    async def stats(self) -> LogStats:
        raise OSError("log closed")


def exporter(
    tmp_path: Path,
    clock: FakeClock,
    state_dir: Path | None = None,
    log: StatsSource | None = None,
    environ: dict[str, str] | None = None,
) -> StatePublisher:
    (tmp_path / "config").mkdir(exist_ok=True)
    config = replace(sample_config(tmp_path / "config"), environ=environ or {})
    return StatePublisher(
        state=sample_state(),
        config=config,
        clock=clock,
        state_dir=state_dir or tmp_path / "state",
        publish_root=None if environ else tmp_path / "publish",
        version="0.1.0",
        build="test",
        log=log or Log(),
    )


def written(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.json"))


def read(root: Path, name: str) -> dict[str, object]:
    data: dict[str, object] = json.loads((root / name).read_text())
    return data


async def settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


@pytest.mark.asyncio
async def test_publish_all_writes_every_file_and_mirrors_it(tmp_path: Path) -> None:
    assert await exporter(tmp_path, FakeClock(start=NOW)).publish_all() is True
    assert written(tmp_path / "state") == FILES
    assert written(tmp_path / "publish" / "shared" / "state") == FILES
    snapshot = read(tmp_path / "state", "runtime_snapshot.json")
    assert snapshot["generated_at"] == "2026-01-01T00:00:00.000Z"


@pytest.mark.asyncio
async def test_unreadable_log_reports_replay_unavailable(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    publisher = exporter(tmp_path, FakeClock(start=NOW), log=BrokenLog())
    with caplog.at_level(logging.ERROR, logger="streamsuites.state"):
        assert await publisher.publish_snapshot() is True
    replay = read(tmp_path / "state", "runtime_snapshot.json")["replay"]
    assert isinstance(replay, dict)
    assert replay["available"] is False
    assert "replay reported unavailable" in caplog.text


@pytest.mark.asyncio
async def test_config_change_after_start_asks_for_a_restart(tmp_path: Path) -> None:
    publisher = exporter(tmp_path, FakeClock(start=NOW))
    (tmp_path / "config" / "triggers.json").write_text("{}")
    await publisher.publish_snapshot()
    intent = read(tmp_path / "state", "runtime_snapshot.json")["restart_intent"]
    assert intent == {
        "required": True,
        "pending": {"system": False, "creators": False, "triggers": True, "platforms": False},
    }


@pytest.mark.asyncio
async def test_run_follows_both_cadences_and_retries_after_a_failed_write(
    tmp_path: Path,
) -> None:
    clock = FakeClock(start=NOW, auto_advance=False)
    state_dir = tmp_path / "state"
    state_dir.write_text("")  # a file where the directory should be: every write fails
    task = asyncio.create_task(exporter(tmp_path, clock, state_dir).run())
    await settle()
    clock.advance(10.0)
    await settle()
    assert not (tmp_path / "publish" / "shared" / "state" / "quotas.json").exists()
    state_dir.unlink()
    clock.advance(5.0)
    await settle()
    assert written(state_dir) == ["quotas.json"]
    clock.advance(5.0)
    await settle()
    assert written(state_dir) == FILES
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


@pytest.mark.asyncio
async def test_publish_root_comes_from_the_environment_when_not_given(tmp_path: Path) -> None:
    environ = {"DASHBOARD_STATE_PUBLISH_ROOT": str(tmp_path / "dash")}
    publisher = exporter(tmp_path, FakeClock(start=NOW), environ=environ)
    assert await publisher.publish_all() is True
    assert written(tmp_path / "dash" / "shared" / "state") == FILES


@pytest.mark.asyncio
async def test_without_a_log_replay_is_unavailable(tmp_path: Path) -> None:
    publisher = StatePublisher(
        state=sample_state(),
        config=sample_config(tmp_path),
        clock=FakeClock(start=NOW),
        state_dir=tmp_path / "state",
        version="0.1.0",
    )
    assert await publisher.publish_snapshot() is True
    replay = read(tmp_path / "state", "runtime_snapshot.json")["replay"]
    assert isinstance(replay, dict)
    assert (replay["available"], replay["overlay_safe"]) == (False, False)
    assert (replay["event_count"], replay["last_event_at"]) == (0, None)
