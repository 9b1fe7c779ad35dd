"""Actions: what triggers decided, performed at most once and recorded in the audit log.

``docs/actions.md`` describes the executor, the audit log, the outbox and the crash rules.
"""

from __future__ import annotations

from streamsuites.actions.audit import ActionResult, ActionStatus, AuditLog, AuditRecord
from streamsuites.actions.database import ActionDatabase
from streamsuites.actions.descriptor import ACTION_TYPES, ActionDescriptor
from streamsuites.actions.dispatcher import DispatchStats, OutboxDispatcher
from streamsuites.actions.executor import ActionExecutor, Decisions, Evaluator
from streamsuites.actions.handlers import (
    ActionContext,
    InteractiveSink,
    build_handlers,
)
from streamsuites.actions.outbox import (
    OutboundMessage,
    OutboxRow,
    OutboxStatus,
    OutboxStore,
    Sender,
    SendOutcome,
)
from streamsuites.actions.webhook import WebhookClient, WebhookHandler, WebhookPolicy

__all__ = [
    "ACTION_TYPES",
    "ActionContext",
    "ActionDatabase",
    "ActionDescriptor",
    "ActionExecutor",
    "ActionResult",
    "ActionStatus",
    "AuditLog",
    "AuditRecord",
    "Decisions",
    "DispatchStats",
    "Evaluator",
    "InteractiveSink",
    "OutboundMessage",
    "OutboxDispatcher",
    "OutboxRow",
    "OutboxStatus",
    "OutboxStore",
    "SendOutcome",
    "Sender",
    "WebhookClient",
    "WebhookHandler",
    "WebhookPolicy",
    "build_handlers",
]
