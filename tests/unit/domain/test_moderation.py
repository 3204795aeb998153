from __future__ import annotations

from positive_chat.domain.model import (
    Author,
    ModerationStatus,
    RejectionReason,
    Room,
    Sentiment,
    SentimentLabel,
    Visibility,
)
from positive_chat.domain.moderation import points_for, rejection_reason


def _room(threshold: float = 0.6, require: bool = False) -> Room:
    return Room("r1", "Room", None, Visibility.PUBLIC, Author("u", "u"), threshold, require, 0)


def _s(label: SentimentLabel, negative: float = 0.0, positive: float = 0.0) -> Sentiment:
    return Sentiment(label, positive, negative, max(0.0, 1 - positive - negative), 0.0)


def test_negative_at_or_above_threshold_is_rejected():
    assert (
        rejection_reason(_s(SentimentLabel.NEGATIVE, 0.6), ModerationStatus.SCORED, _room())
        is RejectionReason.NEGATIVE_SENTIMENT
    )


def test_negative_label_below_threshold_passes():
    # The 2019 design rejected on the label alone; we also need the score.
    assert (
        rejection_reason(_s(SentimentLabel.NEGATIVE, 0.55), ModerationStatus.SCORED, _room())
        is None
    )


def test_a_strict_room_rejects_more():
    assert (
        rejection_reason(_s(SentimentLabel.NEGATIVE, 0.55), ModerationStatus.SCORED, _room(0.5))
        is not None
    )


def test_high_negative_score_without_negative_label_passes():
    assert rejection_reason(_s(SentimentLabel.MIXED, 0.7), ModerationStatus.SCORED, _room()) is None


def test_unscored_is_accepted_unless_the_room_requires_sentiment():
    assert rejection_reason(None, ModerationStatus.UNSCORED, _room()) is None
    assert (
        rejection_reason(None, ModerationStatus.UNSCORED, _room(require=True))
        is RejectionReason.SENTIMENT_UNAVAILABLE
    )


def test_points_only_for_positive_and_bounded():
    assert points_for(None) == 0
    assert points_for(_s(SentimentLabel.NEUTRAL)) == 0
    assert points_for(_s(SentimentLabel.POSITIVE, positive=0.0)) == 1
    assert points_for(_s(SentimentLabel.POSITIVE, positive=0.99)) == 4
    assert points_for(_s(SentimentLabel.POSITIVE, positive=1.0)) == 5
