"""Replying to the chat a job came from, through the durable outbox.

A job queued by a chat command carries ``platform`` and ``event_id`` in its payload (see
``ClipJobHandler``), and optionally ``channel`` and ``reply_to``. A reply is an outbox row
written in the same transaction as the job's state change that produced it, so a refusal or a
"clip ready" message is sent once, exactly when the job really ended that way; the outbox
dispatcher of that (creator, platform) is notified after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from streamsuites.actions import outbox
from streamsuites.actions.outbox import OutboundMessage

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Container

    from streamsuites.jobs.model import JobRecord

__all__ = ["REPLY_TTL", "ChatReplies", "chat_reply"]

REPLY_TTL: Final = 300.0
"""Seconds a job's reply may wait for its connector before it expires (as chat sends do)."""

_log = logging.getLogger("streamsuites.jobs")


def chat_reply(job: JobRecord, text: str, *, action_id: str) -> OutboundMessage | None:
    """Return the message answering `job`'s chat with `text`; None if it did not come from chat."""
    platform, event_id = job.payload.get("platform"), job.payload.get("event_id")
    if not (isinstance(platform, str) and platform and isinstance(event_id, str) and event_id):
        return None
    channel = job.payload.get("channel")
    reply_to = job.payload.get("reply_to")
    return OutboundMessage(
        action_id=action_id,
        creator_id=job.creator_id,
        platform=platform,
        channel=channel if isinstance(channel, str) else "",
        text=text,
        reply_to=reply_to if isinstance(reply_to, str) else None,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class ChatReplies:
    """Where jobs' chat replies go: the outbox, then a nudge to the right dispatcher.

    `notify(creator_id, platform)` wakes that dispatcher after the commit; `connectors`, when
    given, holds the (creator, platform) pairs that have one: a reply to any other is dropped
    (and logged) rather than left to expire in the outbox.
    """

    notify: Callable[[str, str], None] | None = None
    connectors: Container[tuple[str, str]] | None = None
    ttl: float = REPLY_TTL

    def stage(
        self, conn: sqlite3.Connection, job: JobRecord, text: str, *, action_id: str, now: float
    ) -> OutboundMessage | None:
        """Insert the reply in the caller's transaction; return it (None if none is due)."""
        message = chat_reply(job, text, action_id=action_id)
        if message is None:
            return None
        if (
            self.connectors is not None
            and (job.creator_id, message.platform) not in self.connectors
        ):
            _log.warning("job %s: no %s connector to reply to", job.job_id, message.platform)
            return None
        outbox.insert_message(conn, message, now=now, ttl=self.ttl)
        return message

    def sent(self, message: OutboundMessage | None) -> None:
        """Wake the dispatcher of a reply staged by a transaction that has committed."""
        if message is not None and self.notify is not None:
            self.notify(message.creator_id, message.platform)
