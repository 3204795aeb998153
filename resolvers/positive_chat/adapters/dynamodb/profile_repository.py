"""User profiles (port: ``ProfileRepository``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...domain.errors import StoreError
from ...domain.model import Profile
from . import codec
from . import keys as k
from ._errors import store_errors

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoProfileRepository:
    """``USER#{id}`` / ``PROFILE``. Counters (points, rejectedCount) are only ever changed
    with ADD by message and rejection writes, so they can exist before the profile does."""

    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def get_profile(self, user_id: str) -> Profile | None:
        """None until ``put_profile`` has run (an item holding only counters is not a profile)."""
        with store_errors("GetProfile"):
            response = self._client.get_item(
                TableName=self._table,
                Key=k.key(k.user_pk(user_id), k.PROFILE),
                ConsistentRead=True,
            )
        item = response.get("Item")
        return None if item is None else codec.profile_from_item(item)

    def put_profile(self, profile: Profile) -> Profile:
        """Create or update username and preferred language; counters are kept.

        Returns the stored profile, counters included.
        """
        with store_errors("PutProfile"):
            response = self._client.update_item(
                TableName=self._table,
                Key=k.key(k.user_pk(profile.user.id), k.PROFILE),
                UpdateExpression="SET #e = :e, #u = :u, #n = :n, #l = :l",
                ExpressionAttributeNames={
                    "#e": "entity",
                    "#u": "userId",
                    "#n": "username",
                    "#l": "preferredLanguage",
                },
                ExpressionAttributeValues={
                    ":e": {"S": codec.PROFILE},
                    ":u": {"S": profile.user.id},
                    ":n": {"S": profile.user.username},
                    ":l": {"S": profile.preferred_language},
                },
                ReturnValues="ALL_NEW",
            )
        stored = codec.profile_from_item(response.get("Attributes", {}))
        if stored is None:  # pragma: no cover - we just wrote preferredLanguage
            raise StoreError("profile write returned no attributes")
        return stored
