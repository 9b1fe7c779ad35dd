"""Twitch chat over IRC.

``protocol`` is the wire format, ``translate`` turns lines into events, ``ratelimit`` keeps the
send limits, ``config`` validates the settings, ``transport`` moves lines (TCP, TLS, WebSocket)
and ``connector`` glues them into :class:`TwitchConnector`.
"""

from streamsuites.connectors.twitch.config import TwitchConfig
from streamsuites.connectors.twitch.connector import TwitchConnector
from streamsuites.connectors.twitch.protocol import (
    IrcMessage,
    format_message,
    format_privmsg,
    parse_line,
)
from streamsuites.connectors.twitch.translate import translate, user_roles

__all__ = [
    "IrcMessage",
    "TwitchConfig",
    "TwitchConnector",
    "format_message",
    "format_privmsg",
    "parse_line",
    "translate",
    "user_roles",
]
