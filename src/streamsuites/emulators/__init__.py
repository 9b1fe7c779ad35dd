"""Local stand-ins for the streaming platforms, for tests and for running the runtime offline.

:class:`TwitchIrcEmulator` speaks Twitch's IRC dialect over TCP, TLS and WebSocket and plays
scenario files (:func:`load_scenario`); see ``docs/emulators.md``.
"""

from streamsuites.emulators._scenario import Scenario, ScenarioError, load_scenario, parse_scenario
from streamsuites.emulators._serve import serve_twitch
from streamsuites.emulators._twitch_rules import SendPolicy
from streamsuites.emulators.twitch_irc import ClientLine, TwitchIrcEmulator

__all__ = [
    "ClientLine",
    "Scenario",
    "ScenarioError",
    "SendPolicy",
    "TwitchIrcEmulator",
    "load_scenario",
    "parse_scenario",
    "serve_twitch",
]
