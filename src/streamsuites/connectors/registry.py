"""The platform connectors this version ships, by platform name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from streamsuites.connectors.twitch import TwitchConnector
from streamsuites.connectors.youtube import YouTubeConnector

if TYPE_CHECKING:
    from streamsuites.connectors.base import ConnectorFactory

__all__ = ["default_connectors"]


def default_connectors() -> dict[str, ConnectorFactory]:
    """Return the factories of the shipped connectors.

    A configured platform without one reports ``disabled`` with the reason "no <platform>
    connector in this version". Each platform's package adds itself here as it lands.
    """
    return {"twitch": TwitchConnector, "youtube": YouTubeConnector}
