"""From a validated :class:`~streamsuites.config.Config` to the per-creator lookup tables.

Each creator gets one :class:`CreatorTriggers`: its enabled triggers sorted by id (so the order
of the file never changes the output), one :class:`TextMatcher` over its commands, keywords and
regexes, and an index from event kind to the triggers that listen for it. chat_behaviour.json
entries join every creator they name (every creator when they name none).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from streamsuites.config.issues import ConfigIssue, json_path
from streamsuites.errors import ConfigError
from streamsuites.triggers.matcher import TextMatcher
from streamsuites.triggers.model import Trigger, TriggerType
from streamsuites.triggers.parse import Problem, parse_behaviour, parse_trigger
from streamsuites.triggers.values import template_names

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

    from streamsuites.config.model import Config, Creator

__all__ = ["CreatorTriggers", "TriggerSet", "build_creator", "compile_triggers"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatorTriggers:
    """The compiled triggers of one creator, indexed for the engine."""

    creator_id: str
    display_name: str
    triggers: tuple[Trigger, ...]
    """Enabled triggers, sorted by trigger id; every index below points into this."""
    trigger_ids: tuple[str, ...]
    """The id of each of `triggers`, in the same order."""
    placeholders: tuple[frozenset[str], ...]
    """The placeholder names the actions of each of `triggers` use, in the same order."""
    text: TextMatcher
    """Finds the command, exact-text, keyword and regex triggers a text may fire."""
    text_kinds: frozenset[str]
    """Event kinds some command/keyword/regex trigger reads the text of."""
    by_kind: Mapping[str, tuple[int, ...]]
    """Event triggers (no text match) by the event kinds they listen for."""
    bot_logins: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Lowercased logins of our own bot per platform; their messages never fire triggers."""


@dataclass(frozen=True, slots=True)
class TriggerSet:
    """Every creator's compiled triggers."""

    creators: Mapping[str, CreatorTriggers]

    def __len__(self) -> int:
        return sum(len(c.triggers) for c in self.creators.values())


def build_creator(
    creator_id: str,
    triggers: Iterable[Trigger],
    *,
    display_name: str = "",
    bot_logins: Mapping[str, Iterable[str]] | None = None,
) -> CreatorTriggers:
    """Index the enabled `triggers` of `creator_id` for the engine."""
    ordered = tuple(sorted((t for t in triggers if t.enabled), key=lambda t: t.trigger_id))
    return CreatorTriggers(
        creator_id=creator_id,
        display_name=display_name or creator_id,
        triggers=ordered,
        trigger_ids=tuple(t.trigger_id for t in ordered),
        placeholders=tuple(
            frozenset().union(*(template_names(a.payload) for a in t.actions)) for t in ordered
        ),
        text=_text_matcher(ordered),
        text_kinds=frozenset(f.kind for t in ordered if _reads_text(t) for f in t.events),
        by_kind=_kind_index(ordered),
        bot_logins={
            p: frozenset(n.lower() for n in names) for p, names in (bot_logins or {}).items()
        },
    )


def compile_triggers(config: Config) -> TriggerSet:
    """Compile the triggers of every creator of `config`; raise ConfigError on a bad entry."""
    issues: list[ConfigIssue] = []
    creators = {
        creator.creator_id: _compile_creator(config, creator, issues) for creator in config.creators
    }
    if any(issue.is_error for issue in issues):
        raise ConfigError(issues)
    return TriggerSet(creators)


def _compile_creator(
    config: Config, creator: Creator, issues: list[ConfigIssue]
) -> CreatorTriggers:
    minimum = creator.limits.trigger_min_cooldown_seconds
    triggers: list[Trigger] = []
    for index, raw in enumerate(config.triggers):
        if raw.get("creator_id") == creator.creator_id:
            built, problems = parse_trigger(raw, default_cooldown=minimum)
            triggers += _collect(built, problems, "triggers.json", ("triggers", index), issues)
    for index, raw in enumerate(config.chat_behaviour.get("triggers", ())):
        if creator.creator_id in raw.get("creators", (creator.creator_id,)):
            built, problems = parse_behaviour(raw, creator.creator_id)
            triggers += _collect(
                built, problems, "chat_behaviour.json", ("triggers", index), issues
            )
    return build_creator(
        creator.creator_id,
        triggers,
        display_name=creator.display_name,
        bot_logins=_bot_logins(creator),
    )


def _collect(
    built: Trigger | None,
    problems: list[Problem],
    file: str,
    path: tuple[str | int, ...],
    issues: list[ConfigIssue],
) -> list[Trigger]:
    for problem in problems:
        issues.append(
            ConfigIssue(
                file=file,
                path=json_path((*path, *problem.path)),
                message=problem.message,
                expected=problem.expected,
                severity=problem.severity,
            )
        )
    return [] if built is None else [built]


def _bot_logins(creator: Creator) -> dict[str, list[str]]:
    """Our own identities: each platform's ``bot_login`` option (Twitch's ``nick`` too)."""
    logins: dict[str, list[str]] = {}
    for name, platform in creator.platforms.items():
        options: Mapping[str, Any] = platform.options
        found = [options[key] for key in ("bot_login", "nick") if isinstance(options.get(key), str)]
        if found:
            logins[name] = found
    return logins


def _reads_text(trigger: Trigger) -> bool:
    return trigger.type is not TriggerType.EVENT


def _text_matcher(triggers: tuple[Trigger, ...]) -> TextMatcher:
    return TextMatcher(
        commands=_index(triggers, lambda t: t.commands),
        exact=_index(triggers, lambda t: t.exact),
        keywords=[(k, whole, i) for i, t in enumerate(triggers) for k, whole in t.keywords],
        patterns=[(pattern, i) for i, t in enumerate(triggers) for pattern in t.patterns],
    )


def _index(
    triggers: tuple[Trigger, ...], words: Callable[[Trigger], tuple[str, ...]]
) -> dict[str, tuple[int, ...]]:
    index: dict[str, tuple[int, ...]] = {}
    for position, trigger in enumerate(triggers):
        for word in words(trigger):
            index[word] = (*index.get(word, ()), position)
    return index


def _kind_index(triggers: tuple[Trigger, ...]) -> dict[str, tuple[int, ...]]:
    index: dict[str, tuple[int, ...]] = {}
    for position, trigger in enumerate(triggers):
        if not _reads_text(trigger):
            for kind in dict.fromkeys(f.kind for f in trigger.events):
                index[kind] = (*index.get(kind, ()), position)
    return index
