"""Automation over the event stream: trigger engine and interactive reducers, with their state."""

from streamsuites.automation.pipeline import Automation
from streamsuites.automation.store import AutomationStore

__all__ = ["Automation", "AutomationStore"]
