"""Local stand-ins for the streaming platforms, for tests and for running the runtime offline.

:class:`TwitchIrcEmulator` speaks Twitch's IRC dialect over TCP, TLS and WebSocket and plays
scenario files (:func:`load_scenario`); :class:`YouTubeApiEmulator` serves the YouTube Data
API over HTTP and plays YouTube scenario files (:func:`load_youtube_scenario`); see
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
from streamsuites.emulators.twitch_irc import ClientLine, TwitchIrcEmulator
from streamsuites.emulators.youtube_api import ApiCall, Author, Stream, YouTubeApiEmulator

__all__ = [
    "ApiCall",
    "Author",
    "ClientLine",
    "Scenario",
    "ScenarioError",
    "JoinPolicy",
    "SendPolicy",
    "Stream",
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
