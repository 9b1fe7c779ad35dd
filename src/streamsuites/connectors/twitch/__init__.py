"""Twitch chat over IRC: the wire format (`protocol`) and its translation into events (`translate`).

The connector and its config join this package in a later change; `__init__` will then
re-export ``TwitchConnector`` and ``TwitchConfig`` as well.
"""

from streamsuites.connectors.twitch.protocol import (
    IrcMessage,
    format_message,
    format_privmsg,
    parse_line,
)
from streamsuites.connectors.twitch.translate import translate, user_roles

__all__ = [
    "IrcMessage",
    "format_message",
    "format_privmsg",
    "parse_line",
    "translate",
    "user_roles",
]
