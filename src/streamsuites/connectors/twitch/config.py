"""Twitch connector settings, validated once from a :class:`ConnectorSpec`.

Options (the ``options`` of a creator's ``twitch`` entry in creators.json):

- ``channels``: more channel logins to join besides the creator's ``channel``.
- ``nick`` (or ``login``): the login of the account the token belongs to. Required with a token;
  without one the connector logs in anonymously (read-only) as ``justinfan<digits>``.
- ``transport``: ``tls`` (default, ``irc.chat.twitch.tv:6697``), ``tcp`` (plain, port 6667; for
  tests and emulators) or ``websocket`` (``wss://irc-ws.chat.twitch.tv:443``).
- ``host``, ``port``, ``url``: where to connect, to aim the connector at an emulator.
- ``ca_file``: a PEM file of extra CA certificates to trust (a test CA, an emulator's cert).
- ``idle_timeout``, ``pong_timeout``, ``send_confirm_timeout``: seconds; see the fields.

The token comes from the secret with role ``token`` (``"token_env"`` in creators.json).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal, cast

from streamsuites.connectors.options import Options

if TYPE_CHECKING:
    from streamsuites.connectors.base import ConnectorSpec

__all__ = ["DEFAULT_HOST", "DEFAULT_URL", "TransportKind", "TwitchConfig", "channel_login"]

TransportKind = Literal["tls", "tcp", "websocket"]

DEFAULT_HOST: Final = "irc.chat.twitch.tv"
DEFAULT_URL: Final = "wss://irc-ws.chat.twitch.tv:443"
_DEFAULT_PORTS: Final[dict[str, int]] = {"tls": 6697, "tcp": 6667, "websocket": 443}
_LOGIN: Final = re.compile(r"[a-z0-9_]{1,25}")


@dataclass(frozen=True, slots=True, kw_only=True)
class TwitchConfig:
    """How to reach Twitch chat and what to do there."""

    channels: tuple[str, ...]
    """Channel logins to join (lowercase, no ``#``): the desired state, re-joined on connect."""
    nick: str
    """The login we log in as; ``justinfan<digits>`` when anonymous."""
    token: str | None = field(default=None, repr=False)
    """``oauth:<token>``, or None for an anonymous, read-only login."""
    transport: TransportKind = "tls"
    host: str = DEFAULT_HOST
    port: int = 6697
    url: str = DEFAULT_URL
    """The WebSocket URL, used by the ``websocket`` transport only."""
    ca_file: str | None = None
    idle_timeout: float = 60.0
    """Seconds without any line before we probe with a PING. Twitch PINGs only about every 5
    minutes; probing sooner keeps a quiet but healthy channel from reading ``stale`` (after
    ``stale_after_seconds``, 90 by default), and finds a dead one in ``idle + pong`` seconds."""
    pong_timeout: float = 10.0
    """Seconds to wait for any line after the probe before giving the connection up."""
    send_confirm_timeout: float = 1.0
    """Seconds a send waits for USERSTATE (accepted) or NOTICE (refused) after writing."""

    @property
    def anonymous(self) -> bool:
        """Whether we log in without a token (read-only)."""
        return self.token is None

    @classmethod
    def from_spec(cls, spec: ConnectorSpec, *, rng: random.Random | None = None) -> TwitchConfig:
        """Build the config from a creator's twitch settings; ValueError names a bad option."""
        options = Options("twitch", spec.settings.options)
        token = _token(spec.secrets.get("token"))
        kind = _transport(options)
        return cls(
            channels=_channels(spec.settings.channel, options),
            nick=_nick(options, token, rng or random.Random()),
            token=token,
            transport=kind,
            host=options.text("host", DEFAULT_HOST),
            port=options.integer("port", _DEFAULT_PORTS[kind], low=1, high=65535),
            url=options.text("url", DEFAULT_URL),
            ca_file=options.text("ca_file", "") or None,
            idle_timeout=options.seconds("idle_timeout", 60.0),
            pong_timeout=options.seconds("pong_timeout", 10.0),
            send_confirm_timeout=options.seconds("send_confirm_timeout", 1.0),
        )


def channel_login(name: str) -> str:
    """Return a channel's login as the connector keys it: lowercase, without ``#``."""
    return name.strip().removeprefix("#").lower()


def _token(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    return value if value.startswith("oauth:") else "oauth:" + value


def _channels(channel: str | None, options: Options) -> tuple[str, ...]:
    extra = options.get("channels", [])
    if not isinstance(extra, list) or not all(isinstance(c, str) for c in extra):
        raise ValueError("twitch option 'channels' must be a list of channel logins")
    names = [channel_login(c) for c in ([channel] if channel else []) + cast("list[str]", extra)]
    for name in names:
        if not _LOGIN.fullmatch(name):
            raise ValueError(f"twitch channel {name!r} is not a Twitch login (a-z, 0-9, _)")
    if not names:
        raise ValueError("twitch needs a 'channel' (or option 'channels') to join")
    return tuple(dict.fromkeys(names))


def _nick(options: Options, token: str | None, rng: random.Random) -> str:
    if token is None:
        # Twitch accepts any justinfan<digits> without a password, and only that, read-only.
        return f"justinfan{rng.randint(10_000, 99_999_999)}"
    nick = options.text("nick", "") or options.text("login", "")
    if not nick:
        raise ValueError("twitch option 'nick' (the token owner's login) is required with a token")
    nick = nick.lower()
    if not _LOGIN.fullmatch(nick):
        raise ValueError(f"twitch option 'nick' must be a Twitch login, got {nick!r}")
    return nick


def _transport(options: Options) -> TransportKind:
    kind = options.get("transport", "tls")
    if kind not in _DEFAULT_PORTS:
        raise options.error("transport", "tls, tcp or websocket", kind)
    return cast("TransportKind", kind)
