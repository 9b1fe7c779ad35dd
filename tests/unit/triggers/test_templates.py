from __future__ import annotations

import pytest

from streamsuites.events import Money
from streamsuites.triggers import KNOWN_PLACEHOLDERS, TemplateError
from streamsuites.triggers.templates import parse_template
from streamsuites.triggers.values import format_amount, format_uptime


def test_every_known_placeholder_parses():
    for name in KNOWN_PLACEHOLDERS:
        assert parse_template(f"<{{{name}}}>").names == (name,)


def test_braces_escape_and_missing_values_render_empty():
    template = parse_template("{{literal}} {user} }}")
    assert template.render({}) == "{literal}  }"
    assert template.render({"user": "bob"}) == "{literal} bob }"


@pytest.mark.parametrize(
    "source", ["{nope}", "{user.__class__}", "{user!r}", "{user:>9}", "{", "a } b", "{0}", "{}"]
)
def test_unknown_or_malformed_placeholders_are_errors(source):
    with pytest.raises(TemplateError):
        parse_template(source)


def test_rendering_never_evaluates_values():
    assert parse_template("{user}").render({"user": "{args} {0.__class__}"}) == (
        "{args} {0.__class__}"
    )


@pytest.mark.parametrize(
    ("since", "now", "text"),
    [
        (None, 5.0, "offline"),
        (0.0, 42.0, "42s"),
        (0.0, 125.0, "2m 05s"),
        (0.0, 3723.0, "1h 02m 03s"),
        (10.0, 5.0, "0s"),
    ],
)
def test_uptime(since, now, text):
    assert format_uptime(since, now) == text


@pytest.mark.parametrize(
    ("money", "text"),
    [
        (Money(amount_micros=5_000_000, currency="USD", display="$5.00"), "$5.00"),
        (Money(amount_micros=250_000_000, currency="BITS"), "250 bits"),
        (Money(amount_micros=5_500_000, currency="EUR"), "5.50 EUR"),
    ],
)
def test_amount(money, text):
    assert format_amount(money) == text
