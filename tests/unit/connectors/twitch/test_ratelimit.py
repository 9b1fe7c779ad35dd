from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from streamsuites.actions.outbox import SendOutcome
from streamsuites.connectors.twitch.ratelimit import (
    CHAT_WINDOW,
    DUPLICATE_SUFFIX,
    MAX_MESSAGE_LENGTH,
    PRIVILEGED_CHAT_LIMIT,
    SEND_LENGTH,
    ChannelLimits,
    DuplicateGuard,
    JoinLimiter,
    NoticeEffect,
    SlidingWindow,
    is_send_notice,
    split_message,
)


def most_in_any_window(times: list[float], window: float) -> int:
    """The largest number of `times` inside one half-open interval of `window` seconds."""
    return max((sum(1 for t in times if s <= t < s + window) for s in times), default=0)


def send_when_allowed(w: SlidingWindow, now: float) -> float:
    """Advance from `now` to the first moment the window allows, record a send there."""
    while (wait := w.delay(now)) > 0:
        now += wait
    w.record(now)
    return now


# SlidingWindow


def test_an_empty_window_allows_at_once():
    assert SlidingWindow(3, 10.0).delay(0.0) == 0.0


def test_a_full_window_waits_for_its_oldest_send_to_slide_out():
    w = SlidingWindow(3, 10.0)
    for t in (0.0, 1.0, 2.0):
        w.record(t)
    assert w.delay(2.0) == 8.0
    assert w.delay(9.5) == 0.5
    assert w.delay(10.0) == 0.0


def test_available_counts_free_slots():
    w = SlidingWindow(3, 10.0)
    assert w.available(0.0) == 3
    w.record(0.0)
    w.record(4.0)
    assert w.available(5.0) == 1
    assert w.available(10.0) == 2
    assert w.available(14.0) == 3


def test_a_stricter_limit_can_be_checked_on_a_larger_window():
    w = SlidingWindow(100, 30.0)
    for _ in range(20):
        w.record(0.0)
    assert w.delay(0.0) == 0.0
    assert w.delay(0.0, limit=20) == 30.0
    assert w.available(0.0, limit=20) == 0
    assert w.available(0.0) == 80


@pytest.mark.parametrize("limit", [0, 101])
def test_a_check_limit_outside_the_windows_limit_is_refused(limit):
    with pytest.raises(ValueError, match="limit"):
        SlidingWindow(100, 30.0).delay(0.0, limit=limit)


def test_invalid_windows_are_refused():
    with pytest.raises(ValueError, match="limit"):
        SlidingWindow(0, 30.0)
    with pytest.raises(ValueError, match="window"):
        SlidingWindow(20, 0.0)
    with pytest.raises(ValueError, match="limit"):
        SlidingWindow(20, 30.0).set_limit(0)


def test_set_limit_keeps_the_history():
    w = SlidingWindow(20, 30.0)
    for _ in range(20):
        w.record(0.0)
    assert w.delay(1.0) == 29.0
    w.set_limit(100)
    assert (w.limit, w.window) == (100, 30.0)
    assert w.delay(1.0) == 0.0
    w.set_limit(20)
    assert w.delay(1.0) == 29.0
    w.set_limit(5)
    assert w.delay(1.0) == 29.0


def test_memory_is_bounded_by_the_limit():
    w = SlidingWindow(20, 30.0)
    for i in range(10_000):
        w.record(float(i))
    assert len(w._times) == 20


def test_a_time_going_backwards_is_recorded_as_the_latest_seen():
    w = SlidingWindow(2, 10.0)
    w.record(10.0)
    w.record(5.0)
    assert w.delay(10.0) == 10.0


def test_a_burst_of_300_sends_never_puts_more_than_20_in_any_30_seconds():
    w = SlidingWindow(20, 30.0)
    times: list[float] = []
    for _ in range(300):
        times.append(send_when_allowed(w, times[-1] if times else 0.0))
    assert most_in_any_window(times, 30.0) == 20
    # ...and it is not overly cautious: 15 full windows of 20, the last starting at 14 x 30 s.
    assert times[-1] == pytest.approx(14 * 30.0)


def test_a_burst_at_the_privileged_rate_reaches_100_per_window():
    w = SlidingWindow(100, 30.0)
    times = [send_when_allowed(w, 0.0) for _ in range(300)]
    assert most_in_any_window(times, 30.0) == 100


@given(
    limit=st.integers(1, 8),
    window=st.floats(0.5, 40.0),
    gaps=st.lists(st.floats(0.0, 10.0), max_size=80),
)
def test_sends_made_only_when_allowed_never_overfill_a_window(limit, window, gaps):
    w = SlidingWindow(limit, window)
    now, sent = 0.0, []
    for gap in gaps:
        now += gap
        if w.delay(now) == 0.0:
            w.record(now)
            sent.append(now)
    assert most_in_any_window(sent, window) <= limit


@given(
    limit=st.integers(1, 8),
    window=st.floats(0.5, 40.0),
    gaps=st.lists(st.floats(0.0, 10.0), max_size=80),
)
def test_waiting_the_given_delay_always_gets_a_send_through_within_limits(limit, window, gaps):
    w = SlidingWindow(limit, window)
    now, sent = 0.0, []
    for gap in gaps:
        now = send_when_allowed(w, now + gap)
        sent.append(now)
    assert most_in_any_window(sent, window) <= limit


@given(
    limit=st.integers(1, 8),
    window=st.floats(0.5, 40.0),
    gaps=st.lists(st.floats(0.0, 10.0), max_size=60),
)
def test_available_agrees_with_delay(limit, window, gaps):
    w = SlidingWindow(limit, window)
    now = 0.0
    for gap in gaps:
        now += gap
        assert (w.available(now) > 0) == (w.delay(now) == 0.0)
        if w.available(now):
            w.record(now)


# split_message


def test_a_short_text_is_one_part():
    assert split_message("hello world") == ["hello world"]


@pytest.mark.parametrize("text", ["", "   ", "\n\t "])
def test_a_blank_text_has_no_parts(text):
    assert split_message(text) == []


def test_a_text_of_exactly_the_limit_is_not_split():
    text = "a" * 500
    assert split_message(text) == [text]


def test_text_is_split_at_whitespace():
    text = "a" * 300 + " " + "b" * 300
    assert split_message(text) == ["a" * 300, "b" * 300]


def test_the_last_whitespace_that_fits_is_chosen():
    words = " ".join(["word"] * 200)  # 999 code points
    parts = split_message(words)
    assert [len(p) for p in parts] == [499, 499]
    assert all(p.split(" ") == ["word"] * 100 for p in parts)


def test_a_break_exactly_after_the_limit_keeps_the_full_part():
    text = "a" * 500 + " " + "b"
    assert split_message(text) == ["a" * 500, "b"]


def test_a_word_longer_than_the_limit_is_hard_split():
    assert [len(p) for p in split_message("x" * 1200)] == [500, 500, 200]


def test_a_no_break_space_is_not_a_break():
    text = "a" * 10 + "\u00a0" + "b" * 10
    assert split_message(text, 15) == ["a" * 10 + "\u00a0" + "b" * 4, "b" * 6]


def test_length_counts_code_points_not_bytes_or_utf16_units():
    assert [len(p) for p in split_message("가" * 600)] == [500, 100]
    astral = "\U0001f600" * 501  # two UTF-16 units each, four UTF-8 bytes
    assert split_message(astral) == ["\U0001f600" * 500, "\U0001f600"]


def test_a_combining_mark_stays_with_its_letter():
    text = "a" + "e\u0301" * 300
    parts = split_message(text)
    assert all(len(p) <= 500 for p in parts)
    assert "".join(parts) == text
    assert all(p[-1] == "\u0301" for p in parts)


def test_an_emoji_zwj_sequence_is_not_cut_at_the_joiner():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    parts = split_message(family * 200, 100)
    assert "".join(parts) == family * 200
    assert all(not p.startswith("\u200d") and not p.endswith("\u200d") for p in parts)


def test_a_flag_pair_is_not_cut_in_half():
    flag = "\U0001f1eb\U0001f1f7"
    assert split_message("x" + flag * 5, 4) == ["x" + flag, flag * 2, flag * 2]


def test_a_run_of_marks_with_no_safe_cut_is_hard_cut_at_the_limit():
    assert [len(p) for p in split_message("\u0301" * 12, 5)] == [5, 5, 2]


def test_me_is_kept_on_every_part_and_counted():
    text = "/me " + " ".join(["dances"] * 100)
    parts = split_message(text, 100)
    assert len(parts) > 1
    assert all(p.startswith("/me ") and len(p) <= 100 for p in parts)
    assert " ".join(p.removeprefix("/me ") for p in parts) == text.removeprefix("/me ")


def test_a_bare_me_is_sent_as_is():
    assert split_message("/me   ") == ["/me"]


def test_a_limit_below_one_is_refused():
    with pytest.raises(ValueError, match="limit"):
        split_message("hello", 0)
    with pytest.raises(ValueError, match="limit"):
        split_message("/me hello", 4)


_ALPHABET = st.sampled_from(
    [
        "a",
        "b",
        "Z",
        "é",
        "가",
        "\U0001f600",
        " ",
        "\t",
        "\n",
        "\u00a0",
        "\u0301",
        "\u200d",
        "\ufe0f",
    ]
)


@given(text=st.lists(_ALPHABET, max_size=400).map("".join), limit=st.integers(1, 60))
def test_parts_are_non_empty_within_limit_and_lose_only_whitespace(text, limit):
    parts = split_message(text, limit)
    assert all(p and len(p) <= limit for p in parts)
    assert all(p == p.strip() for p in parts)

    def squeeze(s: str) -> str:
        return "".join(c for c in s if not c.isspace())

    assert squeeze("".join(parts)) == squeeze(text)


# DuplicateGuard


def test_a_new_text_goes_out_unchanged():
    assert DuplicateGuard().prepare("#c", "hi", 0.0) == "hi"


def test_repeats_within_the_window_alternate_the_suffix():
    g = DuplicateGuard()
    sent = []
    for now in (0.0, 1.0, 2.0, 3.0):
        text = g.prepare("#c", "hi", now)
        g.record("#c", text, now)
        sent.append(text)
    assert sent == ["hi", "hi" + DUPLICATE_SUFFIX, "hi", "hi" + DUPLICATE_SUFFIX]


def test_a_repeat_after_the_window_goes_out_unchanged():
    g = DuplicateGuard()
    g.record("#c", "hi", 0.0)
    assert g.prepare("#c", "hi", 29.9) != "hi"
    assert g.prepare("#c", "hi", 30.0) == "hi"


def test_channels_are_guarded_separately():
    g = DuplicateGuard()
    g.record("#a", "hi", 0.0)
    assert g.prepare("#b", "hi", 1.0) == "hi"
    assert g.prepare("#a", "hello", 1.0) == "hello"


def test_a_repeated_text_that_already_ends_with_the_suffix_loses_it():
    g = DuplicateGuard()
    g.record("#c", "hi" + DUPLICATE_SUFFIX, 0.0)
    assert g.prepare("#c", "hi" + DUPLICATE_SUFFIX, 1.0) == "hi"


def test_a_text_that_is_only_the_suffix_gains_another():
    g = DuplicateGuard()
    g.record("#c", DUPLICATE_SUFFIX, 0.0)
    assert g.prepare("#c", DUPLICATE_SUFFIX, 1.0) == DUPLICATE_SUFFIX * 2


def test_a_text_without_room_for_the_suffix_is_refused():
    g = DuplicateGuard()
    assert g.prepare("#c", "a" * SEND_LENGTH, 0.0) == "a" * SEND_LENGTH
    with pytest.raises(ValueError, match="suffix"):
        g.prepare("#c", "a" * (SEND_LENGTH + 1), 0.0)


def test_split_then_guard_never_passes_500_code_points():
    g = DuplicateGuard()
    for now in (0.0, 1.0):
        for part in split_message("y" * 2000, SEND_LENGTH):
            text = g.prepare("#c", part, now)
            g.record("#c", text, now)
            assert len(text) <= MAX_MESSAGE_LENGTH


@given(
    st.lists(
        st.tuples(
            st.sampled_from(["#a", "#b"]),
            st.sampled_from(["hi", "hi" + DUPLICATE_SUFFIX, "yo", "z" * SEND_LENGTH]),
            st.floats(0.0, 40.0),
        ),
        max_size=50,
    )
)
def test_consecutive_sends_in_a_channel_never_repeat_within_the_window(events):
    g = DuplicateGuard()
    now = 0.0
    last: dict[str, tuple[str, float]] = {}
    for channel, text, gap in events:
        now += gap
        out = g.prepare(channel, text, now)
        assert len(out) <= MAX_MESSAGE_LENGTH
        if channel in last:
            previous, at = last[channel]
            assert out != previous or at + 30.0 <= now  # the guard's own arithmetic
        g.record(channel, out, now)
        last[channel] = (out, now)


# ChannelLimits


def test_a_channel_allows_20_messages_per_30_seconds():
    c = ChannelLimits("#c")
    for i in range(20):
        assert c.next_send(0.0) == 0.0
        c.sent(f"m{i}", 0.0)
    assert c.next_send(0.0) == 30.0
    assert c.next_send(30.0) == 0.0


def test_a_privileged_channel_allows_100():
    c = ChannelLimits("#c")
    c.set_privileged(True)
    assert c.limit == PRIVILEGED_CHAT_LIMIT
    for i in range(100):
        c.sent(f"m{i}", 0.0)
    assert c.next_send(1.0) == 29.0
    c.set_privileged(False)
    assert c.limit == 20
    assert c.next_send(1.0) == 29.0


def test_channels_sharing_an_account_window_count_together():
    account = SlidingWindow(PRIVILEGED_CHAT_LIMIT, CHAT_WINDOW)
    modded, plain = (
        ChannelLimits("#mine", account=account),
        ChannelLimits("#other", account=account),
    )
    modded.set_privileged(True)
    for i in range(20):
        modded.sent(f"m{i}", 0.0)
    assert plain.next_send(0.0) == 30.0
    assert modded.next_send(0.0) == 0.0


def test_an_account_window_below_the_privileged_limit_is_refused():
    with pytest.raises(ValueError, match="100"):
        ChannelLimits("#c", account=SlidingWindow(20, 30.0))


def test_slow_mode_spaces_our_messages():
    c = ChannelLimits("#c")
    c.set_slow_mode(10)
    assert c.next_send(0.0) == 0.0
    c.sent("a", 0.0)
    assert c.next_send(3.0) == 7.0
    assert c.next_send(10.0) == 0.0


def test_slow_mode_does_not_apply_to_moderators():
    c = ChannelLimits("#c")
    c.set_slow_mode(10)
    c.set_privileged(True)
    c.sent("a", 0.0)
    assert c.next_send(1.0) == 0.0


def test_slow_mode_off_and_negative_values_mean_no_gap():
    c = ChannelLimits("#c")
    c.set_slow_mode(-5)
    c.sent("a", 0.0)
    assert c.next_send(0.0) == 0.0


def test_split_leaves_room_for_the_suffix():
    c = ChannelLimits("#c")
    parts = c.split("w" * 1000)
    assert [len(p) for p in parts] == [SEND_LENGTH, SEND_LENGTH, 1000 - 2 * SEND_LENGTH]
    for now in (0.0, 1.0):
        for part in parts:
            text = c.prepare(part, now)
            c.sent(text, now)
            assert len(text) <= MAX_MESSAGE_LENGTH


def test_a_repeated_reply_goes_out_changed():
    c = ChannelLimits("#c")
    first = c.prepare("live for 3h", 0.0)
    c.sent(first, 0.0)
    assert c.prepare("live for 3h", 5.0) == "live for 3h" + DUPLICATE_SUFFIX


def test_msg_ratelimit_pauses_the_channel_and_retries():
    c = ChannelLimits("#c")
    c.sent("a", 0.0)
    effect = c.on_notice("msg_ratelimit", 1.0)
    assert effect.retry_after == 30.0
    assert "msg_ratelimit" in effect.reason
    assert c.next_send(1.0) == 30.0
    assert c.next_send(31.0) == 0.0


def test_msg_slowmode_waits_the_known_slow_seconds():
    c = ChannelLimits("#c")
    c.set_slow_mode(5)
    effect = c.on_notice("msg_slowmode", 0.0)
    assert effect.retry_after == 5.0
    assert c.next_send(0.0) == 5.0


def test_msg_slowmode_with_unknown_slow_seconds_waits_30():
    c = ChannelLimits("#c")
    assert c.on_notice("msg_slowmode", 0.0).retry_after == 30.0
    assert c.next_send(10.0) == 20.0


def test_msg_duplicate_retries_soon_with_the_other_suffix_then_backs_off():
    c = ChannelLimits("#c")
    c.sent(c.prepare("hi", 0.0), 0.0)
    assert c.on_notice("msg_duplicate", 0.5).retry_after == 1.0
    retry = c.prepare("hi", 1.5)
    assert retry == "hi" + DUPLICATE_SUFFIX
    c.sent(retry, 1.5)
    assert c.on_notice("msg_duplicate", 2.0).retry_after == 30.0
    assert c.prepare("hi", 32.0) == "hi"
    assert c.on_notice("msg_duplicate", 40.0).retry_after == 1.0


@pytest.mark.parametrize(
    "msg_id",
    [
        "msg_banned",
        "msg_bad_characters",
        "msg_channel_blocked",
        "msg_channel_suspended",
        "msg_emoteonly",
        "msg_followersonly",
        "msg_followersonly_followed",
        "msg_followersonly_zero",
        "msg_r9k",
        "msg_rejected",
        "msg_rejected_mandatory",
        "msg_requires_verified_phone_number",
        "msg_subsonly",
        "msg_suspended",
        "msg_timedout",
        "msg_verified_email",
    ],
)
def test_refusals_fail_with_a_reason_naming_the_msg_id(msg_id):
    c = ChannelLimits("#c")
    effect = c.on_notice(msg_id, 0.0)
    assert effect.retry_after is None
    assert msg_id in effect.reason
    assert len(effect.reason) > len(msg_id) + 3
    assert effect.outcome() == SendOutcome.failed(effect.reason)
    assert c.next_send(0.0) == 0.0


def test_an_unknown_msg_id_fails_with_the_id():
    effect = ChannelLimits("#c").on_notice("msg_brand_new", 0.0)
    assert effect.retry_after is None
    assert "msg_brand_new" in effect.reason
    assert "unknown" in effect.reason


def test_a_retry_effect_becomes_a_retry_outcome():
    effect = NoticeEffect("slow", 5.0)
    assert effect.outcome() == SendOutcome.retry(5.0, "slow")


@pytest.mark.parametrize(
    ("msg_id", "expected"),
    [
        ("msg_duplicate", True),
        ("msg_ratelimit", True),
        ("slow_on", False),
        ("emote_only_off", False),
    ],
)
def test_is_send_notice(msg_id, expected):
    assert is_send_notice(msg_id) is expected


@given(
    st.lists(
        st.tuples(st.floats(0.0, 5.0), st.sampled_from(["send", "mod", "unmod", "ratelimit"])),
        max_size=150,
    )
)
def test_a_channel_never_sends_more_than_its_limit_per_window(steps):
    c = ChannelLimits("#c")
    now, sent = 0.0, []
    for gap, step in steps:
        now += gap
        if step == "mod" or step == "unmod":
            c.set_privileged(step == "mod")
        elif step == "ratelimit":
            c.on_notice("msg_ratelimit", now)
        elif c.next_send(now) == 0.0:
            c.sent("x", now)
            sent.append(now)
    assert most_in_any_window(sent, 30.0) <= 100
    if not any(step == "mod" for _, step in steps):
        assert most_in_any_window(sent, 30.0) <= 20


# JoinLimiter


def test_joins_are_taken_20_per_10_seconds():
    j = JoinLimiter()
    channels = [f"#c{i}" for i in range(50)]
    assert j.take(channels, 0.0) == channels[:20]
    assert j.take(channels[20:], 5.0) == []
    assert j.delay(5.0) == 5.0
    assert j.take(channels[20:], 10.0) == channels[20:40]
    assert j.take(channels[40:], 20.0) == channels[40:]
    assert j.delay(20.0) == 0.0


def test_join_limiter_takes_fewer_when_fewer_are_asked():
    j = JoinLimiter(limit=3, window=1.0)
    assert j.take(["#a"], 0.0) == ["#a"]
    assert j.take(["#b", "#c", "#d"], 0.5) == ["#b", "#c"]
    assert j.delay(0.5) == 0.5
