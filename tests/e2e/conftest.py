"""Browser tests: the real runtime and web server, the Twitch emulator, Debian's chromium.

Every test here is marked ``browser`` (select with ``-m browser``, leave out with
``-m "not browser"``; the marker is registered in pyproject.toml).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e as a browser test."""
    for item in items:
        if "e2e" in item.path.parts:
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """The folder for this test's screenshots: build/test-artifacts/e2e/<test name>/."""
    from tests.e2e.harness import artifact_dir

    return artifact_dir(request.node.name)
