from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest

from streamsuites.config.model import (
    Config,
    Creator,
    CreatorPlatform,
    Limits,
    PlatformSettings,
    PlatformState,
    SystemSettings,
)
from streamsuites.connectors.plan import plan_connectors
from streamsuites.state.runtime_state import ConnectorStatus


def make_config(
    *,
    system: SystemSettings | None = None,
    platform: PlatformSettings | None = None,
    creator_platform: CreatorPlatform | None = None,
    creator_enabled: bool = True,
    environ: Mapping[str, str] | None = None,
) -> Config:
    cp = creator_platform or CreatorPlatform(
        platform="twitch", enabled=True, channel="alice", secret_env={"token": "ALICE_TOKEN"}
    )
    creator = Creator(
        creator_id="alice", display_name="Alice", enabled=creator_enabled, tier="open",
        limits=Limits(), platforms={cp.platform: cp},
    )
    platforms = {} if platform is None else {platform.name: platform}
    return Config(
        directory=Path("."), system=system or SystemSettings(), platforms=platforms,
        creators=(creator,), tiers={},
        environ={"ALICE_TOKEN": "t"} if environ is None else environ,
    )


def test_a_fully_configured_connector_runs_with_its_secret_resolved() -> None:
    [plan] = plan_connectors(make_config(), available={"twitch"})
    assert plan.blocked is None
    assert plan.secrets == {"token": "t"}


@pytest.mark.parametrize(
    ("config", "status", "reason"),
    [
        (
            make_config(system=SystemSettings(platform_polling_enabled=False)),
            ConnectorStatus.PAUSED,
            "platform polling is off in system.json",
        ),
        (
            make_config(system=SystemSettings(platforms={"twitch": False})),
            ConnectorStatus.DISABLED,
            "twitch is disabled in system.json",
        ),
        (
            make_config(platform=PlatformSettings(
                name="twitch", enabled=False, telemetry_enabled=False, state=PlatformState.DISABLED
            )),
            ConnectorStatus.DISABLED,
            "twitch is disabled in the platform config",
        ),
        (
            make_config(platform=PlatformSettings(
                name="twitch", enabled=True, telemetry_enabled=True, state=PlatformState.PAUSED,
                paused_reason="maintenance until 18:00",
            )),
            ConnectorStatus.PAUSED,
            "maintenance until 18:00",
        ),
        (
            make_config(creator_platform=CreatorPlatform(platform="twitch", enabled=False)),
            ConnectorStatus.DISABLED,
            "twitch is disabled for this creator",
        ),
        (
            make_config(environ={}),
            ConnectorStatus.DISABLED,
            "missing secret: environment variable ALICE_TOKEN is not set",
        ),
        (
            make_config(environ={"ALICE_TOKEN": ""}),
            ConnectorStatus.DISABLED,
            "missing secret: environment variable ALICE_TOKEN is not set",
        ),
    ],
    ids=["polling-off", "system-gate", "platform-disabled", "paused", "creator-off",
         "secret-unset", "secret-empty"],
)
def test_each_closed_gate_gives_a_status_and_reason(
    config: Config, status: ConnectorStatus, reason: str
) -> None:
    [plan] = plan_connectors(config, available={"twitch"})
    assert plan.blocked == (status, reason)
    assert plan.secrets == {}


def test_a_platform_without_a_connector_says_so() -> None:
    [plan] = plan_connectors(make_config(), available=set())
    assert plan.blocked == (
        ConnectorStatus.DISABLED, "no twitch connector in this version of StreamSuites"
    )


def test_disabled_creators_get_no_connectors() -> None:
    assert plan_connectors(make_config(creator_enabled=False), available={"twitch"}) == []
