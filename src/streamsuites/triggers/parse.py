"""From one schema-valid config entry to a :class:`Trigger`, with every problem found on the way.

Config validation (``config/_triggers.py``) and compilation (:mod:`.compile`) share this code,
so what ``streamsuites check`` accepts is exactly what the engine runs. Problems carry a JSON
path relative to the entry; the config layer prefixes the file and the entry's own path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from streamsuites.actions.descriptor import ACTION_TYPES
from streamsuites.triggers.matcher import normalize_text, pattern_problem
from streamsuites.triggers.model import (
    EVENT_SUBTYPES,
    PERMISSION_NAMES,
    ActionTemplate,
    EventFilter,
    Trigger,
    TriggerType,
)
from streamsuites.triggers.templates import TemplateError, parse_template

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Problem", "behaviour_id", "parse_behaviour", "parse_trigger"]

_Path = tuple[str | int, ...]
_CONFIG_TYPES: Final = ("command", "keyword", "regex", "event")
_NEVER_FIRES: Final = "is missing, so the trigger never fires"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with an entry, at `path` inside it."""

    path: _Path
    message: str
    found: object = None
    """The offending value; None when there is nothing to show."""
    expected: str | None = None
    severity: Literal["error", "warning"] = "error"


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(
        self, path: _Path, message: str, found: object = None, expected: str | None = None
    ) -> None:
        self.problems.append(Problem(path, message, found, expected))

    def warn(self, path: _Path, message: str, expected: str) -> None:
        self.problems.append(Problem(path, message, None, expected, "warning"))


def parse_trigger(
    raw: Mapping[str, Any], *, default_cooldown: float = 0.0
) -> tuple[Trigger | None, list[Problem]]:
    """Build the trigger of triggers.json entry `raw`; None if any problem is an error.

    `default_cooldown` (the creator's tier minimum) applies when ``cooldown_seconds`` is absent.
    """
    problems = _Collector()
    kind = _type(raw["type"], problems)
    if kind is None:
        return None, problems.problems
    actions = _actions(raw, problems)
    trigger = Trigger(
        trigger_id=raw["trigger_id"],
        creator_id=raw.get("creator_id", raw.get("creator", "")),
        type=kind,
        actions=actions,
        commands=_commands(raw, kind, problems),
        keywords=_keywords(raw, kind, problems),
        patterns=_patterns(raw, kind, problems),
        events=_events(raw, kind, problems),
        platforms=frozenset(raw.get("platforms", ())),
        permission=PERMISSION_NAMES[raw.get("permission", "everyone")],
        cooldown_seconds=float(raw.get("cooldown_seconds", default_cooldown)),
        user_cooldown_seconds=float(raw.get("user_cooldown_seconds", 0.0)),
        enabled=bool(raw.get("enabled", True)),
        description=raw.get("description", ""),
    )
    if not actions and not problems.problems:
        problems.warn((), "trigger has no actions", "'response' or 'actions'")
    return _result(trigger, problems.problems)


def parse_behaviour(
    raw: Mapping[str, Any], creator_id: str
) -> tuple[Trigger | None, list[Problem]]:
    """Build the trigger of one chat_behaviour.json ``triggers`` entry for `creator_id`."""
    problems = _Collector()
    whole = raw.get("match_mode", "equals_icase") == "equals_icase"
    actions = (
        _action(
            {"action_type": "send_chat_message", "payload": {"text": raw["response"]}},
            ("response",),
            problems,
            shorthand=True,
        ),
    )
    trigger = Trigger(
        trigger_id=behaviour_id(raw),
        creator_id=creator_id,
        type=TriggerType.CHAT_BEHAVIOUR,
        actions=tuple(a for a in actions if a is not None),
        exact=(normalize_text(raw["match"]),) if whole else (),
        keywords=() if whole else ((normalize_text(raw["match"]), False),),
        platforms=frozenset(raw.get("platforms", ())),
        permission=PERMISSION_NAMES[raw.get("permission", "everyone")],
        cooldown_seconds=float(raw.get("cooldown_seconds", 0.0)),
        user_cooldown_seconds=float(raw.get("user_cooldown_seconds", 0.0)),
    )
    return _result(trigger, problems.problems)


def behaviour_id(raw: Mapping[str, Any]) -> str:
    """Return the stable id of a chat_behaviour entry, derived from what it matches."""
    return f"chat_behaviour:{raw.get('match_mode', 'equals_icase')}:{raw['match']}"


def _result(trigger: Trigger, problems: list[Problem]) -> tuple[Trigger | None, list[Problem]]:
    failed = any(problem.severity == "error" for problem in problems)
    return (None if failed else trigger), problems


def _type(name: str, problems: _Collector) -> TriggerType | None:
    if name in _CONFIG_TYPES:
        return TriggerType(name)
    problems.add(("type",), "unknown trigger type", name, "one of: " + ", ".join(_CONFIG_TYPES))
    return None


def _commands(raw: Mapping[str, Any], kind: TriggerType, problems: _Collector) -> tuple[str, ...]:
    if kind is not TriggerType.COMMAND:
        return ()
    if "command" not in raw:
        problems.warn(("command",), f"'command' {_NEVER_FIRES}", "the command word, like !uptime")
        return ()
    named = [("command",), *(("aliases", i) for i in range(len(raw.get("aliases", ()))))]
    words = [raw["command"], *raw.get("aliases", ())]
    for path, word in zip(named, words, strict=True):
        if len(word.split()) != 1 or word != word.strip():
            problems.add(path, "a command is one word", word, "a single word like !uptime")
    return tuple(dict.fromkeys(word.lower() for word in words))


def _patterns(raw: Mapping[str, Any], kind: TriggerType, problems: _Collector) -> tuple[str, ...]:
    pattern_ok = "pattern" in raw and _pattern_ok(raw["pattern"], problems)
    if kind is not TriggerType.REGEX:
        return ()
    if "pattern" not in raw:
        problems.warn(("pattern",), f"'pattern' {_NEVER_FIRES}", "an RE2 regular expression")
    return (raw["pattern"],) if pattern_ok else ()


def _pattern_ok(pattern: str, problems: _Collector) -> bool:
    problem = pattern_problem(pattern)
    if problem is not None:
        problems.add(("pattern",), problem[0], pattern, problem[1])
    return problem is None


def _keywords(
    raw: Mapping[str, Any], kind: TriggerType, problems: _Collector
) -> tuple[tuple[str, bool], ...]:
    if kind is not TriggerType.KEYWORD:
        return ()
    keywords = raw.get("keywords", [])
    if not keywords:
        problems.warn(("keywords",), f"'keywords' {_NEVER_FIRES}", "a list of words")
    for index, keyword in enumerate(keywords):
        if not keyword.strip():
            problems.add(("keywords", index), "blank keyword", keyword, "a word or phrase")
    return tuple((normalize_text(k), True) for k in keywords if k.strip())


def _events(
    raw: Mapping[str, Any], kind: TriggerType, problems: _Collector
) -> tuple[EventFilter, ...]:
    if "events" not in raw:
        if kind is TriggerType.EVENT:
            problems.add(
                ("events",),
                "an event trigger needs events",
                expected="a list of event kinds, like ['membership']",
            )
        return (EventFilter("chat_message"),)
    return tuple(_event(entry, ("events", i), problems) for i, entry in enumerate(raw["events"]))


def _event(entry: str | Mapping[str, Any], path: _Path, problems: _Collector) -> EventFilter:
    if isinstance(entry, str):
        return EventFilter(entry)
    kind, types = entry["kind"], entry.get("types", [])
    allowed = EVENT_SUBTYPES[kind]
    for index, name in enumerate(types):
        if name not in allowed:
            expected = "one of: " + ", ".join(allowed) if allowed else "no types for this kind"
            problems.add((*path, "types", index), f"unknown {kind} type", name, expected)
    return EventFilter(kind, frozenset(types))


def _actions(raw: Mapping[str, Any], problems: _Collector) -> tuple[ActionTemplate, ...]:
    built: list[ActionTemplate | None] = []
    if "response" in raw:
        shorthand = {"action_type": "send_chat_message", "payload": {"text": raw["response"]}}
        built.append(_action(shorthand, ("response",), problems, shorthand=True))
    for index, entry in enumerate(raw.get("actions", ())):
        built.append(_action(entry, ("actions", index), problems, shorthand=False))
    return tuple(action for action in built if action is not None)


def _action(
    entry: Mapping[str, Any], path: _Path, problems: _Collector, *, shorthand: bool
) -> ActionTemplate | None:
    action_type = entry.get("action_type", entry.get("type"))
    key = "type" if "type" in entry and "action_type" not in entry else "action_type"
    if action_type not in ACTION_TYPES:
        message = "missing action_type" if action_type is None else "unknown action_type"
        problems.add((*path, key), message, action_type, "one of: " + ", ".join(ACTION_TYPES))
        return None
    payload_path = path if shorthand else (*path, "payload")
    payload = _templated(entry.get("payload", {}), payload_path, problems, shorthand=shorthand)
    if action_type == "send_chat_message" and not _has_text(entry.get("payload", {})):
        problems.add(
            payload_path if shorthand else (*payload_path, "text"),
            "send_chat_message needs text",
            expected="a non-empty string",
        )
    return ActionTemplate(action_type=action_type, payload=payload, platform=entry.get("platform"))


def _has_text(payload: Mapping[str, Any]) -> bool:
    text = payload.get("text")
    return isinstance(text, str) and bool(text.strip())


def _templated(value: Any, path: _Path, problems: _Collector, *, shorthand: bool) -> Any:  # noqa: ANN401 - any JSON value
    """Return `value` with every string parsed as a template (problems reported at `path`)."""
    if isinstance(value, str):
        try:
            return parse_template(value)
        except TemplateError as exc:
            problems.add(path, str(exc), value, "known placeholders; see docs/triggers.md")
            return parse_template("")
    if isinstance(value, dict):
        return {
            k: _templated(v, path if shorthand else (*path, k), problems, shorthand=False)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_templated(v, (*path, i), problems, shorthand=False) for i, v in enumerate(value)]
    return value
