"""Local stand-ins for the streaming platforms, for tests and for running the runtime offline.

:class:`TwitchIrcEmulator` speaks Twitch's IRC dialect over TCP, TLS and WebSocket and plays
scenario files (:func:`load_scenario`); :class:`YouTubeApiEmulator` serves the YouTube Data
API over HTTP and plays YouTube scenario files (:func:`load_youtube_scenario`);
:class:`HlsEmulator` serves a live HLS stream made by ffmpeg (a test pattern with a clock and a
tone); :class:`TwitchHelixEmulator` answers Twitch's Helix "Create Clip". See
``docs/emulators.md``.
"""

from streamsuites.emulators._scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from streamsuites.emulators._serve import serve_twitch, serve_youtube
from streamsuites.emulators._twitch_rules import JoinPolicy, SendPolicy
from streamsuites.emulators._youtube_scenario import (
    YouTubeScenario,
    load_youtube_scenario,
    parse_youtube_scenario,
)
from streamsuites.emulators.hls import HlsEmulator
from streamsuites.emulators.twitch_helix import HelixToken, TwitchHelixEmulator
from streamsuites.emulators.twitch_irc import ClientLine, TwitchIrcEmulator
from streamsuites.emulators.youtube_api import ApiCall, Author, Stream, YouTubeApiEmulator

__all__ = [
    "ApiCall",
    "Author",
    "ClientLine",
    "HelixToken",
    "HlsEmulator",
    "JoinPolicy",
    "Scenario",
    "ScenarioError",
    "SendPolicy",
    "Stream",
    "TwitchHelixEmulator",
    "TwitchIrcEmulator",
    "YouTubeApiEmulator",
    "YouTubeScenario",
    "load_scenario",
    "load_youtube_scenario",
    "parse_scenario",
    "parse_youtube_scenario",
    "serve_twitch",
    "serve_youtube",
]
