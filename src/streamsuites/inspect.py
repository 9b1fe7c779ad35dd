"""``streamsuites inspect``: show what raw platform traffic becomes, as one JSON line each."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final

import msgspec

from streamsuites.connectors.twitch.protocol import parse_line
from streamsuites.connectors.twitch.translate import translate
from streamsuites.connectors.youtube.models import decode_chat_page
from streamsuites.connectors.youtube.translate import translate_message
from streamsuites.errors import Error
from streamsuites.events import encode_event

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from datetime import datetime

__all__ = ["InspectError", "inspect_twitch", "inspect_youtube"]

_json_scanner: Final = json.JSONDecoder()


class InspectError(Error):
    """The input cannot be read; the message says where and what is wrong."""


def inspect_twitch(lines: Iterable[str], *, creator_id: str, now: datetime) -> Iterator[str]:
    """Yield, for each raw IRC line, its events in the canonical encoding, or ``null`` for none.

    A line that makes several events yields one JSON line per event. Blank lines are skipped.
    `now` stands in for the receive time, so the same input always prints the same output.
    """
    for line in lines:
        if not line.strip("\r\n"):
            continue
        events = translate(parse_line(line), creator_id=creator_id, received_at=now)
        if not events:
            yield "null"
        for event in events:
            yield encode_event(event).decode()


def inspect_youtube(
    text: str, *, creator_id: str, now: datetime, channel: str | None = None
) -> Iterator[str]:
    """Yield the events of ``liveChatMessages.list`` bodies in the canonical encoding.

    `text` holds one body or several in a row (one per line, or pretty-printed); a page with
    no items yields ``null``. Each event's channel is `channel`, or else the item's
    ``liveChatId``, the only channel name a page carries. `now` stands in for the receive
    time. Raises :class:`InspectError` naming the body and the JSON path of a bad value.
    """
    for number, body in enumerate(_json_bodies(text), start=1):
        try:
            page = decode_chat_page(body)
        except msgspec.ValidationError as exc:
            raise InspectError(f"body {number}: {exc}") from None
        if not page.items:
            yield "null"
        for item in page.items:
            chat = item.snippet.live_chat_id if item.snippet else None
            for event in translate_message(
                item, creator_id=creator_id, channel=channel or chat or "", received_at=now
            ):
                yield encode_event(event).decode()


def _json_bodies(text: str) -> Iterator[str]:
    """Yield each JSON value of `text` as its own string; raise where one is not JSON."""
    position, number = 0, 0
    while True:
        position = _skip_space(text, position)
        if position == len(text):
            return
        number += 1
        try:
            _, end = _json_scanner.raw_decode(text, position)
        except json.JSONDecodeError as exc:
            where = f"line {exc.lineno} column {exc.colno}"
            raise InspectError(f"body {number} is not JSON ({where}): {exc.msg}") from None
        yield text[position:end]
        position = end


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n\ufeff":
        position += 1
    return position
