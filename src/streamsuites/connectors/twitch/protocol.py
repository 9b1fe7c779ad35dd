r"""Twitch IRC wire format: parse and format IRC lines with IRCv3 tags. Pure functions of ``str``.

A line is ``[@tags SP][:source SP]COMMAND [params][ :trailing]``. :func:`parse_line` accepts any
text and never raises: a line it cannot make sense of gives a message whose ``command`` is empty.
Tag values are unescaped by the IRCv3 rules (``\:`` → ``;``, ``\s`` → space, ``\\`` → ``\``,
``\r``, ``\n``, any other ``\x`` → ``x``, a trailing lone ``\`` dropped); a tag without a
value reads as ``""`` and a repeated tag keeps its last value. Parameters are separated by one or
more spaces (never tabs), as the ircdocs parser tests expect.

This is the hot path of chat intake, so it is written with ``str.partition``/``split`` instead
of a regular expression per line (see ``benchmarks/twitch_ingest.py``).
"""

from __future__ import annotations

import re
from typing import Final

import msgspec

__all__ = [
    "IrcMessage",
    "escape_tag_value",
    "format_message",
    "format_privmsg",
    "parse_line",
    "unescape_tag_value",
]

_UNESCAPES: Final = {":": ";", "s": " ", "\\": "\\", "r": "\r", "n": "\n"}
_ESCAPED: Final = re.compile(r"\\(.?)", re.DOTALL)
_ESCAPES: Final = str.maketrans({";": "\\:", " ": "\\s", "\\": "\\\\", "\r": "\\r", "\n": "\\n"})
_FORBIDDEN: Final = ("\r", "\n", "\0")
_decode_tags: Final = msgspec.json.Decoder(dict[str, str]).decode


class IrcMessage(msgspec.Struct, frozen=True, kw_only=True):
    """One IRC line, split into its parts.

    A msgspec struct rather than a dataclass because a frozen dataclass is several times slower
    to build, and one is built for every line read.
    """

    tags: dict[str, str] = {}
    """IRCv3 tags, values unescaped; a tag without a value is ``""``."""
    source: str | None = None
    """The prefix without its colon: ``nick!user@host`` or a server name; None when absent."""
    command: str = ""
    """Uppercased verb or three-digit numeric; ``""`` for a line without one."""
    params: list[str] = []
    """Middle parameters, then the trailing one (its colon removed) last."""
    line: str = ""
    """The line as received (without CR LF), kept for ``Event.raw``."""

    @property
    def nick(self) -> str:
        """The nick of ``nick!user@host`` (the whole source for a server); ``""`` without one."""
        return (self.source or "").partition("!")[0].partition("@")[0]

    @property
    def trailing(self) -> str:
        """The last parameter, or ``""`` when there is none."""
        return self.params[-1] if self.params else ""


def unescape_tag_value(value: str) -> str:
    """Return an IRCv3 tag value with its escapes resolved."""
    if "\\" not in value:
        return value
    return _ESCAPED.sub(_unescape_one, value)


def _unescape_one(match: re.Match[str]) -> str:
    char = match.group(1)
    return _UNESCAPES.get(char, char)


def escape_tag_value(value: str) -> str:
    """Return `value` escaped for an IRCv3 tag."""
    return value.translate(_ESCAPES)


def _parse_tags(raw: str) -> dict[str, str]:
    # Building the dict is most of the cost of a Twitch line (a dozen tags on each). Written as
    # JSON, the tags are decoded by msgspec in C, ~40% faster than a loop of `partition`. The
    # rewrite is exact only when every tag has exactly one `=`; otherwise the JSON is malformed
    # and the plain loop runs instead.
    try:
        tags = _decode_tags('{"' + _as_json(raw).replace(";", '","').replace("=", '":"') + '"}')
    except (msgspec.DecodeError, ValueError):
        tags = {key: value for key, _, value in map(_split_tag, raw.split(";")) if key}
    if "\\" in raw:
        for key, value in tags.items():
            if "\\" in value:
                tags[key] = unescape_tag_value(value)
    return tags


def _as_json(raw: str) -> str:
    if "\\" in raw or '"' in raw:
        return raw.replace("\\", "\\\\").replace('"', '\\"')
    return raw


def _split_tag(item: str) -> tuple[str, str, str]:
    return item.partition("=")


def parse_line(line: str) -> IrcMessage:
    """Split one IRC line (with or without its CR LF) into an :class:`IrcMessage`; never raises."""
    rest = line = line.rstrip("\r\n")
    tags: dict[str, str] = {}
    source = None
    if rest[:1] == "@":
        raw_tags, _, rest = rest.partition(" ")
        tags = _parse_tags(raw_tags[1:])
        rest = rest.lstrip(" ")
    if rest[:1] == ":":
        source, _, rest = rest.partition(" ")
        source = source[1:]
        rest = rest.lstrip(" ")
    head, colon, trailing = rest.partition(" :")
    params = head.split(" ")
    if "" in params:
        params = [param for param in params if param]
    command = params.pop(0).upper() if params else ""
    if colon:
        params.append(trailing)
    return IrcMessage(tags=tags, source=source, command=command, params=params, line=line)


def format_message(msg: IrcMessage) -> str:
    """Return the wire line (without CR LF) for `msg`.

    Tag values are escaped and a valueless tag is written bare. The last parameter gets a colon
    when it is empty, holds a space or starts with one. Raises ValueError for a message no line
    can carry: no command, a NUL anywhere, CR or LF outside tag values, or a middle parameter
    that is empty, holds a space or starts with a colon.
    """
    parts = []
    if msg.tags:
        parts.append("@" + ";".join(_format_tag(key, value) for key, value in msg.tags.items()))
    if msg.source is not None:
        parts.append(":" + msg.source)
    if not msg.command:
        raise ValueError("an IRC message needs a command")
    parts.append(msg.command)
    parts.extend(_format_params(msg.params))
    line = " ".join(parts)
    if any(char in line for char in _FORBIDDEN):
        raise ValueError("an IRC line cannot hold NUL, nor CR or LF outside tag values")
    return line


def _format_tag(key: str, value: str) -> str:
    return f"{key}={escape_tag_value(value)}" if value else key


def _format_params(params: list[str]) -> list[str]:
    if not params:
        return []
    *middle, last = params
    for param in middle:
        if not param or " " in param or param.startswith(":"):
            raise ValueError(f"middle IRC parameter {param!r} must be a single word")
    if not last or " " in last or last.startswith(":"):
        last = ":" + last
    return [*middle, last]


def format_privmsg(channel: str, text: str, *, reply_to: str | None = None) -> str:
    """Return the PRIVMSG line that says `text` in `channel` (a login, with or without ``#``).

    Line breaks in `text` become spaces, since IRC cannot carry them. `reply_to` is the id of
    the message answered (Twitch's ``reply-parent-msg-id`` tag).
    """
    tags = {"reply-parent-msg-id": reply_to} if reply_to else {}
    text = text.replace("\r\n", " ").replace("\r", " ").replace("\n", " ").replace("\0", "")
    target = channel if channel.startswith("#") else "#" + channel
    msg = IrcMessage(tags=tags, command="PRIVMSG", params=[target, text])
    return format_message(msg)
