"""The sentiment gate and positivity points: pure decisions, no I/O."""

from __future__ import annotations

from .model import ModerationStatus, RejectionReason, Room, Sentiment, SentimentLabel

# Points: only POSITIVE messages earn; stronger positivity earns more (1..5).
MAX_POINTS = 5


def rejection_reason(
    sentiment: Sentiment | None, moderation: ModerationStatus, room: Room
) -> RejectionReason | None:
    """Why a message must be refused, or None when it may be stored.

    The 2019 chat rejected on Comprehend's NEGATIVE label alone; here the label
    must be NEGATIVE *and* the negative score must reach the room's threshold,
    so borderline text is not refused on a coin flip.
    """
    if moderation is ModerationStatus.UNSCORED or sentiment is None:
        return RejectionReason.SENTIMENT_UNAVAILABLE if room.require_sentiment else None
    if (
        sentiment.label is SentimentLabel.NEGATIVE
        and sentiment.negative >= room.negativity_threshold
    ):
        return RejectionReason.NEGATIVE_SENTIMENT
    return None


def points_for(sentiment: Sentiment | None) -> int:
    """Positivity points a message earns its author."""
    if sentiment is None or sentiment.label is not SentimentLabel.POSITIVE:
        return 0
    return 1 + min(MAX_POINTS - 1, int(sentiment.positive * (MAX_POINTS - 1)))
