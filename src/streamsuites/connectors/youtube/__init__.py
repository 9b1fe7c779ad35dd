"""YouTube live chat over the YouTube Data API v3 (see docs/platforms/youtube.md)."""

from streamsuites.connectors.youtube.connector import YouTubeConnector

__all__ = ["YouTubeConnector"]
