from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from streamsuites.events import Author, ChatMessage
from streamsuites.triggers import (
    EngineState,
    TriggerEngine,
    TriggerSet,
    build_creator,
    parse_trigger,
)

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
NOW = T0.timestamp()


def trigger(**fields: Any):
    base = {"trigger_id": "t", "creator_id": "alice", "type": "command", "command": "!hi"}
    built, problems = parse_trigger({**base, **fields})
    assert built is not None, problems
    return built


def engine(*triggers, bot_logins=None) -> TriggerEngine:
    creator = build_creator("alice", triggers, display_name="Alice", bot_logins=bot_logins)
    return TriggerEngine(TriggerSet({"alice": creator}))


def chat(text: str, *, user: str = "bob", roles: tuple[str, ...] = (), n: int = 1, **fields: Any):
    return ChatMessage(
        event_id=f"twitch:msg-{n}",
        creator_id="alice",
        platform=fields.pop("platform", "twitch"),
        channel="alice",
        occurred_at=T0,
        received_at=T0,
        author=Author(id=f"id-{user}", login=user, display_name=user.title(), roles=roles),
        text=text,
        **fields,
    )


def texts(evaluation) -> list[str]:
    return [d.payload.get("text") for d in evaluation.descriptors]


def run(eng: TriggerEngine, event, state: EngineState | None = None, now: float = NOW):
    return eng.evaluate(event, state or EngineState(), now)
