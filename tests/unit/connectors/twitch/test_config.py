from __future__ import annotations

import random

import pytest

from streamsuites.config.model import Creator, CreatorPlatform, Limits
from streamsuites.connectors.base import ConnectorSpec
from streamsuites.connectors.twitch import TwitchConfig


def spec(
    channel: str | None = "Alice", *, token: str | None = None, **options: object
) -> ConnectorSpec:
    creator = Creator(
        creator_id="alice", display_name="Alice", enabled=True, tier="open", limits=Limits(),
        platforms={},
    )
    settings = CreatorPlatform(platform="twitch", enabled=True, channel=channel, options=options)
    return ConnectorSpec(
        creator=creator, settings=settings, secrets={"token": token} if token else {}
    )


def test_defaults_are_twitch_over_tls_with_an_anonymous_login() -> None:
    config = TwitchConfig.from_spec(spec(), rng=random.Random(1))
    assert config.channels == ("alice",)
    assert config.nick.startswith("justinfan") and config.nick[9:].isdigit()
    assert config.anonymous and config.token is None
    assert (config.transport, config.host, config.port) == ("tls", "irc.chat.twitch.tv", 6697)
    assert (config.idle_timeout, config.pong_timeout) == (60.0, 10.0)


def test_a_token_gets_the_oauth_prefix_and_needs_a_nick() -> None:
    config = TwitchConfig.from_spec(spec(token="abc", nick="MyBot"))
    assert config.token == "oauth:abc"
    assert config.nick == "mybot"
    assert TwitchConfig.from_spec(spec(token="oauth:abc", login="bot")).token == "oauth:abc"
    assert "abc" not in repr(config)


def test_extra_channels_are_normalized_and_deduplicated() -> None:
    config = TwitchConfig.from_spec(spec(channels=["#Bob", "alice", "carol"]))
    assert config.channels == ("alice", "bob", "carol")
    assert TwitchConfig.from_spec(spec(None, channels=["bob"])).channels == ("bob",)


@pytest.mark.parametrize(
    ("kind", "port"), [("tls", 6697), ("tcp", 6667), ("websocket", 443)]
)
def test_each_transport_has_its_default_port(kind: str, port: int) -> None:
    assert TwitchConfig.from_spec(spec(transport=kind)).port == port


def test_host_port_url_and_ca_file_aim_the_connector_elsewhere() -> None:
    config = TwitchConfig.from_spec(
        spec(transport="websocket", host="127.0.0.1", port=8443, url="ws://127.0.0.1:80/",
             ca_file="ca.pem", idle_timeout=5, pong_timeout=0.5)
    )
    assert (config.host, config.port, config.url) == ("127.0.0.1", 8443, "ws://127.0.0.1:80/")
    assert config.ca_file == "ca.pem"
    assert (config.idle_timeout, config.pong_timeout) == (5.0, 0.5)


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"token": "abc"}, "'nick'"),
        ({"token": "abc", "nick": "not a login"}, "'nick'"),
        ({"transport": "udp"}, "'transport'"),
        ({"port": 0}, "'port'"),
        ({"port": "6697"}, "'port'"),
        ({"channels": "bob"}, "'channels'"),
        ({"channels": ["bad name"]}, "bad name"),
        ({"idle_timeout": 0}, "'idle_timeout'"),
        ({"pong_timeout": "10"}, "'pong_timeout'"),
        ({"host": 1}, "'host'"),
    ],
)
def test_bad_options_are_refused_by_name(kwargs: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        TwitchConfig.from_spec(spec(**kwargs))  # type: ignore[arg-type]


def test_a_channel_is_required() -> None:
    with pytest.raises(ValueError, match="channel"):
        TwitchConfig.from_spec(spec(None))
