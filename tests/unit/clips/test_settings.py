from __future__ import annotations

from pathlib import Path
from typing import Any

from streamsuites.clips.capture import CaptureSource
from streamsuites.clips.settings import (
    ClipSource,
    ClipsSettings,
    HelixSettings,
    clip_sources,
    clips_settings,
)
from streamsuites.config.model import Config, Creator, CreatorPlatform, Limits, SystemSettings

DATA = Path("/data")


def config(
    clips: dict[str, Any] | None = None,
    *,
    jobs: dict[str, bool] | None = None,
    creators: tuple[Creator, ...] = (),
) -> Config:
    extra = {} if clips is None else {"clips": clips}
    system = SystemSettings(jobs=jobs or {}, extra=extra)
    return Config(directory=Path("."), system=system, platforms={}, creators=creators, tiers={})


def creator(creator_id: str, *platforms: CreatorPlatform, enabled: bool = True) -> Creator:
    return Creator(
        creator_id=creator_id, display_name=creator_id, enabled=enabled, tier="open",
        limits=Limits(), platforms={p.platform: p for p in platforms},
    )  # fmt: skip


def platform(name: str, enabled: bool = True, **options: Any) -> CreatorPlatform:
    secrets = {key.removesuffix("_env"): options.pop(key) for key in list(options)
               if key.endswith("_env")}  # fmt: skip
    return CreatorPlatform(platform=name, enabled=enabled, secret_env=secrets, options=options)


def test_without_a_clips_section_the_defaults_apply_under_the_data_dir():
    settings = clips_settings(config(), data_dir=DATA)

    assert settings == ClipsSettings(output_dir=DATA / "clips")
    assert settings.work_dir == DATA / "clips" / ".work"
    assert (settings.post_roll_seconds, settings.buffer_minutes) == (5.0, 5.0)


def test_the_clips_section_sets_paths_timing_and_the_original_encoding_keys():
    section = {
        "encoding": {"ffmpeg_path": "/opt/ffmpeg/bin", "concurrency": 3},
        "output_dir": "/srv/clips", "post_roll_seconds": 2, "buffer_minutes": 1.5,
        "buffer_max_megabytes": 10, "segment_seconds": 1, "public_base_url": "https://c.example",
    }  # fmt: skip
    settings = clips_settings(config(section), data_dir=DATA)

    assert settings == ClipsSettings(
        ffmpeg_path="/opt/ffmpeg/bin", output_dir=Path("/srv/clips"), post_roll_seconds=2.0,
        buffer_minutes=1.5, buffer_max_bytes=10 * 1024 * 1024, segment_seconds=1.0,
        concurrency=3, public_base_url="https://c.example",
    )  # fmt: skip
    own = clips_settings(config({"ffmpeg_path": "/x/ffmpeg", **section}), data_dir=DATA)
    assert own.ffmpeg_path == "/x/ffmpeg"


def test_system_jobs_clips_false_turns_clips_off():
    assert clips_settings(config(jobs={"clips": False}), data_dir=DATA).enabled is False


def test_sources_are_the_enabled_platforms_naming_one():
    alice = creator(
        "alice",
        platform("twitch", clip_source=" https://hls.example/a.m3u8 "),
        platform("youtube", clip_source="/rec/obs.mkv", clip_source_growing=True),
        platform("kick", enabled=False, clip_source="https://kick/x.m3u8"),
        platform("rumble", clip_source=""),
    )
    retired = creator("retired", platform("twitch", clip_source="x"), enabled=False)

    found = clip_sources(config(creators=(alice, retired)))

    assert found == [
        ClipSource(creator_id="alice", platform="twitch",
                   source=CaptureSource(url="https://hls.example/a.m3u8")),
        ClipSource(creator_id="alice", platform="youtube",
                   source=CaptureSource(url="/rec/obs.mkv", growing_file=True)),
    ]  # fmt: skip
    assert found[0].key == ("alice", "twitch")


def test_twitch_helix_needs_the_broadcaster_the_client_id_and_the_token():
    complete = platform(
        "twitch", clip_source="u", clip_helix_broadcaster_id=1234,
        clip_helix_client_id_env="CID", token_env="TOKEN", clip_helix_url="http://127.0.0.1:1/helix",
    )  # fmt: skip
    no_token = platform("twitch", clip_source="u", clip_helix_broadcaster_id=1,
                        clip_helix_client_id_env="CID")  # fmt: skip

    [with_helix, without] = clip_sources(
        config(creators=(creator("a", complete), creator("b", no_token)))
    )

    assert with_helix.helix == HelixSettings(
        broadcaster_id="1234", client_id_env="CID", token_env="TOKEN",
        base_url="http://127.0.0.1:1/helix",
    )  # fmt: skip
    assert without.helix is None
