"""Domain objects <-> DynamoDB items (attribute-value form, as the low-level client and the
stream's NewImage/OldImage use it).

Numbers go to DynamoDB as N: ints as they are, floats through ``Decimal(str(x))`` so 0.1
stays 0.1 (``Decimal(0.1)`` would store the binary expansion, and boto3 refuses floats).
Attribute names are the GraphQL field names, so a stream record reads like the API.
``entity`` tells the stream handler what an image is.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from ...domain.model import (
    Author,
    Invitation,
    Membership,
    Message,
    ModerationStatus,
    Profile,
    Role,
    Room,
    Sentiment,
    SentimentLabel,
    Translation,
    TranslationStatus,
    Visibility,
)
from . import keys as k

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

# An item to write, in attribute-value form. Any, not the stubs' TypedDicts: they type
# reads and writes differently and our builders assemble values dynamically.
Item = dict[str, Any]
# An item as read back (Query, GetItem, stream images).
RawItem = Mapping[str, Any]

ROOM, MEMBER, USER_ROOM, INVITE, MESSAGE = "ROOM", "MEMBER", "USER_ROOM", "INVITE", "MESSAGE"
CLIENT_GUARD, TAG_LINK, TAG_COUNT, SCORE = "CLIENT_GUARD", "TAG_LINK", "TAG_COUNT", "SCORE"
REJECT, PROFILE, XLATE = "REJECT", "PROFILE", "XLATE"
# Analytics counters (docs/data-model.md, "Analytics"); the stream handler ignores them.
TAG_DAY, ROOM_DAY, AUTHOR_DAY = "TAG_DAY", "ROOM_DAY", "AUTHOR_DAY"

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def _plain(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, Mapping):
        return {key: _plain(v) for key, v in value.items() if v is not None}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def to_item(values: Mapping[str, Any]) -> Item:
    """Python values -> attribute values; None attributes are left out (not stored as NULL)."""
    return {key: _serializer.serialize(_plain(v)) for key, v in values.items() if v is not None}


def to_value(value: Any) -> AttributeValueTypeDef:
    return _serializer.serialize(_plain(value))


def from_item(item: RawItem) -> dict[str, Any]:
    return {key: _deserializer.deserialize(v) for key, v in item.items()}


def _int(value: Any, default: int = 0) -> int:
    return default if value is None else int(value)


# ----------------------------------------------------------------------------- rooms


def room_to_item(room: Room) -> Item:
    values: dict[str, Any] = {
        k.PK: k.room_pk(room.id),
        k.SK: k.ROOM_META,
        "entity": ROOM,
        "id": room.id,
        "name": room.name,
        "description": room.description,
        "visibility": room.visibility.value,
        "ownerId": room.owner.id,
        "ownerUsername": room.owner.username,
        "negativityThreshold": room.negativity_threshold,
        "requireSentiment": room.require_sentiment,
        "createdAt": room.created_at_ms,
        "languages": dict(room.languages),
        "memberCount": room.member_count,
    }
    if room.is_public:
        # Sparse index: only public rooms are in the public listing.
        values[k.GSI1_PK], values[k.GSI1_SK] = k.PUBLIC_ROOMS, room.id
    return to_item(values)


def room_from_item(item: RawItem) -> Room:
    v = from_item(item)
    return Room(
        id=v["id"],
        name=v["name"],
        description=v.get("description"),
        visibility=Visibility(v["visibility"]),
        owner=Author(id=v["ownerId"], username=v["ownerUsername"]),
        negativity_threshold=float(v["negativityThreshold"]),
        require_sentiment=bool(v["requireSentiment"]),
        created_at_ms=int(v["createdAt"]),
        languages={lang: int(n) for lang, n in v.get("languages", {}).items()},
        member_count=_int(v.get("memberCount")),
    )


def membership_to_item(m: Membership) -> Item:
    return to_item(
        {
            k.PK: k.room_pk(m.room_id),
            k.SK: k.member_sk(m.user.id),
            "entity": MEMBER,
            "roomId": m.room_id,
            "userId": m.user.id,
            "username": m.user.username,
            "role": m.role.value,
            "language": m.language,
            "joinedAt": m.joined_at_ms,
        }
    )


def user_room_to_item(m: Membership) -> Item:
    return to_item(
        {
            k.PK: k.user_pk(m.user.id),
            k.SK: k.user_room_sk(m.joined_at_ms, m.room_id),
            "entity": USER_ROOM,
            "roomId": m.room_id,
            "userId": m.user.id,
            "joinedAt": m.joined_at_ms,
        }
    )


def membership_from_item(item: RawItem) -> Membership:
    v = from_item(item)
    return Membership(
        room_id=v["roomId"],
        user=Author(id=v["userId"], username=v["username"]),
        role=Role(v["role"]),
        language=v["language"],
        joined_at_ms=int(v["joinedAt"]),
    )


def invitation_to_item(inv: Invitation) -> Item:
    return to_item(
        {
            k.PK: k.room_pk(inv.room_id),
            k.SK: k.invite_sk(inv.username),
            "entity": INVITE,
            "roomId": inv.room_id,
            "username": inv.username,
            "invitedById": inv.invited_by.id,
            "invitedByUsername": inv.invited_by.username,
            "createdAt": inv.created_at_ms,
        }
    )


def invitation_from_item(item: RawItem) -> Invitation:
    v = from_item(item)
    return Invitation(
        room_id=v["roomId"],
        username=v["username"],
        invited_by=Author(id=v["invitedById"], username=v["invitedByUsername"]),
        created_at_ms=int(v["createdAt"]),
    )


# ----------------------------------------------------------------------------- messages


def message_to_item(msg: Message, *, expires_at: int | None = None) -> Item:
    s = msg.sentiment
    sentiment = (
        None
        if s is None
        else {
            "label": s.label.value,
            "positive": s.positive,
            "negative": s.negative,
            "neutral": s.neutral,
            "mixed": s.mixed,
        }
    )
    return to_item(
        {
            k.PK: k.room_pk(msg.room_id),
            k.SK: k.message_sk(msg.id),
            "entity": MESSAGE,
            "id": msg.id,
            "roomId": msg.room_id,
            "authorId": msg.author.id,
            "authorUsername": msg.author.username,
            "text": msg.text,
            "language": msg.language,
            "sentiment": sentiment,
            "moderation": msg.moderation.value,
            # Lists, not string sets: sets cannot be empty and lose the ranking order.
            "tags": list(msg.tags),
            "translations": [{"language": t.language, "text": t.text} for t in msg.translations],
            "translationStatus": msg.translation_status.value,
            "untranslatedLanguages": list(msg.untranslated_languages),
            # Left out when empty (most messages): see translation_fields.
            "pendingTranslations": list(msg.pending_translations) or None,
            "points": msg.points,
            "createdAt": msg.created_at_ms,
            "editedAt": msg.edited_at_ms,
            "clientId": msg.client_id,
            "_version": msg.version,
            "_lastChangedAt": msg.last_changed_at_ms,
            "_deleted": msg.deleted,
            k.GSI2_PK: k.sync_pk(msg.room_id),
            k.GSI2_SK: msg.last_changed_at_ms,
            k.TTL_ATTRIBUTE: expires_at,
        }
    )


def translation_fields(msg: Message) -> tuple[Item, list[str]]:
    """The attributes a background translation completion writes (SET values by name),
    and those it removes (an empty pendingTranslations is not stored)."""
    values: dict[str, Any] = {
        "translations": [{"language": t.language, "text": t.text} for t in msg.translations],
        "translationStatus": msg.translation_status.value,
        "untranslatedLanguages": list(msg.untranslated_languages),
        "_version": msg.version,
        "_lastChangedAt": msg.last_changed_at_ms,
        k.GSI2_SK: msg.last_changed_at_ms,
    }
    if msg.pending_translations:
        values["pendingTranslations"] = list(msg.pending_translations)
        return to_item(values), []
    return to_item(values), ["pendingTranslations"]


def message_from_item(item: RawItem) -> Message:
    """Also decodes a stream record's NewImage/OldImage of a message."""
    v = from_item(item)
    s = v.get("sentiment")
    sentiment = (
        None
        if s is None
        else Sentiment(
            label=SentimentLabel(s["label"]),
            positive=float(s["positive"]),
            negative=float(s["negative"]),
            neutral=float(s["neutral"]),
            mixed=float(s["mixed"]),
        )
    )
    edited = v.get("editedAt")
    return Message(
        id=v["id"],
        room_id=v["roomId"],
        author=Author(id=v["authorId"], username=v["authorUsername"]),
        text=v["text"],
        language=v["language"],
        sentiment=sentiment,
        moderation=ModerationStatus(v["moderation"]),
        tags=tuple(v.get("tags", ())),
        translations=tuple(
            Translation(language=t["language"], text=t["text"]) for t in v.get("translations", ())
        ),
        translation_status=TranslationStatus(v["translationStatus"]),
        untranslated_languages=tuple(v.get("untranslatedLanguages", ())),
        pending_translations=tuple(v.get("pendingTranslations", ())),
        points=_int(v.get("points")),
        created_at_ms=int(v["createdAt"]),
        client_id=v["clientId"],
        version=int(v["_version"]),
        last_changed_at_ms=int(v["_lastChangedAt"]),
        deleted=bool(v.get("_deleted", False)),
        edited_at_ms=None if edited is None else int(edited),
    )


# ----------------------------------------------------------------------------- profiles


def profile_from_item(item: RawItem) -> Profile | None:
    """None while the item only holds counters (points arrive before the profile is made)."""
    v = from_item(item)
    if "preferredLanguage" not in v:
        return None
    return Profile(
        user=Author(id=v["userId"], username=v["username"]),
        preferred_language=v["preferredLanguage"],
        points=_int(v.get("points")),
        rejected_count=_int(v.get("rejectedCount")),
    )
