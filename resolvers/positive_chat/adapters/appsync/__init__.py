"""AppSync adapter: the Publisher port over the IAM-only publish mutations."""

from .publisher import AppSyncPublisher

__all__ = ["AppSyncPublisher"]
