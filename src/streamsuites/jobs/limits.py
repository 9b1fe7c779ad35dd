"""The tier limits a job kind enforces per creator, read from the compiled config.

A :class:`~streamsuites.jobs.model.JobKind` takes plain callables (creator id → limit) so the
queue knows nothing about tiers; :class:`TierLimits` builds them from ``creators.json`` and
``tiers.json`` as compiled into each creator's :class:`~streamsuites.config.model.Limits`.
A creator the config does not know gets the default limits, the same as an empty tier.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from streamsuites.config.model import Limits

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from streamsuites.config.model import Creator

__all__ = ["TierLimits"]


@dataclass(frozen=True, slots=True)
class TierLimits:
    """Each creator's limits, by creator id."""

    by_creator: Mapping[str, Limits]
    default: Limits = field(default_factory=Limits)

    @classmethod
    def of(cls, creators: Iterable[Creator]) -> TierLimits:
        """Return the limits of `creators` (``config.creators``)."""
        return cls({creator.creator_id: creator.limits for creator in creators})

    def limits(self, creator_id: str) -> Limits:
        """Return the limits of `creator_id` (the defaults for an unknown creator)."""
        return self.by_creator.get(creator_id, self.default)

    def max_concurrent_clip_jobs(self, creator_id: str) -> int | None:
        """Return how many clip jobs the creator may run at once (for ``creator_limit``)."""
        return self.limits(creator_id).max_concurrent_clip_jobs

    def clip_cooldown(self, creator_id: str) -> float:
        """Return the seconds between two of the creator's clips (for ``creator_cooldown``)."""
        return self.limits(creator_id).clip_min_cooldown_seconds

    def clip_max_duration(self, creator_id: str) -> float:
        """Return the longest clip the creator's tier allows, in seconds (the handler caps)."""
        return self.limits(creator_id).clip_max_duration_seconds
