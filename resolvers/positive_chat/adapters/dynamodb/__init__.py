"""DynamoDB single-table adapter: implements the store ports of ``positive_chat.ports``.

Every class takes an injected boto3 DynamoDB client and the table name; nothing here
creates a client. The design (keys, indexes, costs) is in docs/data-model.md.
"""

from __future__ import annotations

from .codec import message_from_item
from .message_repository import DynamoDBMessageRepository
from .profile_repository import DynamoDBProfileRepository
from .room_repository import DynamoDBRoomRepository
from .stats_repository import DynamoDBStatsRepository
from .table import TABLE_DEFINITION, TTL_ATTRIBUTE, create_table
from .translation_cache import DynamoDBTranslationCache

__all__ = [
    "TABLE_DEFINITION",
    "TTL_ATTRIBUTE",
    "DynamoDBMessageRepository",
    "DynamoDBProfileRepository",
    "DynamoDBRoomRepository",
    "DynamoDBStatsRepository",
    "DynamoDBTranslationCache",
    "create_table",
    "message_from_item",
]
