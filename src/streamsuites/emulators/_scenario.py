"""Scenario files for the emulators: parsed by pure code, played against an emulator.

A scenario is JSON Lines; blank lines are skipped. Each line is one step, run ``at`` seconds
after playback starts (default 0)::

    {"at": 1.5, "say": {"channel": "alice", "login": "ann", "text": "!ping", "tags": {}}}
    {"at": 3, "raw": "@msg-id=slow_on :tmi.twitch.tv NOTICE #alice :This room is now in slow mode."}
    {"at": 5, "fault": "reconnect", "login": "bot"}
    {"at": 0, "corpus": "xqcow.txt.gz", "rate": 1000, "channel": "alice", "limit": 500}

A corpus step replays a file of real server lines (gzip if it ends in ``.gz``; a relative path
is read from the scenario's folder) at ``rate`` lines per second, rewritten to ``channel``; it
runs beside the other steps rather than holding them up.
"""

from __future__ import annotations

import asyncio
import gzip
import itertools
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Protocol, TypeAlias

import msgspec

from streamsuites.connectors.twitch.protocol import parse_line
from streamsuites.emulators._twitch_rules import format_line
from streamsuites.errors import Error

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping

    from streamsuites.clock import Clock

__all__ = [
    "FAULTS",
    "Corpus",
    "Fault",
    "Raw",
    "Say",
    "Scenario",
    "ScenarioError",
    "Stage",
    "load_scenario",
    "parse_scenario",
    "play",
]

FAULTS: Final = frozenset({"reconnect", "close", "stall", "malformed", "revoke"})
_YIELD_EVERY: Final = 100
"""A replay behind schedule still yields this often, so clients' writers get to run."""


class ScenarioError(Error):
    """A scenario file is not valid; the message names the file and the line."""


@dataclass(frozen=True, slots=True)
class Say:
    """A chat message from `login` in `channel`."""

    at: float
    channel: str
    login: str
    text: str
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Raw:
    """A server line sent as is."""

    at: float
    line: str


@dataclass(frozen=True, slots=True)
class Fault:
    """A fault (one of :data:`FAULTS`), for every connection or only `login`'s."""

    at: float
    kind: str
    login: str | None = None


@dataclass(frozen=True, slots=True)
class Corpus:
    """A file of real server lines replayed at `rate` lines/s into `channel`."""

    at: float
    path: Path
    rate: float
    channel: str
    limit: int | None = None


Step: TypeAlias = Say | Raw | Fault | Corpus


@dataclass(frozen=True, slots=True)
class Scenario:
    """The steps of a scenario file, in the order they start."""

    steps: tuple[Step, ...]


class Stage(Protocol):
    """What a scenario plays against."""

    def say(self, channel: str, login: str, text: str, **tags: str) -> str:
        """Send a chat message; return its id."""
        ...

    def send_raw(self, line: str) -> None:
        """Send a server line."""
        ...

    def fault(self, kind: str, *, login: str | None = None) -> None:
        """Inject a fault."""
        ...

    def room_id(self, channel: str) -> str:
        """Return the room-id of `channel`."""
        ...


def load_scenario(path: Path) -> Scenario:
    """Read and parse the scenario file at `path`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the scenario: {exc.strerror}") from exc
    return parse_scenario(text, source=str(path), base=path.parent)


def parse_scenario(text: str, *, source: str = "<scenario>", base: Path | None = None) -> Scenario:
    """Parse scenario `text`; errors name `source` and the line. Corpus paths resolve on `base`."""
    steps = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                steps.append(_parse_step(line, base or Path()))
            except (ValueError, TypeError) as exc:
                raise ScenarioError(f"{source}:{number}: {exc}") from None
    return Scenario(tuple(sorted(steps, key=lambda step: step.at)))


def _parse_step(line: str, base: Path) -> Step:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError("a step must be a JSON object")
    kinds = [kind for kind in ("say", "raw", "fault", "corpus") if kind in data]
    if len(kinds) != 1:
        raise ValueError('a step needs exactly one of "say", "raw", "fault" or "corpus"')
    at = _number(data, "at", default=0.0)
    return _PARSERS[kinds[0]](data, at, base)


def _say(data: dict[str, Any], at: float, _base: Path) -> Say:
    body = data["say"]
    if not isinstance(body, dict):
        raise ValueError('"say" must be an object with "channel", "login" and "text"')
    tags = body.get("tags", {})
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise ValueError('"say.tags" must map tag names to strings')
    channel = _string(body, "channel", "say.").removeprefix("#").lower()
    return Say(
        at, channel, _string(body, "login", "say.").lower(), _string(body, "text", "say."), tags
    )


def _raw(data: dict[str, Any], at: float, _base: Path) -> Raw:
    line = _string(data, "raw")
    if not parse_line(line).command or "\r" in line or "\n" in line:
        raise ValueError(f'"raw" must be one IRC line with a command, got {line!r}')
    return Raw(at, line)


def _fault(data: dict[str, Any], at: float, _base: Path) -> Fault:
    kind = _string(data, "fault")
    if kind not in FAULTS:
        raise ValueError(f"unknown fault {kind!r}; expected one of {', '.join(sorted(FAULTS))}")
    login = _string(data, "login").lower() if "login" in data else None
    return Fault(at, kind, login)


def _corpus(data: dict[str, Any], at: float, base: Path) -> Corpus:
    rate = _number(data, "rate")
    if rate <= 0:
        raise ValueError(f'"rate" must be positive, got {rate}')
    limit = data.get("limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise ValueError(f'"limit" must be a positive integer, got {limit!r}')
    path = base / _string(data, "corpus")
    if not path.is_file():
        raise ValueError(f"corpus file {path} not found")
    channel = _string(data, "channel").removeprefix("#").lower()
    return Corpus(at, path, rate, channel, limit)


_PARSERS: Final[dict[str, Callable[[dict[str, Any], float, Path], Step]]] = {
    "say": _say,
    "raw": _raw,
    "fault": _fault,
    "corpus": _corpus,
}


def _string(data: dict[str, Any], key: str, prefix: str = "") -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f'"{prefix}{key}" must be a non-empty string, got {value!r}')
    return value


def _number(data: dict[str, Any], key: str, *, default: float | None = None) -> float:
    value = data.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ValueError(f'"{key}" must be a number of seconds ≥ 0, got {value!r}')
    return float(value)


async def play(scenario: Scenario, stage: Stage, clock: Clock) -> None:
    """Run `scenario` against `stage`, timed from now; return when every step has run."""
    start = clock.monotonic()
    async with asyncio.TaskGroup() as group:
        for step in scenario.steps:
            await _sleep_until(clock, start + step.at)
            if isinstance(step, Corpus):
                group.create_task(replay(step, stage, clock), name=f"replay {step.path.name}")
            else:
                _run(step, stage)


def _run(step: Say | Raw | Fault, stage: Stage) -> None:
    match step:
        case Say():
            stage.say(step.channel, step.login, step.text, **step.tags)
        case Raw():
            stage.send_raw(step.line)
        case Fault():
            stage.fault(step.kind, login=step.login)


async def replay(step: Corpus, stage: Stage, clock: Clock) -> None:
    """Send the corpus lines of `step` at its rate, drift-free (line i is due at start + i/rate)."""
    start = clock.monotonic()
    room_id = stage.room_id(step.channel)
    for i, line in enumerate(itertools.islice(_corpus_lines(step.path), step.limit)):
        if not await _sleep_until(clock, start + i / step.rate) and i % _YIELD_EVERY == 0:
            await asyncio.sleep(0)
        stage.send_raw(retarget(line, step.channel, room_id))


def retarget(line: str, channel: str, room_id: str) -> str:
    """Return `line` moved to `channel`: its ``#channel`` parameter and ``room-id`` rewritten."""
    msg = parse_line(line)
    if not msg.params or not msg.params[0].startswith("#"):
        return line
    tags = {**msg.tags, "room-id": room_id} if "room-id" in msg.tags else msg.tags
    moved = msgspec.structs.replace(msg, tags=tags, params=[f"#{channel}", *msg.params[1:]])
    return format_line(moved, with_tags=True)


def _corpus_lines(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if line.strip():
                yield line.rstrip("\r\n")


async def _sleep_until(clock: Clock, deadline: float) -> bool:
    delay = deadline - clock.monotonic()
    if delay <= 0:
        return False
    await clock.sleep(delay)
    return True
