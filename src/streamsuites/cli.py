"""The ``streamsuites`` command.

Exit codes: 0 success, 2 bad input or config, 1 internal error (with the traceback logged).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from streamsuites import __version__
from streamsuites.automation.simulate import simulate
from streamsuites.clips.ffmpeg import FFmpegNotFound, locate_ffmpeg
from streamsuites.config import format_issues, format_summary, load_config
from streamsuites.connectors.registry import default_connectors
from streamsuites.connectors.replay import replay_connectors
from streamsuites.demo import DemoFiles, NotDemoFolder, fresh_folders, run_demo
from streamsuites.emulators import (
    HlsEmulator,
    ScenarioError,
    TwitchIrcEmulator,
    YouTubeApiEmulator,
    serve_twitch,
    serve_youtube,
)
from streamsuites.errors import ConfigError
from streamsuites.eventlog import EventFilter
from streamsuites.eventlog.files import EventFileError, export_events, read_events_file
from streamsuites.eventlog.sqlite import SqliteEventLog
from streamsuites.inspect import InspectError, inspect_twitch, inspect_youtube
from streamsuites.jobs.cli import add_jobs_command
from streamsuites.logs import configure_logging
from streamsuites.runtime import Runtime, RuntimeOptions
from streamsuites.status import format_status
from streamsuites.web import WebOptions

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Sequence

    from streamsuites.connectors.base import ConnectorFactory

__all__ = ["main", "run_until_signalled"]

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT = 0, 1, 2

_log = logging.getLogger("streamsuites.cli")


class _BadInput(Exception):
    """Input the user can fix; printed as one line, exit code 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = _parser().parse_args(argv)
    configure_logging(args.log_format, args.log_level)
    try:
        code: int = args.handler(args)
    except ConfigError as exc:
        print(format_issues(exc.issues), file=sys.stderr)
        return EXIT_BAD_INPUT
    except (_BadInput, EventFileError, ScenarioError, InspectError) as exc:
        # Each message names the file (and line) at fault; no traceback for bad input.
        print(f"streamsuites: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception:
        _log.exception("internal error")
        return EXIT_INTERNAL
    return code


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="streamsuites", description="Automate live streams across platforms."
    )
    parser.add_argument("--version", action="version", version=f"streamsuites {__version__}")
    parser.add_argument("--log-format", choices=("text", "json"), default="text")
    parser.add_argument(
        "--log-level", choices=("debug", "info", "warning", "error"), default="info"
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = commands.add_parser("run", help="run the runtime for every enabled creator")
    run.add_argument("config_dir", type=Path, metavar="CONFIG_DIR")
    run.add_argument("--state-dir", type=Path, default=Path("state"), help="default: ./state")
    run.add_argument("--data-dir", type=Path, default=Path("data"), help="default: ./data")
    run.add_argument(
        "--replay",
        type=Path,
        metavar="FILE",
        help="play this event file as live chat instead of connecting to the platforms in it",
    )
    run.add_argument(
        "--replay-speed",
        type=_positive,
        default=1.0,
        metavar="X",
        help="play the recording X times faster (default: 1, real time)",
    )
    _add_web_options(run)
    run.set_defaults(handler=_run)

    check = commands.add_parser("check", help="validate a config directory and summarise it")
    check.add_argument("config_dir", type=Path, metavar="CONFIG_DIR")
    check.set_defaults(handler=_check)

    _add_log_commands(commands)
    add_jobs_command(commands)

    simulate = commands.add_parser(
        "simulate", help="replay an event file through the triggers and print what would happen"
    )
    simulate.add_argument("--config", type=Path, required=True, metavar="CONFIG_DIR")
    simulate.add_argument("--events", type=Path, required=True, metavar="FILE")
    simulate.set_defaults(handler=_simulate)

    inspect = commands.add_parser(
        "inspect",
        help="print the events that raw platform input on stdin makes, as JSON lines "
        "(twitch: IRC lines; youtube: liveChatMessages.list response bodies)",
    )
    inspect.add_argument("platform", choices=("twitch", "youtube"))
    inspect.add_argument("--creator", default="inspect", help="creator id to put on the events")
    inspect.add_argument(
        "--channel", help="youtube: channel id to put on the events (default: the liveChatId)"
    )
    inspect.set_defaults(handler=_inspect)

    _add_emulate_command(commands)

    demo = commands.add_parser(
        "demo", help="run the runtime against local Twitch and YouTube emulators"
    )
    demo.add_argument("--config", type=Path, default=Path("examples/demo"), metavar="CONFIG_DIR")
    demo.add_argument(
        "--scenario", type=Path, default=Path("examples/scenarios/demo-aliceplays.jsonl")
    )
    demo.add_argument(
        "--youtube-scenario", type=Path, default=Path("examples/scenarios/youtube-demo.jsonl")
    )
    demo.add_argument("--state-dir", type=Path, default=Path("build/demo/state"))
    demo.add_argument("--data-dir", type=Path, default=Path("build/demo/data"))
    demo.add_argument(
        "--keep",
        action="store_true",
        help="go on from the last run's state and data instead of starting empty",
    )
    _add_web_options(demo)
    demo.set_defaults(handler=_demo)

    status = commands.add_parser("status", help="print the last snapshot as a table")
    status.add_argument("--state-dir", type=Path, default=Path("state"), help="default: ./state")
    status.set_defaults(handler=_status)
    return parser


def _add_log_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    log = commands.add_parser("log", help="read the event log")
    actions = log.add_subparsers(dest="log_command", required=True, metavar="ACTION")
    export = actions.add_parser("export", help="write events as canonical JSON lines")
    export.add_argument("--data-dir", type=Path, default=Path("data"), help="default: ./data")
    export.add_argument("--creator", help="only this creator's events")
    export.add_argument("--platform", help="only this platform's events")
    export.add_argument("--kind", action="append", default=[], help="only this kind (repeatable)")
    export.add_argument("--since", type=_timestamp, help="ISO time, inclusive (UTC if no offset)")
    export.add_argument("--until", type=_timestamp, help="ISO time, exclusive (UTC if no offset)")
    export.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    export.set_defaults(handler=_log_export)


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"not a positive number: {text!r}")
    return value


def _timestamp(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not an ISO 8601 time: {text!r} (example: 2026-11-24T20:00:00Z)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _log_export(args: argparse.Namespace) -> int:
    database = _existing(
        args.data_dir / "streamsuites.db", "no event log", "pass the --data-dir the runtime uses"
    )
    where = EventFilter(creator_id=args.creator, platform=args.platform, kinds=tuple(args.kind))
    count = asyncio.run(_export(database, args, where))
    print(f"exported {count} events", file=sys.stderr)
    return EXIT_OK


async def _export(database: Path, args: argparse.Namespace, where: EventFilter) -> int:
    log = SqliteEventLog(database)
    await log.start()
    target = args.output.open("wb") if args.output else contextlib.nullcontext(sys.stdout.buffer)
    try:
        with target as out:
            return await export_events(log, out, where=where, since=args.since, until=args.until)
    finally:
        await log.close()


def _simulate(args: argparse.Namespace) -> int:
    config = load_config(args.config).config
    events = _existing(args.events, "no event file")
    for line in simulate(config, read_events_file(events)):
        print(line)
    return EXIT_OK


def _add_emulate_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    emulate = commands.add_parser("emulate", help="run a local platform emulator")
    emulate.add_argument("platform", choices=("twitch", "youtube", "hls"))
    emulate.add_argument("--scenario", type=Path, help="JSON-lines scenario to play")
    emulate.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    emulate.add_argument(
        "--port", type=int, help="twitch: plain TCP port (default 6667); youtube: HTTP (8090)"
    )
    emulate.add_argument("--tls-port", type=int, help="also listen with TLS (0: any free port)")
    emulate.add_argument("--ws-port", type=int, help="also serve IRC over WebSocket")
    emulate.add_argument(
        "--token", action="append", default=[], metavar="TOKEN=LOGIN", help="accept this token"
    )
    emulate.add_argument(
        "--moderator",
        action="append",
        default=[],
        metavar="CHANNEL=LOGIN",
        help="make LOGIN a moderator of CHANNEL",
    )
    youtube = emulate.add_argument_group("youtube")
    youtube.add_argument(
        "--key", action="append", default=[], help="accept this API key (default: test-key)"
    )
    youtube.add_argument(
        "--client", action="append", default=[], metavar="ID=SECRET", help="an OAuth client"
    )
    youtube.add_argument(
        "--refresh-token",
        action="append",
        default=[],
        metavar="TOKEN=CLIENT_ID",
        help="accept this refresh token for the client",
    )
    youtube.add_argument("--daily-quota", type=int, default=10_000, help="units per project/day")
    youtube.add_argument("--loop", action="store_true", help="replay the scenario when it ends")
    hls = emulate.add_argument_group("hls (a live test stream made by ffmpeg, for clips)")
    hls.add_argument("--size", default="640x360", help="picture size (default 640x360)")
    hls.add_argument("--rate", type=int, default=30, help="frames per second (default 30)")
    hls.add_argument("--ffmpeg", help="the ffmpeg binary (default: found on PATH)")
    emulate.set_defaults(handler=_emulate)


def _pairs(values: list[str], what: str) -> list[tuple[str, str]]:
    pairs = [value.partition("=")[::2] for value in values]
    for (key, value), raw in zip(pairs, values, strict=True):
        if not key or not value:
            raise _BadInput(f"{what} must look like A=B, got {raw!r}")
    return pairs


def _emulate(args: argparse.Namespace) -> int:
    if args.platform == "youtube":
        return _emulate_youtube(args)
    if args.platform == "hls":
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve_hls(args))
        return EXIT_OK
    tokens = dict(_pairs(args.token, "--token"))
    moderators: dict[str, list[str]] = {}
    for channel, login in _pairs(args.moderator, "--moderator"):
        moderators.setdefault(channel, []).append(login)

    def ready(emulator: TwitchIrcEmulator) -> None:
        print(
            f"twitch emulator: tcp {emulator.tcp_port} tls {emulator.tls_port}"
            f" ws {emulator.ws_port} cert {emulator.cert_path}",
            flush=True,
        )

    serve = serve_twitch(
        args.scenario,
        host=args.host,
        port=args.port or 6667,
        tls_port=args.tls_port,
        ws_port=args.ws_port,
        tokens=tokens,
        moderators=moderators,
        on_ready=ready,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve)
    return EXIT_OK


async def _serve_hls(args: argparse.Namespace) -> None:
    try:
        ffmpeg = locate_ffmpeg(args.ffmpeg)
    except FFmpegNotFound as exc:
        raise _BadInput(f"{exc.reason}: {exc.detail}") from exc
    stream = HlsEmulator(ffmpeg, size=args.size, rate=args.rate)
    await stream.start()
    try:
        print(f"hls emulator: {stream.url}", flush=True)
        await asyncio.Event().wait()  # until Ctrl-C cancels the run
    finally:
        await stream.close()


def _emulate_youtube(args: argparse.Namespace) -> int:
    def ready(emulator: YouTubeApiEmulator) -> None:
        print(f"youtube emulator: {emulator.url} token endpoint {emulator.token_url}", flush=True)

    serve = serve_youtube(
        args.scenario,
        host=args.host,
        port=args.port or 8090,
        api_keys=tuple(args.key) or ("test-key",),
        oauth_clients=dict(_pairs(args.client, "--client")) or None,
        refresh_tokens=dict(_pairs(args.refresh_token, "--refresh-token")) or None,
        daily_quota=args.daily_quota,
        loop=args.loop,
        on_ready=ready,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve)
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    config = load_config(args.config).config
    hint = "run the demo from the project's top folder"
    files = DemoFiles(
        scenario=_existing(args.scenario, "no scenario file", hint),
        youtube_scenario=_existing(args.youtube_scenario, "no scenario file", hint),
    )
    if not args.keep:
        try:
            fresh_folders(args.state_dir, args.data_dir)
        except NotDemoFolder as exc:
            raise _BadInput(
                f"{exc.args[0]} holds files an earlier demo did not make, so the demo will not "
                "empty it: remove it, pass another --state-dir/--data-dir, or --keep to run "
                "on it as it is"
            ) from exc
    options = RuntimeOptions(
        state_dir=args.state_dir, data_dir=args.data_dir, web=_web_options(args)
    )
    asyncio.run(run_until_signalled(lambda stop: run_demo(config, options, files, stop)))
    return EXIT_OK


def _inspect(args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    if args.platform == "youtube":
        text = sys.stdin.read()
        lines = inspect_youtube(text, creator_id=args.creator, now=now, channel=args.channel)
    else:
        lines = inspect_twitch(sys.stdin, creator_id=args.creator, now=now)
    for line in lines:
        print(line, flush=True)
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    print(format_summary(load_config(args.config_dir)))
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    path = args.state_dir / "runtime_snapshot.json"
    snapshot = _read_snapshot(path)
    print(format_status(snapshot, now=time.time()))
    return EXIT_OK


def _read_snapshot(path: Path) -> dict[str, Any]:
    try:
        snapshot = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _BadInput(
            f"no snapshot at {path}: start the runtime with `streamsuites run CONFIG_DIR"
            f" --state-dir {path.parent}`, or pass the --state-dir it uses"
        ) from None
    except (OSError, ValueError) as exc:
        raise _BadInput(f"cannot read {path}: {exc}") from None
    if not isinstance(snapshot, dict):
        raise _BadInput(f"{path} is not a runtime snapshot (expected a JSON object)")
    return snapshot


def _run(args: argparse.Namespace) -> int:
    result = load_config(args.config_dir)
    for warning in result.warnings:
        _log.warning("%s", warning)
    options = RuntimeOptions(
        state_dir=args.state_dir, data_dir=args.data_dir, web=_web_options(args)
    )
    connectors = default_connectors()
    if args.replay is not None:
        connectors.update(_replay(args.replay, args.replay_speed))
    runtime = Runtime(result.config, options, connectors=connectors)
    asyncio.run(run_until_signalled(runtime.run))
    return EXIT_OK


def _add_web_options(parser: argparse.ArgumentParser) -> None:
    web = parser.add_argument_group("web server (overlay, chat, dashboard, API)")
    web.add_argument("--web-host", default="127.0.0.1", help="default: 127.0.0.1 (this machine)")
    web.add_argument("--web-port", type=int, default=8210, help="default: 8210 (0: any free port)")
    web.add_argument("--no-web", action="store_true", help="run without the web server")


def _web_options(args: argparse.Namespace) -> WebOptions | None:
    if args.no_web:
        return None
    if not 0 <= args.web_port < 65536:
        raise _BadInput(f"--web-port must be a port number (0-65535), got {args.web_port}")
    return WebOptions(host=args.web_host, port=args.web_port)


def _replay(path: Path, speed: float) -> dict[str, ConnectorFactory]:
    return replay_connectors(_existing(path, "no event file"), speed=speed)


def _existing(path: Path, missing: str, hint: str = "") -> Path:
    """Return `path` if it is a file, else stop with `missing` (and `hint`) as bad input."""
    if not path.is_file():
        raise _BadInput(f"{missing} at {path}" + (f": {hint}" if hint else ""))
    return path


async def run_until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `main(stop)`; SIGINT or SIGTERM sets `stop`, a second one exits at once."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    received: list[int] = []

    def on_signal(signum: int) -> None:
        received.append(signum)
        if len(received) > 1:
            _log.error("second signal: exiting without a clean shutdown")
            os._exit(EXIT_INTERNAL)
        name = signal.Signals(signum).name
        _log.info("%s received: shutting down (send it again to force)", name)
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, on_signal, signum)
    await main(stop)
