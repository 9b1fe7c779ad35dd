"""`streamsuites simulate`: recorded chat through the real triggers and reducers, dry run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from tests.support import REPO, run_cli

EXAMPLES = REPO / "examples"
GOLDEN = REPO / "tests" / "fixtures" / "simulate" / "demo.jsonl"


def simulate(config: Path, events: Path) -> subprocess.CompletedProcess[str]:
    return run_cli("simulate", "--config", config, "--events", events)


def test_the_demo_recording_prints_the_golden_actions_and_state() -> None:
    result = simulate(EXAMPLES / "config", EXAMPLES / "events" / "demo.jsonl")
    assert result.returncode == 0, result.stderr
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(result.stdout)
    assert result.stdout == GOLDEN.read_text()
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    fired = {line["descriptor"]["trigger_id"] for line in lines if line["kind"] == "action"}
    every_trigger = {"alice-uptime", "alice-clip", "alice-thanks", "alice-welcome", "alice-death",
                     "studio7-schedule", "studio7-gg"}
    assert every_trigger <= fired


def test_trigger_file_order_does_not_change_the_output(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(EXAMPLES / "config", config)
    triggers = json.loads((config / "triggers.json").read_text())
    triggers["triggers"].reverse()
    (config / "triggers.json").write_text(json.dumps(triggers))
    result = simulate(config, EXAMPLES / "events" / "demo.jsonl")
    assert result.returncode == 0, result.stderr
    assert result.stdout == GOLDEN.read_text()


def test_a_bad_event_file_exits_2_naming_the_line(tmp_path: Path) -> None:
    events = tmp_path / "events.jsonl"
    good = (EXAMPLES / "events" / "demo.jsonl").read_text().splitlines()[0]
    events.write_text(f"{good}\n{{\"kind\": \"chat_message\"}}\n")
    result = simulate(EXAMPLES / "config", events)
    assert result.returncode == 2
    assert f"{events}: line 2: not an event" in result.stderr
    assert "Traceback" not in result.stderr
    missing = simulate(EXAMPLES / "config", tmp_path / "nope.jsonl")
    assert missing.returncode == 2
    assert "no event file at" in missing.stderr
