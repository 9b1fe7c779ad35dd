from __future__ import annotations

from pathlib import Path

import pytest

from tests.support import REPO

CORPORA = REPO.parent / "shared" / "corpora"


@pytest.fixture
def corpora() -> Path:
    """The shared corpora folder beside the checkout (../shared/corpora)."""
    if not CORPORA.is_dir():
        pytest.skip(f"shared corpora not found at {CORPORA}")
    return CORPORA
