from __future__ import annotations

from streamsuites.triggers import EngineState, decode_state, encode_state
from tests.unit.triggers.helpers import NOW, chat, engine, run, trigger


def test_state_round_trips_through_json():
    eng = engine(trigger(cooldown_seconds=5, user_cooldown_seconds=50, response="x"))
    state = run(eng, chat("!hi")).state
    data = encode_state(state)
    assert decode_state(data) == state
    assert encode_state(decode_state(data)) == data


def test_evaluate_never_mutates_the_given_state():
    eng = engine(trigger(cooldown_seconds=5, response="x"))
    before = EngineState()
    run(eng, chat("!hi"), before)
    assert before == EngineState()


def test_expired_user_entries_are_pruned_on_write_and_on_demand():
    t = trigger(cooldown_seconds=0, user_cooldown_seconds=10, response="x")
    eng = engine(t)
    state = EngineState()
    for n in range(50):
        state = run(eng, chat("!hi", user=f"u{n}", n=n), state, NOW + n * 11).state
    assert len(state.user_ready_at["alice"]["t"]) == 1
    assert state.pruned(NOW + 10_000).user_ready_at == {}
    assert state.pruned(NOW + 10_000).counts == {"alice": {"t": 50}}


def test_pruned_drops_ended_global_cooldowns():
    eng = engine(trigger(cooldown_seconds=5, response="x"))
    state = run(eng, chat("!hi")).state
    assert state.pruned(NOW + 1).ready_at == {"alice": {"t": NOW + 5}}
    assert state.pruned(NOW + 5).ready_at == {}
