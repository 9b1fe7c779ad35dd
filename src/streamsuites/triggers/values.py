"""What each placeholder means: the values a fired trigger's templates are filled from.

Every value is computed from the event, the trigger's fire count, ``now`` and the
:class:`EvalContext`, never from a clock or a network; a value the event does not have renders
as the empty string (``{uptime}`` renders ``offline``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, NamedTuple

from streamsuites.triggers.model import TriggerType
from streamsuites.triggers.templates import KNOWN_PLACEHOLDERS, Template

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from streamsuites.events import Event, Money
    from streamsuites.triggers.model import Trigger

__all__ = [
    "EvalContext",
    "format_amount",
    "format_uptime",
    "placeholder_values",
    "render_payload",
    "template_names",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class EvalContext:
    """What the runtime knows about the channel beyond the event itself."""

    online_since: float | None = None
    """Epoch seconds when the stream went online; None while offline or unknown."""
    viewers: int | None = None
    """Current viewer count, if known."""


class _Facts(NamedTuple):
    """What a value may need besides the event."""

    fire_count: int
    now: float
    context: EvalContext
    creator_name: str


def _author_name(event: Event, _: _Facts) -> str:
    author = event.author
    return "" if author is None else author.display_name or author.login


def _login(event: Event, _: _Facts) -> str:
    return "" if event.author is None else event.author.login


def _amount(event: Event, _: _Facts) -> str:
    return "" if event.amount is None else format_amount(event.amount)


def _uptime(_: Event, facts: _Facts) -> str:
    return format_uptime(facts.context.online_since, facts.now)


def _viewers(event: Event, facts: _Facts) -> str:
    return _number(getattr(event, "viewers", None) or facts.context.viewers)


_VALUES: Final[Mapping[str, Callable[[Event, _Facts], str]]] = {
    "user": _author_name,
    "login": _login,
    "message": lambda event, _: event.text,
    "count": lambda _, facts: str(facts.fire_count),
    "platform": lambda event, _: event.platform,
    "channel": lambda event, _: event.channel,
    "creator": lambda _, facts: facts.creator_name,
    "uptime": _uptime,
    "amount": _amount,
    "months": lambda event, _: _number(getattr(event, "months", None)),
    "gift_count": lambda event, _: _number(getattr(event, "gift_count", None)),
    "viewers": _viewers,
}
"""How each placeholder other than ``args`` and ``arg1``…``arg9`` is computed."""
_ARGUMENTS: Final = frozenset(KNOWN_PLACEHOLDERS) - frozenset(_VALUES)


def placeholder_values(
    event: Event,
    trigger: Trigger,
    *,
    count: int,
    now: float,
    context: EvalContext,
    creator_name: str,
    names: Iterable[str] = KNOWN_PLACEHOLDERS,
) -> dict[str, str]:
    """Return the value of each placeholder in `names` for `trigger` firing on `event`.

    Pass the names the trigger's templates use (:func:`template_names`): a trigger fires on a
    busy chat's hot path, and most of the values are then never read.
    """
    facts = _Facts(count, now, context, creator_name)
    values = {name: _VALUES[name](event, facts) for name in names if name in _VALUES}
    if not _ARGUMENTS.isdisjoint(names):
        command = trigger.type is TriggerType.COMMAND
        values.update(_arguments(event.text) if command and event.text else _NO_ARGUMENTS)
    return values


def template_names(payload: Any) -> frozenset[str]:  # noqa: ANN401 - any JSON value
    """Return the placeholder names the templates anywhere in `payload` use."""
    if isinstance(payload, Template):
        return payload.placeholders
    if isinstance(payload, Mapping):
        payload = list(payload.values())
    if isinstance(payload, list):
        return frozenset().union(*(template_names(item) for item in payload))
    return frozenset()


def _arguments(text: str) -> dict[str, str]:
    parts = text.split(None, 1)
    rest = parts[1].strip() if len(parts) == 2 else ""
    words = rest.split()
    numbered = dict(zip(_NUMBERED, (*words[:9], *[""] * (9 - len(words))), strict=True))
    return {"args": rest, **numbered}


_NUMBERED: Final = tuple(f"arg{n}" for n in range(1, 10))
_NO_ARGUMENTS: Final[Mapping[str, str]] = _arguments("")


def _number(value: int | None) -> str:
    return "" if value is None else str(value)


def format_uptime(online_since: float | None, now: float) -> str:
    """Return ``1h 02m 03s``-style time since `online_since`, or ``offline``."""
    if online_since is None:
        return "offline"
    seconds = max(0, int(now - online_since))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def format_amount(amount: Money) -> str:
    """Return the platform's display of `amount`, else ``100 bits`` or ``5.00 USD``."""
    if amount.display:
        return amount.display
    if amount.currency == "BITS":
        return f"{amount.amount_micros // 1_000_000} bits"
    return f"{amount.amount_micros / 1_000_000:.2f} {amount.currency}"


def render_payload(payload: Mapping[str, Any], values: Mapping[str, str]) -> dict[str, Any]:
    """Return `payload` with every template rendered from `values`."""
    return {key: _render(value, values) for key, value in payload.items()}


def _render(value: Any, values: Mapping[str, str]) -> Any:  # noqa: ANN401 - any JSON value
    if isinstance(value, Template):
        return value.render(values)
    if isinstance(value, dict):
        return render_payload(value, values)
    if isinstance(value, list):
        return [_render(item, values) for item in value]
    return value
