"""interactive.json → :class:`InteractiveConfig`: polls, tallies and scoreboards per creator.

The schema checks shapes; here come the checks it cannot express: a configured creator, unique
ids, a rolling tally's window, a custom tally's start and end, and poll definitions within the
creator's tier limits (``max_poll_options``, ``max_active_polls`` for auto-opened polls).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

from streamsuites.config.issues import check_unique_ids

if TYPE_CHECKING:
    from collections.abc import Collection, Mapping

    from streamsuites.config.issues import FileIssues, JsonPath
    from streamsuites.config.model import Creator

__all__ = [
    "InteractiveConfig",
    "InteractiveSettings",
    "Option",
    "PollDefinition",
    "PollSettings",
    "ScorePoints",
    "ScoreboardDefinition",
    "TallyCategory",
    "TallyDefinition",
    "build_interactive",
]

VoteMode = Literal["last", "first"]
Aggregation = Literal["weekly", "monthly", "rolling", "custom"]
PeriodKind = Literal["all_time", "daily", "weekly", "monthly", "stream"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Option:
    """A tally option: an id and a label (the id when none is given)."""

    option_id: str
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class PollDefinition:
    """A poll written in config; opened by ``!poll open <poll_id>``, the API, or at start."""

    poll_id: str
    question: str
    options: tuple[str, ...]
    auto_open: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class PollSettings:
    """How one creator's chat runs polls."""

    vote_mode: VoteMode = "last"
    """``last``: a voter may change their vote; ``first``: the first vote stands."""
    poll_command: str = "!poll"
    vote_commands: tuple[str, ...] = ("!vote",)
    keyword_voting: bool = True
    definitions: tuple[PollDefinition, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TallyCategory:
    """A category of a tally, with its own options."""

    category_id: str
    label: str
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TallyDefinition:
    """A counter by category and option over a window."""

    tally_id: str
    title: str
    description: str = ""
    aggregation_type: Aggregation = "rolling"
    window_seconds: float | None = None
    """Length of a ``rolling`` window."""
    start: datetime | None = None
    """Start (inclusive) of a ``custom`` window."""
    end: datetime | None = None
    """End (exclusive) of a ``custom`` window."""
    categories: tuple[TallyCategory, ...] = ()
    options: tuple[Option, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ScorePoints:
    """Points per chat message and per support event; money is per unit of its own currency."""

    message: float = 0.0
    bits_per_100: float = 0.0
    superchat_per_usd: float = 0.0
    rant_per_usd: float = 0.0
    sub: float = 0.0
    gift_sub: float = 0.0
    member: float = 0.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreboardDefinition:
    """Per-user scores over a period."""

    scoreboard_id: str
    title: str
    period_kind: PeriodKind = "all_time"
    points: ScorePoints = field(default_factory=ScorePoints)
    max_entries: int = 100
    """How many ranked entries the export shows."""


@dataclass(frozen=True, slots=True, kw_only=True)
class InteractiveSettings:
    """One creator's polls (None: off), tallies and scoreboards."""

    polls: PollSettings | None = None
    tallies: tuple[TallyDefinition, ...] = ()
    scoreboards: tuple[ScoreboardDefinition, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class InteractiveConfig:
    """interactive.json, normalized; empty when the file is absent."""

    creators: Mapping[str, InteractiveSettings] = field(default_factory=dict)
    signal_limit: int = 200
    """How many recent entries each signal file keeps."""

    def for_creator(self, creator_id: str) -> InteractiveSettings:
        """Return `creator_id`'s settings; a creator not listed has no polls, tallies or scores."""
        return self.creators.get(creator_id, InteractiveSettings())


def build_interactive(
    data: Mapping[str, Any], creators: Collection[Creator] | None, issues: FileIssues
) -> InteractiveConfig:
    """Normalize a schema-valid interactive.json; `creators` is None when creators.json is bad."""
    known = None if creators is None else {c.creator_id: c for c in creators}
    settings = {}
    for creator_id, raw in data.get("creators", {}).items():
        path: JsonPath = ("creators", creator_id)
        if known is not None and creator_id not in known:
            issues.error(
                path,
                f"unknown creator {creator_id!r}",
                expected="a creator_id from creators.json: " + ", ".join(sorted(known)),
            )
        creator = None if known is None else known.get(creator_id)
        settings[creator_id] = _creator_settings(raw, path, creator, issues)
    return InteractiveConfig(creators=settings, signal_limit=data.get("signal_limit", 200))


def _creator_settings(
    raw: Mapping[str, Any], path: JsonPath, creator: Creator | None, issues: FileIssues
) -> InteractiveSettings:
    tallies = raw.get("tallies", [])
    scoreboards = raw.get("scoreboards", [])
    check_unique_ids(tallies, "tally_id", (*path, "tallies"), issues)
    check_unique_ids(scoreboards, "scoreboard_id", (*path, "scoreboards"), issues)
    return InteractiveSettings(
        polls=_polls(raw["polls"], (*path, "polls"), creator, issues) if "polls" in raw else None,
        tallies=tuple(
            _tally(entry, (*path, "tallies", index), issues) for index, entry in enumerate(tallies)
        ),
        scoreboards=tuple(_scoreboard(entry) for entry in scoreboards),
    )


def _polls(
    raw: Mapping[str, Any], path: JsonPath, creator: Creator | None, issues: FileIssues
) -> PollSettings | None:
    definitions = raw.get("definitions", [])
    check_unique_ids(definitions, "poll_id", (*path, "definitions"), issues)
    if creator is not None:
        _check_poll_limits(definitions, (*path, "definitions"), creator, issues)
    if not raw.get("enabled", True):
        return None
    return PollSettings(
        vote_mode=raw.get("vote_mode", "last"),
        poll_command=raw.get("poll_command", "!poll"),
        vote_commands=tuple(raw.get("vote_commands", ["!vote"])),
        keyword_voting=raw.get("keyword_voting", True),
        definitions=tuple(
            PollDefinition(
                poll_id=entry["poll_id"],
                question=entry["question"],
                options=tuple(entry["options"]),
                auto_open=entry.get("auto_open", False),
            )
            for entry in definitions
        ),
    )


def _check_poll_limits(
    definitions: list[Mapping[str, Any]], path: JsonPath, creator: Creator, issues: FileIssues
) -> None:
    limits = creator.limits
    for index, entry in enumerate(definitions):
        if len(entry["options"]) > limits.max_poll_options:
            issues.error(
                (*path, index, "options"),
                f"too many options for tier {creator.tier}",
                found=len(entry["options"]),
                expected=f"at most {limits.max_poll_options} options",
            )
    auto_open = [index for index, entry in enumerate(definitions) if entry.get("auto_open")]
    if len(auto_open) > limits.max_active_polls:
        issues.error(
            (*path, auto_open[limits.max_active_polls], "auto_open"),
            f"too many auto-opened polls for tier {creator.tier}",
            found=len(auto_open),
            expected=f"at most {limits.max_active_polls} active polls",
        )


def _tally(raw: Mapping[str, Any], path: JsonPath, issues: FileIssues) -> TallyDefinition:
    aggregation = raw.get("aggregation_type", "rolling")
    window = raw.get("window")
    if aggregation == "rolling" and window is None:
        issues.error(
            (*path, "window"), "missing window for a rolling tally", expected="{seconds} or {days}"
        )
    start = _timestamp(raw, "start", path, issues, required=aggregation == "custom")
    end = _timestamp(raw, "end", path, issues, required=aggregation == "custom")
    if start is not None and end is not None and end <= start:
        issues.error((*path, "end"), "end is not after start", found=raw["end"])
    return TallyDefinition(
        tally_id=raw["tally_id"],
        title=raw.get("title", raw["tally_id"]),
        description=raw.get("description", ""),
        aggregation_type=aggregation,
        window_seconds=_window_seconds(window),
        start=start,
        end=end,
        categories=tuple(_category(entry) for entry in raw.get("categories", [])),
        options=tuple(_option(entry) for entry in raw.get("options", [])),
    )


def _window_seconds(window: Mapping[str, float] | None) -> float | None:
    if window is None:
        return None
    return float(window.get("seconds", 0)) + float(window.get("days", 0)) * 86_400


def _timestamp(
    raw: Mapping[str, Any], key: str, path: JsonPath, issues: FileIssues, *, required: bool
) -> datetime | None:
    text = raw.get(key)
    if text is None:
        if required:
            issues.error((*path, key), f"missing {key} for a custom tally", expected="a timestamp")
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        expected = "an ISO-8601 date-time with an offset, e.g. 2026-03-01T00:00:00Z"
        issues.error((*path, key), "invalid timestamp", found=text, expected=expected)
        return None
    return moment.astimezone(UTC)


def _option(raw: Mapping[str, Any]) -> Option:
    return Option(option_id=raw["option_id"], label=raw.get("label", raw["option_id"]))


def _category(raw: Mapping[str, Any]) -> TallyCategory:
    return TallyCategory(
        category_id=raw["category_id"],
        label=raw.get("label", raw["category_id"]),
        options=tuple(_option(entry) for entry in raw.get("options", [])),
    )


def _scoreboard(raw: Mapping[str, Any]) -> ScoreboardDefinition:
    return ScoreboardDefinition(
        scoreboard_id=raw["scoreboard_id"],
        title=raw.get("title", raw["scoreboard_id"]),
        period_kind=raw.get("period_kind", "all_time"),
        points=ScorePoints(**{key: float(value) for key, value in raw.get("points", {}).items()}),
        max_entries=raw.get("max_entries", 100),
    )
