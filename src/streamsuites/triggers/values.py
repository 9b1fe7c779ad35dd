"""What each placeholder means: the values a fired trigger's templates are filled from.

Every value is computed from the event, the trigger's fire count, ``now`` and the
:class:`EvalContext`, never from a clock or a network; a value the event does not have renders
as the empty string (``{uptime}`` renders ``offline``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from streamsuites.triggers.model import TriggerType
from streamsuites.triggers.templates import Template

if TYPE_CHECKING:
    from collections.abc import Mapping

    from streamsuites.events import Event, Money
    from streamsuites.triggers.model import Trigger

__all__ = ["EvalContext", "format_amount", "format_uptime", "placeholder_values", "render_payload"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EvalContext:
    """What the runtime knows about the channel beyond the event itself."""

    online_since: float | None = None
    """Epoch seconds when the stream went online; None while offline or unknown."""
    viewers: int | None = None
    """Current viewer count, if known."""


def placeholder_values(
    event: Event,
    trigger: Trigger,
    *,
    count: int,
    now: float,
    context: EvalContext,
    creator_name: str,
) -> dict[str, str]:
    """Return the value of every placeholder for `trigger` firing on `event`."""
    author = event.author
    values = {
        "user": "" if author is None else author.display_name or author.login,
        "login": "" if author is None else author.login,
        "message": event.text,
        "count": str(count),
        "platform": event.platform,
        "channel": event.channel,
        "creator": creator_name,
        "uptime": format_uptime(context.online_since, now),
        "amount": "" if event.amount is None else format_amount(event.amount),
        "months": _number(getattr(event, "months", None)),
        "gift_count": _number(getattr(event, "gift_count", None)),
        "viewers": _number(getattr(event, "viewers", None) or context.viewers),
    }
    values.update(_arguments(event.text if trigger.type is TriggerType.COMMAND else ""))
    return values


def _arguments(text: str) -> dict[str, str]:
    parts = text.split(None, 1)
    rest = parts[1].strip() if len(parts) == 2 else ""
    words = rest.split()
    numbered = {f"arg{n}": words[n - 1] if n <= len(words) else "" for n in range(1, 10)}
    return {"args": rest, **numbered}


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
