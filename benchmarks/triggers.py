"""Trigger engine throughput with 1,000 triggers for one creator, on real Twitch chat text.

Triggers: 700 keyword triggers (50 of them words that occur in the corpus), 200 regex triggers
and 100 command triggers. Messages: the PRIVMSG texts of
../shared/corpora/twitch-irc/xqcow-channel.txt.gz, cycled to reach --messages, evaluated with
the state carried from message to message and ``now`` = a clock advancing 50 ms per message.

* ours: TriggerEngine.evaluate (command dict + one RE2 Set for keywords and regexes);
* reference: a naive loop testing every compiled ``re`` pattern against every message
  (time-boxed);
* matcher alternatives for the 900 keyword/regex patterns alone: one RE2 Set, versus
  pyahocorasick for the keywords plus an RE2 Set for the regexes.

Run: .venv/bin/python benchmarks/triggers.py [--messages N]
"""

from __future__ import annotations

import argparse
import gzip
import random
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import ahocorasick  # type: ignore[import-not-found]  # no stubs
import re2  # type: ignore[import-untyped]  # no stubs

from streamsuites.events import Author, ChatMessage
from streamsuites.triggers import EngineState, TriggerEngine, TriggerSet, build_creator
from streamsuites.triggers.matcher import MultiMatcher, keyword_pattern
from streamsuites.triggers.parse import parse_trigger

CORPUS = Path(__file__).resolve().parents[2] / "shared/corpora/twitch-irc/xqcow-channel.txt.gz"
NAIVE_SECONDS = 3.0
START = datetime(2019, 9, 15, tzinfo=UTC).timestamp()


def privmsg_texts(path: Path) -> list[str]:
    """The text of each PRIVMSG line: a small split, not the project's IRC parser."""
    texts = []
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            _, sep, rest = line.rstrip("\r\n").partition(" PRIVMSG #")
            if sep:
                texts.append(rest.partition(" :")[2])
    return texts


def trigger_specs(texts: list[str]) -> list[dict[str, Any]]:
    rnd = random.Random(7)
    vocabulary = sorted({w.lower() for t in texts for w in t.split() if w.isalpha() and len(w) > 4})
    real = rnd.sample(vocabulary, 50)
    words = real + [f"{rnd.choice(vocabulary)}{n}" for n in range(650)]
    specs = [_spec(f"kw{n:03d}", type="keyword", keywords=[w]) for n, w in enumerate(words)]
    shapes = [r"(?i)\b{w}+\s*{n}\b", r"{w}\d{{2,}}", r"(?i)^{w}\b.*\?$", r"\b[A-Z]{{3}}{w}\b"]
    for n in range(200):
        pattern = shapes[n % 4].format(w=re.escape(rnd.choice(vocabulary)), n=n)
        specs.append(_spec(f"re{n:03d}", type="regex", pattern=pattern))
    specs += [_spec(f"cmd{n:03d}", command=f"!cmd{n}") for n in range(99)]
    specs.append(_spec("cmd-uptime", command="!uptime"))
    return specs


def _spec(trigger_id: str, **fields: object) -> dict[str, Any]:
    base = {
        "trigger_id": trigger_id,
        "creator_id": "bench",
        "type": "command",
        "cooldown_seconds": 30,
        "response": "{user}: {args} #{count}",
    }
    return {**base, **fields}


def events(texts: list[str], count: int) -> list[ChatMessage]:
    moment = datetime.fromtimestamp(START, UTC)
    return [
        ChatMessage(
            event_id=f"twitch:{n}",
            creator_id="bench",
            platform="twitch",
            channel="xqcow",
            occurred_at=moment,
            received_at=moment,
            author=Author(id=str(n % 997), login=f"user{n % 997}"),
            text=texts[n % len(texts)],
        )
        for n in range(count)
    ]


def run_engine(engine: TriggerEngine, batch: list[ChatMessage]) -> tuple[float, int]:
    state, fired = EngineState(), 0
    started = time.perf_counter()
    for n, event in enumerate(batch):
        result = engine.evaluate(event, state, START + n * 0.05)
        state = result.state
        fired += len(result.descriptors)
    return len(batch) / (time.perf_counter() - started), fired


def naive_patterns(specs: list[dict[str, Any]]) -> list[re.Pattern[str]]:
    patterns = []
    for spec in specs:
        if spec["type"] == "keyword":
            patterns.append(re.compile(rf"(?i)\b{re.escape(spec['keywords'][0])}\b"))
        elif spec["type"] == "regex":
            patterns.append(re.compile(spec["pattern"]))
        else:
            patterns.append(re.compile(rf"(?i)^{re.escape(spec['command'])}(?:\s|$)"))
    return patterns


def run_naive(patterns: list[re.Pattern[str]], texts: list[str]) -> float:
    done, started = 0, time.perf_counter()
    while time.perf_counter() - started < NAIVE_SECONDS:
        for pattern in patterns:
            pattern.search(texts[done % len(texts)])
        done += 1
    return done / (time.perf_counter() - started)


def rate(match: Callable[[str], object], texts: list[str], rounds: int = 20) -> float:
    started = time.perf_counter()
    for _ in range(rounds):
        for text in texts:
            match(text)
    return rounds * len(texts) / (time.perf_counter() - started)


def compare_matchers(specs: list[dict[str, Any]], texts: list[str]) -> dict[str, float]:
    keywords = [s["keywords"][0] for s in specs if s["type"] == "keyword"]
    regexes = [s["pattern"] for s in specs if s["type"] == "regex"]
    one_set = MultiMatcher([keyword_pattern(k) for k in keywords] + regexes)
    regex_set = MultiMatcher(regexes)
    automaton = ahocorasick.Automaton()
    for index, keyword in enumerate(keywords):
        automaton.add_word(keyword.lower(), index)
    automaton.make_automaton()

    def aho_and_set(text: str) -> None:
        list(automaton.iter(text.lower()))  # candidates still need a word-boundary check
        regex_set.match(text)

    return {
        "RE2 Set, 900 patterns": rate(one_set.match, texts),
        "Aho-Corasick (700 kw) + RE2 Set (200 re)": rate(aho_and_set, texts),
        "Aho-Corasick alone (700 kw)": rate(lambda t: list(automaton.iter(t.lower())), texts),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200_000)
    args = parser.parse_args()
    texts = privmsg_texts(CORPUS)
    specs = trigger_specs(texts)
    built = [parse_trigger(spec)[0] for spec in specs]
    started = time.perf_counter()
    creator = build_creator("bench", [t for t in built if t is not None])
    compile_ms = (time.perf_counter() - started) * 1000
    engine = TriggerEngine(TriggerSet({"bench": creator}))
    batch = events(texts, args.messages)
    run_engine(engine, batch[:5_000])  # warm-up
    ours, fired = run_engine(engine, batch)
    naive = run_naive(naive_patterns(specs), texts)
    print(
        f"corpus: {len(texts)} PRIVMSG texts (re2 {getattr(re2, '__version__', '?')}), "
        f"triggers: {len(creator.triggers)}, compile: {compile_ms:.0f} ms"
    )
    print(
        f"engine:  {ours:>12,.0f} messages/s over {len(batch):,} messages ({fired:,} descriptors)"
    )
    print(f"naive:   {naive:>12,.0f} messages/s (1,000 `re` patterns per message)")
    print(f"speedup: {ours / naive:>12,.0f}x")
    for name, value in compare_matchers(specs, texts).items():
        print(f"matcher: {value:>12,.0f} texts/s  {name}")
    ok = ours >= 300_000 and ours / naive >= 250
    print("target (>= 300,000/s and >= 250x naive):", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
