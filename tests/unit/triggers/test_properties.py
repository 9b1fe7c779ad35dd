"""Determinism: same input, same bytes; file order never matters; no text makes the engine raise."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from streamsuites.actions.descriptor import encode_descriptor
from streamsuites.triggers import EngineState, TriggerEngine, TriggerSet, build_creator
from tests.unit.triggers.helpers import NOW, chat, trigger

TRIGGERS = [
    trigger(trigger_id="cmd", response="{user} {args} #{count}", cooldown_seconds=0),
    trigger(trigger_id="alias", command="!go", aliases=["!hi"], response="{arg1}"),
    trigger(trigger_id="kw", type="keyword", keywords=["hi", "pog"], response="kw {message}"),
    trigger(
        trigger_id="re", type="regex", pattern=r"\d{2,}", user_cooldown_seconds=3, response="re"
    ),
    trigger(
        trigger_id="all",
        type="regex",
        pattern=r".",
        cooldown_seconds=2,
        actions=[{"action_type": "tally_increment", "payload": {"by": "{login}"}}],
    ),
]

messages = st.lists(
    st.tuples(
        st.sampled_from(["!hi", "!go", "hi", "pog", "12", "x", ""]),
        st.text(max_size=20),
        st.sampled_from(["a", "b", "c"]),
    ),
    max_size=12,
)


def _engine(order):
    return TriggerEngine(TriggerSet({"alice": build_creator("alice", order)}))


def _replay(eng, items):
    state, out = EngineState(), []
    for n, (head, tail, user) in enumerate(items):
        result = eng.evaluate(chat(f"{head} {tail}", user=user, n=n), state, NOW + n)
        state = result.state
        out += [encode_descriptor(d) for d in result.descriptors]
    return out, state


@given(messages)
def test_same_input_twice_gives_identical_bytes(items):
    assert _replay(_engine(TRIGGERS), items) == _replay(_engine(TRIGGERS), items)


@given(messages, st.permutations(TRIGGERS))
def test_trigger_file_order_does_not_matter(items, shuffled):
    assert _replay(_engine(shuffled), items) == _replay(_engine(TRIGGERS), items)


@settings(max_examples=300)
@given(st.text())
def test_engine_never_raises_on_arbitrary_text(text):
    result = _engine(TRIGGERS).evaluate(chat(text), EngineState(), NOW)
    assert result.failures == ()


@given(st.text(alphabet=st.characters(codec="utf-16", categories=["Cs", "Lo", "Zs", "Po"])))
def test_engine_survives_lone_surrogates(text):
    result = _engine(TRIGGERS).evaluate(chat("!hi " + text), EngineState(), NOW)
    assert result.failures == ()
