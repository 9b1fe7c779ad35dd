"""Triggers: config entries compiled per creator, and the pure engine that fires them.

``compile_triggers(config)`` builds a :class:`TriggerSet`; ``TriggerEngine(trigger_set).evaluate(
event, state, now)`` returns the :class:`~streamsuites.actions.descriptor.ActionDescriptor`
values the event fires and the next :class:`EngineState`. docs/triggers.md describes every field.
"""

from __future__ import annotations

from streamsuites.triggers.compile import (
    CreatorTriggers,
    TriggerSet,
    build_creator,
    compile_triggers,
)
from streamsuites.triggers.cooldowns import EngineState, decode_state, encode_state
from streamsuites.triggers.engine import Evaluation, TriggerEngine, TriggerFailure
from streamsuites.triggers.model import (
    ActionTemplate,
    EventFilter,
    Permission,
    Trigger,
    TriggerType,
)
from streamsuites.triggers.parse import Problem, parse_behaviour, parse_trigger
from streamsuites.triggers.templates import KNOWN_PLACEHOLDERS, Template, TemplateError
from streamsuites.triggers.values import EvalContext

__all__ = [
    "KNOWN_PLACEHOLDERS",
    "ActionTemplate",
    "CreatorTriggers",
    "EngineState",
    "EvalContext",
    "Evaluation",
    "EventFilter",
    "Permission",
    "Problem",
    "Template",
    "TemplateError",
    "Trigger",
    "TriggerEngine",
    "TriggerFailure",
    "TriggerSet",
    "TriggerType",
    "build_creator",
    "compile_triggers",
    "decode_state",
    "encode_state",
    "parse_behaviour",
    "parse_trigger",
]
