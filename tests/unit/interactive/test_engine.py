"""The engine across creators, persistence through SQLite, export shapes, determinism."""

from __future__ import annotations

import json
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from streamsuites.automation.store import AutomationStore
from streamsuites.config._interactive import (
    InteractiveConfig,
    InteractiveSettings,
    PollSettings,
    ScoreboardDefinition,
    ScorePoints,
    TallyDefinition,
)
from streamsuites.interactive import (
    INTERACTIVE_FILES,
    InteractiveEngine,
    build_interactive_files,
)
from streamsuites.state.exporters import StateWriter, encode_json
from tests.unit.interactive._factories import MOD, T0, action, chat, creator, later, support, viewer

SETTINGS = InteractiveConfig(
    creators={
        "alice": InteractiveSettings(
            polls=PollSettings(),
            tallies=(
                TallyDefinition(tally_id="deaths", title="Deaths", aggregation_type="weekly"),
            ),
            scoreboards=(
                ScoreboardDefinition(
                    scoreboard_id="fans",
                    title="Top fans",
                    points=ScorePoints(message=1, superchat_per_usd=2),
                ),
            ),
        )
    },
    signal_limit=5,
)
NOW = (later(minutes=10) - T0).total_seconds() + T0.timestamp()


def engine(state=None) -> InteractiveEngine:
    return InteractiveEngine([creator(), creator(cid="bob")], SETTINGS, state)


def play(e: InteractiveEngine) -> None:
    e.apply_event(chat("!poll open Best map? | Dust | Inferno", MOD, event_id="twitch:open"))
    e.apply_event(chat("!vote 1", viewer("v1"), event_id="twitch:v1", at=later(seconds=5)))
    e.apply_event(
        chat(
            "Inferno", viewer("v2"), platform="youtube", event_id="youtube:v2", at=later(seconds=6)
        )
    )
    e.apply_event(support("superchat", 5_000_000, "USD", viewer("v2")))
    e.apply_action(
        action("tally_increment", {"tally_id": "deaths"}, action_id="act_t1", at=later(seconds=7))
    )


def test_events_are_routed_by_creator():
    e = engine()
    play(e)
    assert e.apply_event(chat("!poll open Q | A | B", MOD, creator_id="bob")) == []  # no polls
    assert e.apply_event(chat("hi", creator_id="nobody")) == []
    assert e.apply_action(action("poll_close", {}, creator_id="nobody")).reason == (
        "unknown creator 'nobody'"
    )
    assert e.apply_action(action("send_chat_message", {})).applied is False
    poll = e.creators["alice"].polls.open_polls()[0]
    assert poll.counts() == {"1": 1, "2": 1}


def test_backfill_changes_nothing():
    e = engine()
    before = e.to_json()
    e.apply_event(chat("!poll open Q | A | B", MOD, backfill=True))
    assert e.to_json() == before


def test_recent_signals_are_bounded():
    e = engine()
    for n in range(12):
        e.apply_event(chat(f"hi {n}", viewer(f"u{n}")))
    recent = e.creators["alice"].recent
    assert len(recent.chat) == 5 and recent.chat[-1].message == "hi 11"
    assert len(recent.scores) == 5


def test_persistence_round_trip_through_sqlite_on_disk(tmp_path):
    path = tmp_path / "runtime.db"
    e = engine()
    play(e)
    store = AutomationStore(path)
    assert store.load() == ({}, None)
    store.save(e.snapshot(), 42)
    store.close()

    reopened = AutomationStore(path)
    blobs, offset = reopened.load()
    assert offset == 42
    resumed = engine({name: json.loads(blob) for name, blob in blobs.items()})
    assert resumed.to_json() == e.to_json()
    resumed.apply_event(chat("!vote 2", viewer("v1"), at=later(seconds=9)))
    reopened.save(resumed.snapshot(), 43)
    assert reopened.load()[1] == 43
    reopened.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM automation_state").fetchone() == (2,)


def test_exports_have_the_documented_shapes():
    e = engine()
    play(e)
    files = build_interactive_files(e, NOW)
    assert list(files) == list(INTERACTIVE_FILES)
    polls = files["polls.json"]
    assert polls["meta"] == {
        "generated_at": "2026-03-04T12:10:00.000Z",
        "source": "StreamSuites runtime",
        "visibility": "public",
        "scope": "runtime",
    }
    [poll] = polls["polls"]
    assert poll["options"] == [
        {"option_id": "1", "label": "Dust", "votes": 1},
        {"option_id": "2", "label": "Inferno", "votes": 1},
    ]
    assert poll["state"] == "open" and poll["opened_at"] == "2026-03-04T12:00:00.000Z"
    assert set(polls["items"][0]) == {
        "id",
        "title",
        "state",
        "creator",
        "created_at",
        "updated_at",
        "public",
    }
    [tally] = files["tallies.json"]["tallies"]
    assert tally["count"] == 1 and tally["label"] == "Deaths"
    assert tally["window"] == {
        "start": "2026-03-02T00:00:00.000Z",
        "end": "2026-03-09T00:00:00.000Z",
    }
    [board] = files["scoreboards.json"]["scoreboards"]
    assert [(x["position"], x["user_id"], x["score"]) for x in board["entries"]] == [
        (1, "youtube:v2", 11.0),
        (2, "twitch:m1", 1.0),
        (3, "twitch:v1", 1.0),
    ]
    votes = files["poll_votes.json"]
    assert votes["meta"]["visibility"] == "dashboard"
    assert [v["voter_id"] for v in votes["votes"]] == ["twitch:v1", "youtube:v2"]
    assert set(votes["items"][0]) == {"timestamp", "type", "source", "summary"}
    assert files["tally_events.json"]["events"][0]["delta"] == 1
    deltas = [x["score_delta"] for x in files["score_events.json"]["events"]]
    assert sorted(deltas) == [1.0, 1.0, 1.0, 10.0]  # sorted by time: the superchat is at T0
    chat_events = files["chat_events.json"]["events"]
    assert chat_events[0]["message"].startswith("!poll open")
    assert set(chat_events[0]) == {
        "event_id",
        "creator",
        "platform",
        "user_id",
        "username",
        "message",
        "message_at",
    }


def test_exports_are_written_by_the_state_writer(tmp_path):
    e = engine()
    play(e)
    writer = StateWriter(tmp_path)
    for path, payload in build_interactive_files(e, NOW).items():
        assert writer.write(path, payload)
    assert json.loads((tmp_path / "polls.json").read_text())["polls"][0]["question"] == "Best map?"


def test_json_lines_are_one_per_creator_and_kind():
    e = engine()
    play(e)
    lines = e.json_lines()
    assert [(json.loads(x)["creator_id"], json.loads(x)["kind"]) for x in lines] == [
        ("alice", "polls"),
        ("alice", "tallies"),
        ("alice", "scoreboards"),
        ("bob", "polls"),
        ("bob", "tallies"),
        ("bob", "scoreboards"),
    ]


# -- properties ----------------------------------------------------------------------------

_users = st.sampled_from(["u1", "u2", "u3", "m1"])
_platforms = st.sampled_from(["twitch", "youtube", "kick"])
_texts = st.sampled_from(
    ["!poll open Q | A | B | C", "!poll close", "!vote 1", "!vote 2", "!vote 3", "a", "B", "hi"]
)
_steps = st.lists(st.tuples(_users, _platforms, _texts, st.integers(0, 3)), max_size=40)


def _run(steps) -> InteractiveEngine:
    e = engine()
    for index, (user, platform, text, kind) in enumerate(steps):
        at = later(seconds=index)
        author = MOD if user == "m1" else viewer(user)
        if kind == 3:
            e.apply_action(
                action("tally_increment", {"tally_id": "deaths"}, action_id=f"act_{index}", at=at)
            )
        else:
            e.apply_event(
                chat(text, author, platform=platform, at=at, event_id=f"{platform}:{index}")
            )
    return e


@settings(max_examples=60, deadline=None)
@given(_steps)
def test_same_inputs_give_identical_state_and_exports(steps):
    first, second = _run(steps), _run(steps)
    assert first.snapshot() == second.snapshot()
    assert first.json_lines() == second.json_lines()
    files = [build_interactive_files(e, NOW) for e in (first, second)]
    assert [encode_json(f) for f in files[0].values()] == [
        encode_json(f) for f in files[1].values()
    ]


@settings(max_examples=60, deadline=None)
@given(_steps)
def test_never_more_than_one_vote_per_voter_per_poll(steps):
    e = _run(steps)
    for poll in e.creators["alice"].polls.polls:
        assert sum(poll.counts().values()) == len(poll.votes)
        assert len(poll.votes) <= len({(p, u) for u, p, _, _ in steps})
