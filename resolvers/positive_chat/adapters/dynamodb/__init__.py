"""DynamoDB single-table adapter: implements the store ports of ``positive_chat.ports``.

Every class takes an injected boto3 DynamoDB client and the table name; nothing here
creates a client. The design (keys, indexes, costs) is in docs/data-model.md.
"""

from __future__ import annotations

from .analytics_repository import DynamoAnalyticsRepository
from .codec import message_from_item
from .message_repository import DynamoMessageRepository
from .profile_repository import DynamoProfileRepository
from .room_repository import DynamoRoomRepository
from .stats_repository import DynamoStatsRepository
from .stream_records import decode_stream_record
from .table import TABLE_DEFINITION, TTL_ATTRIBUTE, create_table
from .translation_cache import DynamoTranslationCache

__all__ = [
    "TABLE_DEFINITION",
    "TTL_ATTRIBUTE",
    "DynamoAnalyticsRepository",
    "DynamoMessageRepository",
    "DynamoProfileRepository",
    "DynamoRoomRepository",
    "DynamoStatsRepository",
    "DynamoTranslationCache",
    "create_table",
    "decode_stream_record",
    "message_from_item",
]
