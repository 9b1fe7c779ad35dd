"""Poll commands, votes and limits, through chat events and descriptors."""

from __future__ import annotations

import pytest

from streamsuites.config._interactive import PollDefinition, PollSettings
from streamsuites.interactive import PollBook, PollClosed, PollOpened, Refused, VoteCast
from tests.unit.interactive._factories import HOST, MOD, action, chat, creator, later, viewer


def book(settings: PollSettings | None = None, **limits) -> PollBook:
    return PollBook(creator(**limits), settings or PollSettings())


def opened(b: PollBook, text: str = "!poll open Best map? | Dust | Inferno | Mirage") -> str:
    signals = b.apply_event(chat(text, MOD))
    assert isinstance(signals[0], PollOpened)
    return signals[0].poll_id


def test_moderator_opens_a_poll_with_options_numbered_from_one():
    b = book()
    poll_id = opened(b)
    poll = b.find(poll_id)
    assert poll is not None and poll.question == "Best map?"
    assert [(o.option_id, o.label) for o in poll.options] == [
        ("1", "Dust"),
        ("2", "Inferno"),
        ("3", "Mirage"),
    ]
    assert poll.state == "open"


def test_broadcaster_may_open_too():
    b = book()
    assert isinstance(b.apply_event(chat("!poll open Q | A | B", HOST))[0], PollOpened)


def test_viewer_cannot_open_or_close():
    b = book()
    [refused] = b.apply_event(chat("!poll open Q | A | B", viewer("v")))
    assert isinstance(refused, Refused) and "only moderators" in refused.reason
    opened(b)
    [refused] = b.apply_event(chat("!poll close", viewer("v")))
    assert isinstance(refused, Refused)
    assert len(b.open_polls()) == 1


def test_poll_id_is_derived_from_the_opening_event():
    first, second = book(), book()
    event = chat("!poll open Q | A | B", MOD, event_id="twitch:abc")
    assert first.apply_event(event) == second.apply_event(event)


def test_close_closes_the_newest_open_poll():
    b = book()
    opened(b, "!poll open One | A | B")
    newest = opened(b, "!poll open Two | A | B")
    [closed] = b.apply_event(chat("!poll close", MOD, at=later(minutes=1)))
    assert isinstance(closed, PollClosed) and closed.poll_id == newest
    poll = b.find(newest)
    assert poll is not None and poll.state == "closed" and poll.closed_at == later(minutes=1)


def test_close_by_id_and_unknown_id():
    b = book()
    poll_id = opened(b)
    [refused] = b.apply_event(chat("!poll close nope", MOD))
    assert isinstance(refused, Refused)
    assert isinstance(b.apply_event(chat(f"!poll close {poll_id}", MOD))[0], PollClosed)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("!poll open Q | A", "at least 2 options"),
        ("!poll open  | A | B", "needs a question"),
        ("!poll open Q | A | a", "must differ"),
        ("!poll frobnicate", "usage"),
        ("!poll open nosuchpoll", "no poll 'nosuchpoll' is defined"),
    ],
)
def test_bad_poll_commands_are_refused_with_a_reason(text, reason):
    [refused] = book().apply_event(chat(text, MOD))
    assert isinstance(refused, Refused) and reason in refused.reason


def test_max_poll_options_is_enforced():
    [refused] = book(options=2).apply_event(chat("!poll open Q | A | B | C", MOD))
    assert isinstance(refused, Refused)
    assert refused.reason == "too many options: tier gold allows 2 options"


def test_max_active_polls_is_enforced_and_closing_frees_a_slot():
    b = book(tier="open", active=1)
    opened(b)
    [refused] = b.apply_event(chat("!poll open Q2 | A | B", MOD))
    assert isinstance(refused, Refused)
    assert refused.reason == "poll limit reached: tier open allows 1 active poll"
    b.apply_event(chat("!poll close", MOD))
    opened(b, "!poll open Q2 | A | B")


def test_vote_by_number_counts_once_per_voter():
    b = book()
    poll_id = opened(b)
    [vote] = b.apply_event(chat("!vote 2", viewer("v1")))
    assert isinstance(vote, VoteCast) and vote.option_id == "2" and vote.voter_id == "twitch:v1"
    b.apply_event(chat("!vote 2", viewer("v1")))  # unchanged: nothing counted
    poll = b.find(poll_id)
    assert poll is not None and poll.counts() == {"1": 0, "2": 1, "3": 0}


@pytest.mark.parametrize("text", ["!vote 0", "!vote 4", "!vote two", "!vote"])
def test_vote_out_of_range_is_refused(text):
    b = book()
    opened(b)
    [refused] = b.apply_event(chat(text, viewer("v1")))
    assert isinstance(refused, Refused) and "from 1 to 3" in refused.reason


def test_vote_without_open_poll_is_refused():
    [refused] = book().apply_event(chat("!vote 1", viewer("v1")))
    assert isinstance(refused, Refused) and refused.reason == "no poll is open"


def test_last_vote_wins_in_last_mode():
    b = book(PollSettings(vote_mode="last"))
    poll_id = opened(b)
    b.apply_event(chat("!vote 1", viewer("v1")))
    [changed] = b.apply_event(chat("!vote 3", viewer("v1")))
    assert isinstance(changed, VoteCast) and changed.changed
    poll = b.find(poll_id)
    assert poll is not None and poll.counts() == {"1": 0, "2": 0, "3": 1}


def test_first_vote_stands_in_first_mode():
    b = book(PollSettings(vote_mode="first"))
    poll_id = opened(b)
    b.apply_event(chat("!vote 1", viewer("v1")))
    [refused] = b.apply_event(chat("!vote 3", viewer("v1")))
    assert isinstance(refused, Refused) and "first vote stands" in refused.reason
    poll = b.find(poll_id)
    assert poll is not None and poll.counts() == {"1": 1, "2": 0, "3": 0}


def test_keyword_vote_matches_a_label_ignoring_case():
    b = book()
    poll_id = opened(b)
    [vote] = b.apply_event(chat("  inferno ", viewer("v1")))
    assert isinstance(vote, VoteCast) and vote.option_id == "2"
    assert b.apply_event(chat("inferno is great", viewer("v2"))) == []
    poll = b.find(poll_id)
    assert poll is not None and len(poll.votes) == 1


def test_keyword_voting_can_be_turned_off():
    b = book(PollSettings(keyword_voting=False))
    opened(b)
    assert b.apply_event(chat("Dust", viewer("v1"))) == []


def test_same_name_on_two_platforms_is_two_voters():
    b = book()
    poll_id = opened(b)
    b.apply_event(chat("!vote 1", viewer("42", "Sam"), platform="twitch"))
    b.apply_event(chat("!vote 1", viewer("42", "Sam"), platform="youtube"))
    b.apply_event(chat("Dust", viewer("sam-kick", "Sam"), platform="kick"))
    poll = b.find(poll_id)
    assert poll is not None and poll.counts()["1"] == 3
    assert sorted(poll.votes) == ["kick:sam-kick", "twitch:42", "youtube:42"]


def test_vote_aliases_and_custom_poll_command():
    b = book(PollSettings(vote_commands=("!vote", "!v"), poll_command="!umfrage"))
    opened(b, "!umfrage open Q | A | B")
    assert isinstance(b.apply_event(chat("!V 2", viewer("v1")))[0], VoteCast)


def test_votes_go_to_the_newest_open_poll():
    b = book()
    opened(b, "!poll open Old | A | B")
    newest = opened(b, "!poll open New | C | D")
    [vote] = b.apply_event(chat("!vote 1", viewer("v1")))
    assert isinstance(vote, VoteCast) and vote.poll_id == newest


def test_closed_poll_takes_no_votes():
    b = book()
    opened(b)
    b.apply_event(chat("!poll close", MOD))
    assert b.apply_event(chat("Dust", viewer("v1"))) == []


def test_chat_commands_off_when_polls_not_configured_but_api_works():
    b = PollBook(creator(), None)
    assert b.apply_event(chat("!poll open Q | A | B", MOD)) == []
    outcome = b.apply_action(action("poll_open", {"question": "Q", "options": ["A", "B"]}))
    assert outcome.applied


def test_config_polls_open_by_command_and_auto_open():
    definitions = (
        PollDefinition(poll_id="tonight", question="Game?", options=("Chess", "Go")),
        PollDefinition(poll_id="always", question="Vibe?", options=("Good", "Bad"), auto_open=True),
    )
    b = book(PollSettings(definitions=definitions))
    assert [p.poll_id for p in b.open_polls()] == ["always"]
    [signal] = b.apply_event(chat("!poll open tonight", MOD))
    assert isinstance(signal, PollOpened) and signal.poll_id == "tonight"
    restored = PollBook(creator(), PollSettings(definitions=definitions), b.to_json())
    b.apply_event(chat("!poll close always", MOD))
    again = PollBook(creator(), PollSettings(definitions=definitions), b.to_json())
    assert [p.poll_id for p in again.open_polls()] == ["tonight"]  # auto_open only once
    assert len(restored.open_polls()) == 2


def test_poll_descriptors_open_vote_and_close():
    b = book()
    outcome = b.apply_action(
        action("poll_open", {"question": "Q", "options": ["A", "B"]}, action_id="act_1")
    )
    assert outcome.applied
    [opened_signal] = outcome.signals
    assert isinstance(opened_signal, PollOpened)
    vote = b.apply_action(action("poll_vote", {"option": 2, "voter_id": "v9"}, platform="kick"))
    assert vote.applied and isinstance(vote.signals[0], VoteCast)
    assert vote.signals[0].voter_id == "kick:v9"
    by_label = b.apply_action(action("poll_vote", {"option": "a", "voter_id": "v8"}))
    assert by_label.applied
    closed = b.apply_action(action("poll_close", {"poll_id": opened_signal.poll_id}))
    assert closed.applied


@pytest.mark.parametrize(
    ("action_type", "payload", "reason"),
    [
        ("poll_open", {}, "needs a question"),
        ("poll_open", {"question": "Q", "options": "A,B"}, "at least 2 options"),
        ("poll_close", {}, "no poll is open"),
        ("poll_vote", {"option": 1, "voter_id": "v"}, "no poll is open"),
        ("tally_increment", {}, "not a poll action"),
    ],
)
def test_bad_descriptors_are_refused(action_type, payload, reason):
    outcome = book().apply_action(action(action_type, payload))
    assert not outcome.applied and outcome.reason is not None and reason in outcome.reason


def test_vote_descriptor_needs_voter_and_known_option():
    b = book()
    b.apply_action(action("poll_open", {"question": "Q", "options": ["A", "B"]}))
    assert b.apply_action(action("poll_vote", {"option": 1})).reason == "poll_vote needs a voter_id"
    outcome = b.apply_action(action("poll_vote", {"option": 7, "voter_id": "v"}))
    assert outcome.reason is not None and "no option 7" in outcome.reason


def test_open_limit_applies_to_descriptors():
    b = book(tier="open", active=1)
    b.apply_action(action("poll_open", {"question": "Q", "options": ["A", "B"]}))
    outcome = b.apply_action(action("poll_open", {"question": "R", "options": ["A", "B"]}))
    assert outcome.reason == "poll limit reached: tier open allows 1 active poll"


def test_only_the_newest_closed_polls_are_kept():
    b = book(active=1)
    for n in range(25):
        b.apply_action(action("poll_open", {"question": f"Q{n}", "options": ["A", "B"]}))
        b.apply_action(action("poll_close", {}))
    assert len(b.polls) == 20
    assert b.polls[0].question == "Q5"
