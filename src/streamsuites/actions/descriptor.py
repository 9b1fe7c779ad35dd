"""Action descriptors: what a trigger decided to do, as deterministic data.

A descriptor is derived only from the trigger and the event that fired it: ``action_id`` hashes
the trigger id, the event id and the action's index in the trigger; ``created_at`` is the
event's ``occurred_at``. The same log and the same triggers therefore give byte-identical
descriptors (:func:`encode_descriptor`), and the executor can run each ``action_id`` at most once.
"""

from __future__ import annotations

import hashlib
from datetime import datetime  # noqa: TC003 - msgspec reads annotations at runtime
from typing import Any, Final

import msgspec

__all__ = [
    "ACTION_TYPES",
    "ActionDescriptor",
    "action_id_for",
    "decode_descriptor",
    "encode_descriptor",
]

ACTION_TYPES: Final = (
    "send_chat_message",
    "enqueue_clip_job",
    "poll_open",
    "poll_close",
    "poll_vote",
    "tally_increment",
    "score_award",
    "http_webhook",
)
"""Every action type the executor knows; any other in config is a config error."""


class ActionDescriptor(msgspec.Struct, frozen=True, kw_only=True):
    """One action to perform, with everything needed to perform it."""

    action_id: str
    action_type: str
    creator_id: str
    platform: str
    """Where the action applies: the platform to send to, or the event's platform."""
    trigger_id: str
    event_id: str
    payload: dict[str, Any]
    created_at: datetime


_encoder = msgspec.json.Encoder(order="deterministic")
_decoder = msgspec.json.Decoder(ActionDescriptor)


def action_id_for(trigger_id: str, event_id: str, index: int) -> str:
    """Return the id of the `index`-th action of `trigger_id` fired by `event_id`."""
    digest = hashlib.sha256(f"{trigger_id}\x1f{event_id}\x1f{index}".encode()).hexdigest()
    return f"act_{digest[:32]}"


def encode_descriptor(descriptor: ActionDescriptor) -> bytes:
    """Return the canonical JSON of `descriptor` (sorted payload keys, UTC ``Z`` times)."""
    return _encoder.encode(descriptor)


def decode_descriptor(data: bytes | str) -> ActionDescriptor:
    """Decode one canonical descriptor."""
    descriptor: ActionDescriptor = _decoder.decode(data)
    return descriptor
