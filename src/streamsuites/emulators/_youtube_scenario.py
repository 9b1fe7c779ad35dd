"""Scenario files for the YouTube emulator: parsed by pure code, played against an emulator.

JSON Lines like the Twitch scenarios (``_scenario``): one step a line, ``at`` seconds after
playback starts (default 0), blank lines skipped, errors naming the file and line. A channel
is named by its ``UC…`` id or ``@handle``; chat steps go to that channel's live stream::

    {"channel": {"id": "UCalice0000000000000000", "handle": "@alice", "title": "Alice"}}
    {"at": 1, "start": {"channel": "@alice", "title": "Speedruns"}}
    {"at": 2, "say": {"channel": "@alice", "author": "Ann", "text": "!ping", "ref": "hi"}}
    {"at": 3, "event": {"channel": "@alice", "type": "superChatEvent",
                        "author": {"name": "Bo", "member": true},
                        "details": {"amountMicros": "5000000", "currency": "USD"}}}
    {"at": 4, "delete": {"channel": "@alice", "ref": "hi"}}
    {"at": 5, "ban": {"channel": "@alice", "user": "Cy", "seconds": 300}}
    {"at": 6, "fault": {"kind": "error", "status": 503, "count": 2}}
    {"at": 9, "end": {"channel": "@alice"}}

``ref`` names a message so a later ``delete`` can point at it; refs live for one playback, so
a looping demo gets fresh message ids each round.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from streamsuites.emulators._scenario import ScenarioError, _number, _sleep_until, _string
from streamsuites.emulators._youtube_wire import DETAILS_KEYS, Author

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from streamsuites.clock import Clock
    from streamsuites.emulators.youtube_api import YouTubeApiEmulator

__all__ = [
    "YOUTUBE_FAULTS",
    "AddChannel",
    "Ban",
    "Delete",
    "EndStream",
    "Post",
    "StartStream",
    "YouTubeFault",
    "YouTubeScenario",
    "load_youtube_scenario",
    "parse_youtube_scenario",
    "play",
]

YOUTUBE_FAULTS: Final = frozenset({"error", "slow", "revoke", "revoke_access", "quota", "disable"})
_AUTHOR_FLAGS: Final = ("owner", "moderator", "member", "verified")


@dataclass(frozen=True, slots=True)
class AddChannel:
    """Create a channel (no-op if it exists)."""

    at: float
    line: int
    channel_id: str
    handle: str | None
    title: str | None


@dataclass(frozen=True, slots=True)
class StartStream:
    """Go live on `channel`."""

    at: float
    line: int
    channel: str
    title: str
    video_id: str | None = None


@dataclass(frozen=True, slots=True)
class EndStream:
    """End `channel`'s live stream."""

    at: float
    line: int
    channel: str


@dataclass(frozen=True, slots=True)
class Post:
    """A chat message of any type in `channel`'s live chat."""

    at: float
    line: int
    channel: str
    snippet_type: str
    author: Author
    details: dict[str, Any] = field(default_factory=dict)
    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Delete:
    """A moderator deletes the message named `ref` (``messageDeletedEvent``)."""

    at: float
    line: int
    channel: str
    ref: str


@dataclass(frozen=True, slots=True)
class Ban:
    """`user` is banned: for `seconds`, or for good when None (``userBannedEvent``)."""

    at: float
    line: int
    channel: str
    user: Author
    seconds: int | None


@dataclass(frozen=True, slots=True)
class YouTubeFault:
    """A fault: see :data:`YOUTUBE_FAULTS` and ``docs/emulators.md``."""

    at: float
    line: int
    kind: str
    count: int = 1
    status: int | None = None
    reason: str | None = None
    endpoint: str | None = None
    delay: float = 0.0
    target: str | None = None
    """The refresh token, access token, project or channel the fault is about."""


Step: TypeAlias = AddChannel | StartStream | EndStream | Post | Delete | Ban | YouTubeFault


@dataclass(frozen=True, slots=True)
class YouTubeScenario:
    """The steps of a YouTube scenario file, in the order they start."""

    steps: tuple[Step, ...]
    source: str = "<scenario>"


def load_youtube_scenario(path: Path) -> YouTubeScenario:
    """Read and parse the YouTube scenario file at `path`."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the scenario: {exc.strerror}") from exc
    return parse_youtube_scenario(text, source=str(path))


def parse_youtube_scenario(text: str, *, source: str = "<scenario>") -> YouTubeScenario:
    """Parse scenario `text`; errors name `source` and the line."""
    steps = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                steps.append(_parse_step(line, number))
            except (ValueError, TypeError) as exc:
                raise ScenarioError(f"{source}:{number}: {exc}") from None
    return YouTubeScenario(tuple(sorted(steps, key=lambda step: step.at)), source)


def _parse_step(text: str, line: int) -> Step:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(data, dict):
        raise ValueError("a step must be a JSON object")
    kinds = [kind for kind in _PARSERS if kind in data]
    if len(kinds) != 1:
        raise ValueError(f"a step needs exactly one of {', '.join(map(repr, _PARSERS))}")
    body = data[kinds[0]]
    if not isinstance(body, dict):
        raise ValueError(f'"{kinds[0]}" must be an object')
    return _PARSERS[kinds[0]](body, _number(data, "at", default=0.0), line)


def _channel(body: dict[str, Any], at: float, line: int) -> AddChannel:
    channel_id = _string(body, "id", "channel.")
    if not channel_id.startswith("UC"):
        raise ValueError(f'"channel.id" must start with "UC", got {channel_id!r}')
    return AddChannel(at, line, channel_id, _optional(body, "handle"), _optional(body, "title"))


def _start(body: dict[str, Any], at: float, line: int) -> StartStream:
    title = _optional(body, "title") or "Live now"
    return StartStream(
        at, line, _string(body, "channel", "start."), title, _optional(body, "video")
    )


def _end(body: dict[str, Any], at: float, line: int) -> EndStream:
    return EndStream(at, line, _string(body, "channel", "end."))


def _say(body: dict[str, Any], at: float, line: int) -> Post:
    channel, author = _string(body, "channel", "say."), _author(body.get("author"), "say.author")
    details = {"messageText": _string(body, "text", "say.")}
    return Post(at, line, channel, "textMessageEvent", author, details, _optional(body, "ref"))


def _event(body: dict[str, Any], at: float, line: int) -> Post:
    kind = _string(body, "type", "event.")
    if kind not in DETAILS_KEYS:
        known = ", ".join(sorted(DETAILS_KEYS))
        raise ValueError(f"unknown event type {kind!r}; expected one of {known}")
    details = body.get("details", {})
    if not isinstance(details, dict):
        raise ValueError('"event.details" must be an object')
    channel, author = (
        _string(body, "channel", "event."),
        _author(body.get("author"), "event.author"),
    )
    return Post(at, line, channel, kind, author, details, _optional(body, "ref"))


def _delete(body: dict[str, Any], at: float, line: int) -> Delete:
    return Delete(at, line, _string(body, "channel", "delete."), _string(body, "ref", "delete."))


def _ban(body: dict[str, Any], at: float, line: int) -> Ban:
    seconds = body.get("seconds")
    if seconds is not None and (
        not isinstance(seconds, int) or isinstance(seconds, bool) or seconds < 1
    ):
        raise ValueError(f'"ban.seconds" must be a positive integer, got {seconds!r}')
    user = _author(body.get("user"), "ban.user")
    return Ban(at, line, _string(body, "channel", "ban."), user, seconds)


def _fault(body: dict[str, Any], at: float, line: int) -> YouTubeFault:
    kind = _string(body, "kind", "fault.")
    if kind not in YOUTUBE_FAULTS:
        raise ValueError(
            f"unknown fault {kind!r}; expected one of {', '.join(sorted(YOUTUBE_FAULTS))}"
        )
    count = body.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f'"fault.count" must be a positive integer, got {count!r}')
    status = body.get("status")
    if kind == "error" and (not isinstance(status, int) or not 400 <= status <= 599):
        raise ValueError(f'an "error" fault needs "status" between 400 and 599, got {status!r}')
    delay = _number(body, "delay", default=0.0)
    if kind == "slow" and delay <= 0:
        raise ValueError('a "slow" fault needs a "delay" in seconds')
    target = _optional(body, "target")
    if kind == "disable" and target is None:
        raise ValueError('a "disable" fault needs "target": the channel')
    return YouTubeFault(
        at,
        line,
        kind,
        count,
        status,
        _optional(body, "reason"),
        _optional(body, "endpoint"),
        delay,
        target,
    )


def _author(value: object, where: str) -> Author:
    if isinstance(value, str) and value:
        return Author(value)
    if not isinstance(value, dict):
        raise ValueError(f'"{where}" must be a name or an object with "name", got {value!r}')
    name = _string(value, "name", f"{where}.")
    flags = {flag: value.get(flag, False) for flag in _AUTHOR_FLAGS}
    if not all(isinstance(flag, bool) for flag in flags.values()):
        raise ValueError(f'"{where}" roles ({", ".join(_AUTHOR_FLAGS)}) must be true or false')
    return Author(name, channel_id=_optional(value, "channel_id") or "", **flags)


def _optional(body: dict[str, Any], key: str) -> str | None:
    return _string(body, key) if key in body else None


_PARSERS: Final[dict[str, Callable[[dict[str, Any], float, int], Step]]] = {
    "channel": _channel,
    "start": _start,
    "end": _end,
    "say": _say,
    "event": _event,
    "delete": _delete,
    "ban": _ban,
    "fault": _fault,
}


# Playback


async def play(scenario: YouTubeScenario, emulator: YouTubeApiEmulator, clock: Clock) -> None:
    """Run `scenario` against `emulator`, timed from now; return when every step has run.

    A step that cannot run (a chat step for a channel that is not live, an unknown ref)
    raises ScenarioError naming the scenario's line.
    """
    start, refs = clock.monotonic(), dict[str, str]()
    for step in scenario.steps:
        await _sleep_until(clock, start + step.at)
        try:
            _run(step, emulator, refs)
        except (KeyError, ValueError) as exc:
            raise ScenarioError(f"{scenario.source}:{step.line}: {exc}") from None


def _run(step: Step, emulator: YouTubeApiEmulator, refs: dict[str, str]) -> None:
    match step:
        case AddChannel():
            emulator.add_channel(step.channel_id, handle=step.handle, title=step.title)
        case StartStream():
            emulator.start_stream(step.channel, title=step.title, video_id=step.video_id)
        case EndStream():
            emulator.end_stream(_live_chat(emulator, step.channel)[0])
        case Post() | Delete() | Ban():
            _post(step, emulator, refs)
        case YouTubeFault():
            _inject(step, emulator)


def _post(step: Post | Delete | Ban, emulator: YouTubeApiEmulator, refs: dict[str, str]) -> None:
    _, chat_id = _live_chat(emulator, step.channel)
    owner = emulator.channel(step.channel).author
    match step:
        case Post():
            message_id = emulator.post(chat_id, step.snippet_type, step.details, author=step.author)
            if step.ref is not None:
                refs[step.ref] = message_id
        case Delete():
            if step.ref not in refs:
                raise KeyError(f"no earlier message has ref {step.ref!r}")
            details = {"deletedMessageId": refs[step.ref]}
            emulator.post(chat_id, "messageDeletedEvent", details, author=owner)
        case Ban():
            emulator.post(chat_id, "userBannedEvent", _ban_details(step), author=owner)


def _ban_details(step: Ban) -> dict[str, Any]:
    details: dict[str, Any] = {"bannedUserDetails": step.user.profile()}
    if step.seconds is None:
        return details | {"banType": "permanent"}
    return details | {"banType": "temporary", "banDurationSeconds": str(step.seconds)}


def _live_chat(emulator: YouTubeApiEmulator, channel: str) -> tuple[str, str]:
    stream = emulator.live_stream(channel)
    if stream is None:
        raise ValueError(f"channel {channel!r} is not live")
    return stream.video_id, stream.live_chat_id


def _inject(step: YouTubeFault, emulator: YouTubeApiEmulator) -> None:
    endpoint = step.endpoint
    if step.kind == "error":
        assert step.status is not None
        emulator.fail_next(step.count, status=step.status, reason=step.reason, endpoint=endpoint)
    elif step.kind == "slow":
        emulator.slow_next(step.count, delay=step.delay, endpoint=endpoint)
    elif step.kind == "revoke":
        emulator.revoke(step.target)
    elif step.kind == "revoke_access":
        emulator.revoke_access_tokens(step.target)
    elif step.kind == "quota":
        emulator.exhaust_quota(step.target)
    else:
        emulator.disable_chat(_live_chat(emulator, step.target or "")[1])
