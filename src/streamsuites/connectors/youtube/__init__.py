"""YouTube live chat over the YouTube Data API v3 (see docs/platforms/youtube.md)."""
