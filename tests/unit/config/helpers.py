from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from streamsuites.config import ConfigIssue, load_config
from streamsuites.errors import ConfigError

if TYPE_CHECKING:
    from pathlib import Path


def load_issues(directory: Path, environ: dict[str, str] | None = None) -> list[ConfigIssue]:
    """Load `directory`, which must fail, and return its issues."""
    with pytest.raises(ConfigError) as raised:
        load_config(directory, environ=environ or {})
    issues = [issue for issue in raised.value.issues if isinstance(issue, ConfigIssue)]
    assert len(issues) == len(raised.value.issues)
    return issues
