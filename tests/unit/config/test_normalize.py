"""Normalization: every enablement shape, platform state, tiers → limits, secrets by name."""

from __future__ import annotations

from typing import Any

import pytest

from streamsuites.config import Limits, PlatformState, load_config


def load(config_dir, files: dict[str, Any], environ: dict[str, str] | None = None):
    return load_config(config_dir(files), environ=environ or {})


def alice_platforms(config_dir, platforms: Any):
    creators = {"creators": [{"creator_id": "alice", "platforms": platforms}]}
    return load(config_dir, {"creators.json": creators}).config.creators[0].platforms


@pytest.mark.parametrize(
    ("platforms", "expected"),
    [
        ({"twitch": True, "kick": False}, {"twitch": True, "kick": False}),
        ({"twitch": {"enabled": False}, "kick": {}}, {"twitch": False, "kick": True}),
        (["twitch", "kick"], {"twitch": True, "kick": True}),
        ([{"name": "twitch", "enabled": False}, "youtube"], {"twitch": False, "youtube": True}),
    ],
    ids=["object-of-bools", "object-of-objects", "list-of-names", "list-of-objects"],
)
def test_creator_platform_shapes(config_dir, platforms, expected):
    result = alice_platforms(config_dir, platforms)
    assert {name: p.enabled for name, p in result.items()} == expected


def test_creator_platform_channel_secrets_and_options(config_dir):
    [platform] = alice_platforms(
        config_dir,
        [{"name": "twitch", "channel": "alice", "token_env": "TOK_A", "nick": "bot"}],
    ).values()
    assert platform.channel == "alice"
    assert platform.secret_env == {"token": "TOK_A"}
    assert platform.options == {"nick": "bot"}
    assert platform.telemetry_enabled is True


def test_rumble_fields_become_rumble_options(config_dir):
    creator = {
        "creator_id": "alice",
        "platforms": ["rumble"],
        "rumble_channel_url": "https://rumble.com/c/x",
        "rumble_livestream_api_env_key": "RUMBLE_KEY_ALICE",
    }
    result = load(config_dir, {"creators.json": {"creators": [creator]}})
    rumble = result.config.creators[0].platforms["rumble"]
    assert rumble.enabled
    assert rumble.options == {"rumble_channel_url": "https://rumble.com/c/x"}
    assert rumble.secret_env == {"livestream_api": "RUMBLE_KEY_ALICE"}


def test_creator_defaults(config_dir):
    [creator] = load(config_dir, {}).config.creators
    assert (creator.display_name, creator.enabled, creator.tier) == ("alice", True, "open")
    assert creator.discord_user_id is None
    assert creator.is_admin is False


def test_tier_features_compile_to_limits_and_creator_limits_win(config_dir):
    tiers = {
        "tiers": {
            "open": {
                "features": {
                    "triggers": {"max_triggers": 25, "min_cooldown_seconds": 1},
                    "clips": {
                        "max_duration_seconds": 60,
                        "min_cooldown_seconds": 60,
                        "max_concurrent_jobs": 2,
                        "pre_roll_seconds": 15,
                    },
                    "polls": {"max_active_polls": 3, "max_options": 6},
                }
            }
        }
    }
    creator = {
        "creator_id": "a",
        "limits": {"max_concurrent_clip_jobs": 4, "youtube_daily_units_max": 9000},
    }
    result = load(config_dir, {"tiers.json": tiers, "creators.json": {"creators": [creator]}})
    assert result.config.creators[0].limits == Limits(
        max_triggers=25,
        trigger_min_cooldown_seconds=1.0,
        clip_max_duration_seconds=60.0,
        clip_min_cooldown_seconds=60.0,
        max_concurrent_clip_jobs=4,
        clip_pre_roll_seconds=15.0,
        max_active_polls=3,
        max_poll_options=6,
        extra={"youtube_daily_units_max": 9000},
    )


def test_tier_without_features_gives_default_limits(config_dir):
    result = load(config_dir, {"tiers.json": {"tiers": {"open": {}}}})
    assert result.config.creators[0].limits == Limits()
    assert result.config.tiers["open"].label == "open"


def states(config_dir, files: dict[str, Any]) -> dict[str, tuple[PlatformState, bool]]:
    platforms = load(config_dir, files).config.platforms
    return {name: (p.state, p.enabled) for name, p in platforms.items()}


A, P, D = PlatformState.ACTIVE, PlatformState.PAUSED, PlatformState.DISABLED


def test_unlisted_platforms_are_active(config_dir):
    assert set(states(config_dir, {}).values()) == {(A, True)}


def test_platforms_json_list_and_state(config_dir):
    platforms = {
        "platforms": [
            {"name": "twitch", "enabled": False},
            {"name": "rumble", "enabled": True},
            {"name": "kick", "state": "PAUSED"},
            {"name": "youtube", "state": False},
            "pilled",
        ]
    }
    result = states(config_dir, {"platforms.json": platforms})
    assert result["twitch"] == (D, False)
    assert result["rumble"] == (A, True), "rumble is not forced to paused"
    assert result["kick"] == (P, True)
    assert result["youtube"] == (D, True)
    assert result["pilled"] == (A, True)


def test_paused_reason_default_and_given(config_dir):
    platforms = {
        "platforms": {
            "kick": {"state": "paused"},
            "rumble": {"state": "paused", "paused_reason": "later"},
        }
    }
    config = load(config_dir, {"platforms.json": platforms}).config
    assert config.platforms["kick"].paused_reason == "Platform ingestion paused"
    assert config.platforms["rumble"].paused_reason == "later"
    assert config.platforms["twitch"].paused_reason is None


def test_telemetry_defaults_to_enabled(config_dir):
    config = load(
        config_dir,
        {"platforms.json": {"platforms": {"kick": False, "twitch": {"telemetry_enabled": False}}}},
    ).config
    assert config.platforms["kick"].telemetry_enabled is False
    assert config.platforms["twitch"].telemetry_enabled is False
    assert config.platforms["youtube"].telemetry_enabled is True


def test_services_json_is_the_legacy_fallback(config_dir):
    result = states(config_dir, {"services.json": {"twitch": {"enabled": False}, "twitter": True}})
    assert result["twitch"] == (D, False)
    assert result["twitter"] == (A, True)


def test_platforms_json_wins_over_services_json_with_a_warning(config_dir):
    result = load(
        config_dir,
        {"platforms.json": {"platforms": ["twitch"]}, "services.json": {"twitch": False}},
    )
    assert result.config.platforms["twitch"].state is A
    assert [str(w) for w in result.warnings] == [
        "services.json: ignored because platforms.json exists"
    ]


@pytest.mark.parametrize(
    "overrides",
    [
        {"platforms": {"kick": False}},
        {"platforms": [{"platform": "kick", "enabled": False}]},
        {"kick": {"enabled": False}},
        [{"platform_id": "kick", "enabled": False}],
        [{"name": "kick", "enabled": False}],
    ],
    ids=["wrapped-object", "wrapped-list", "bare-object", "list-platform-id", "list-name"],
)
def test_override_shapes(config_dir, overrides):
    assert states(config_dir, {"platform_overrides.json": overrides})["kick"] == (D, False)


def test_override_enabling_replaces_a_base_state(config_dir):
    files = {
        "platforms.json": {"platforms": [{"name": "rumble", "state": "paused"}]},
        "platform_overrides.json": {"platforms": [{"platform": "rumble", "enabled": True}]},
    }
    assert states(config_dir, files)["rumble"] == (A, True)


def test_override_state_wins(config_dir):
    files = {"platform_overrides.json": {"twitch": {"enabled": True, "state": "paused"}}}
    assert states(config_dir, files)["twitch"] == (P, True)


def test_system_settings(config_dir):
    system = {
        "system": {
            "platform_polling_enabled": False,
            "platforms": {"twitch": {"enabled": False}, "kick": True},
            "jobs": {"clips": {"enabled": True}, "polls": False},
            "hot_reload": {"enabled": False},
        },
        "chat": {"api": {"port": 8210}},
        "runtime": {
            "snapshot_interval_seconds": 5,
            "publish_root": "/srv/pub",
            "event_log": {"retention_days": 7, "max_bytes": 1000},
        },
    }
    settings = load(config_dir, {"system.json": system}).config.system
    assert settings.platform_polling_enabled is False
    assert settings.platforms == {"twitch": False, "kick": True}
    assert settings.jobs == {"clips": True, "polls": False}
    assert settings.snapshot_interval_seconds == 5.0
    assert (settings.quotas_interval_seconds, settings.stale_after_seconds) == (15.0, 90.0)
    assert settings.publish_root == "/srv/pub"
    assert (settings.retention.days, settings.retention.max_bytes) == (7.0, 1000)
    assert settings.extra == {"chat": {"api": {"port": 8210}}, "hot_reload": {"enabled": False}}


def test_missing_optional_files_give_defaults(config_dir):
    config = load(config_dir, {}).config
    assert config.system.snapshot_interval_seconds == 10.0
    assert config.triggers == ()
    assert config.chat_behaviour == {}


def test_triggers_creator_is_normalized_to_creator_id(config_dir):
    triggers = {
        "$schema": "x",
        "triggers": [{"trigger_id": "t", "type": "command", "creator": "alice"}],
    }
    [trigger] = load(config_dir, {"triggers.json": triggers}).config.triggers
    assert trigger == {"trigger_id": "t", "type": "command", "creator_id": "alice"}


def test_unknown_keys_are_warnings_naming_them(config_dir):
    files = {
        "creators.json": {"creators": [{"creator_id": "alice", "teir": "gold"}], "extra": 1},
        "system.json": {"runtime": {"snapshot_intervall": 3}},
        "triggers.json": {
            "triggers": [{
                "trigger_id": "t", "type": "command", "command": "!x", "creator_id": "alice",
                "response": "hi", "alias": ["!y"],
            }]
        },
    }
    assert [str(w) for w in load(config_dir, files).warnings] == [
        "system.json: $.runtime.snapshot_intervall: unknown key 'snapshot_intervall' is ignored; "
        "did you mean 'snapshot_interval_seconds'?",
        "creators.json: $.extra: unknown key 'extra' is ignored",
        "creators.json: $.creators[0].teir: unknown key 'teir' is ignored; did you mean 'tier'?",
        "triggers.json: $.triggers[0].alias: unknown key 'alias' is ignored; "
        "did you mean 'aliases'?",
    ]


def test_schema_key_is_allowed_everywhere(config_dir):
    bodies: dict[str, dict[str, Any]] = {
        "tiers.json": {"tiers": {"open": {}}},
        "creators.json": {"creators": []},
        "system.json": {},
        "platforms.json": {"platforms": []},
        "chat_behaviour.json": {},
        "triggers.json": {"triggers": []},
        "platform_overrides.json": {},
    }
    files = {name: {"$schema": "x", **body} for name, body in bodies.items()}
    assert load(config_dir, files).warnings == []


def test_unset_secret_is_a_warning_only_for_enabled_use(config_dir):
    creators = {
        "creators": [
            {
                "creator_id": "on",
                "platforms": {
                    "twitch": {"token_env": "TOK_ON"},
                    "kick": {"enabled": False, "k_env": "K"},
                },
            },
            {
                "creator_id": "off",
                "enabled": False,
                "platforms": {"twitch": {"token_env": "TOK_OFF"}},
            },
        ]
    }
    result = load(config_dir, {"creators.json": creators})
    assert [w.path for w in result.warnings] == ["$.creators[0].platforms.twitch.token_env"]
    assert load(config_dir, {"creators.json": creators}, {"TOK_ON": "x"}).warnings == []


def test_secrets_come_from_environment_over_dotenv(config_dir):
    directory = config_dir({".env": "export TOK=from-file\nOTHER='only file'\n"})
    config = load_config(directory, environ={"TOK": "from-env"}).config
    assert config.secret("TOK") == "from-env"
    assert config.secret("OTHER") == "only file"
    assert config.secret("UNSET") is None
