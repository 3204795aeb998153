"""The stream publisher: planning, coalescing and partial batch failures."""

from __future__ import annotations

from positive_chat.domain import commands
from positive_chat.domain.deadline import Deadline
from positive_chat.domain.events import MessageChanged, RoomCreated, TagCloudChanged
from positive_chat.domain.model import Caller, CallerKind, TranslationStatus, Visibility
from positive_chat.handlers.stream import lambda_handler
from positive_chat.handlers.stream_context import PublishingDeps, use_publishing
from positive_chat.services.pending_translations import PendingTranslations
from positive_chat.services.publishing import StreamItem
from positive_chat.services.translation import TranslationService

from tests.fakes import RecordingPublisher
from tests.unit.services.conftest import ALICE


def _record(seq: int) -> dict:
    return {
        "eventID": f"ev-{seq}",
        "eventName": "INSERT",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": "us-east-1",
        "dynamodb": {
            "ApproximateCreationDateTime": 1732200000,
            "Keys": {"pk": {"S": f"K{seq}"}, "sk": {"S": "S"}},
            "SequenceNumber": f"{seq:021d}",
            "SizeBytes": 10,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": "arn:aws:dynamodb:us-east-1:000000000000:table/chat/stream/2026-01-01T00:00:00.000",
    }


def _setup(world, items_by_event: dict[str, StreamItem], publisher: RecordingPublisher) -> None:
    def decode(record: dict) -> StreamItem:
        return items_by_event[record["eventID"]]

    use_publishing(PublishingDeps(decode=decode, stats=world.store, publisher=publisher))


def _world_with_posts(world, n: int):
    room = world.services.rooms.create(commands.CreateRoom(ALICE, "Lounge", Visibility.PUBLIC))
    messages = [
        world.services.messages.post(
            commands.PostMessage(ALICE, room.id, f"Great Rome {i}", f"client-st{i:03d}")
        ).message
        for i in range(n)
    ]
    return room, messages


def test_messages_are_published_in_order_and_the_tag_cloud_once_per_room(world, context):
    room, messages = _world_with_posts(world, 3)
    items = {
        "ev-1": StreamItem("ev-1", "INSERT", message=messages[0]),
        "ev-2": StreamItem("ev-2", "INSERT", tag_room_id=room.id),
        "ev-3": StreamItem("ev-3", "INSERT", message=messages[1]),
        "ev-4": StreamItem("ev-4", "MODIFY", tag_room_id=room.id),
        "ev-5": StreamItem("ev-5", "INSERT", message=messages[2]),
        "ev-6": StreamItem("ev-6", "INSERT", room=room),
        "ev-7": StreamItem("ev-7", "INSERT"),  # an item type nobody subscribes to
    }
    publisher = RecordingPublisher()
    _setup(world, items, publisher)
    try:
        result = lambda_handler({"Records": [_record(i) for i in range(1, 8)]}, context)
    finally:
        use_publishing(None)
    assert result == {"batchItemFailures": []}
    kinds = [type(c).__name__ for c in publisher.published]
    assert kinds == [
        "MessageChanged",
        "MessageChanged",
        "TagCloudChanged",
        "MessageChanged",
        "RoomCreated",
    ]
    cloud = next(c for c in publisher.published if isinstance(c, TagCloudChanged))
    assert {(t.tag, t.count) for t in cloud.tags} >= {("rome", 3)}
    assert [c.message.id for c in publisher.published if isinstance(c, MessageChanged)] == [
        m.id for m in messages
    ]
    assert any(isinstance(c, RoomCreated) for c in publisher.published)


def test_private_rooms_are_not_announced(world, context):
    room = world.services.rooms.create(commands.CreateRoom(ALICE, "Secret", Visibility.PRIVATE))
    publisher = RecordingPublisher()
    _setup(world, {"ev-1": StreamItem("ev-1", "INSERT", room=room)}, publisher)
    try:
        lambda_handler({"Records": [_record(1)]}, context)
    finally:
        use_publishing(None)
    assert publisher.published == []


def test_failed_publications_are_reported_for_retry(world, context):
    room, messages = _world_with_posts(world, 2)
    items = {
        "ev-1": StreamItem("ev-1", "INSERT", message=messages[0]),
        "ev-2": StreamItem("ev-2", "INSERT", tag_room_id=room.id),
        "ev-3": StreamItem("ev-3", "INSERT", message=messages[1]),
    }
    publisher = RecordingPublisher()
    publisher.fail_when = [TagCloudChanged]
    _setup(world, items, publisher)
    try:
        result = lambda_handler({"Records": [_record(i) for i in range(1, 4)]}, context)
    finally:
        use_publishing(None)
    # Only the record whose publication failed is reported (by its sequence number).
    assert result == {"batchItemFailures": [{"itemIdentifier": f"{2:021d}"}]}


def test_undecodable_records_are_reported_not_fatal(world, context):
    _, messages = _world_with_posts(world, 1)
    publisher = RecordingPublisher()

    def decode(record: dict) -> StreamItem:
        if record["eventID"] == "ev-1":
            raise ValueError("garbage")
        return StreamItem(record["eventID"], "INSERT", message=messages[0])

    use_publishing(PublishingDeps(decode=decode, stats=world.store, publisher=publisher))
    try:
        result = lambda_handler({"Records": [_record(1), _record(2)]}, context)
    finally:
        use_publishing(None)
    assert result == {"batchItemFailures": [{"itemIdentifier": f"{1:021d}"}]}
    assert len(publisher.published) == 1


# ------------------------------------------------------------- pending translations


def _pending_post(world):
    """A post whose French translation was throttled: accepted, fr pending."""
    room = world.services.rooms.create(commands.CreateRoom(ALICE, "Babel", Visibility.PUBLIC))
    reader = Caller(CallerKind.USER, user_id="sub-reader", username="reader")
    world.services.rooms.join(commands.JoinRoom(reader, room.id, "fr"))
    world.translator.throttled = ("fr",)
    message = world.services.messages.post(
        commands.PostMessage(ALICE, room.id, "Great day in Rome", "client-pend01"),
        Deadline.after(10.0),
    ).message
    assert message.pending_translations == ("fr",)
    assert message.translation_status is TranslationStatus.PARTIAL
    return room, message


def _run(world, items, publisher, context, *, completer=True):
    def decode(record: dict) -> StreamItem:
        return items[record["eventID"]]

    pending = None
    if completer:
        translation = TranslationService(world.translator, world.store, max_targets=5)
        pending = PendingTranslations(translation, world.store, world._tick)
    use_publishing(PublishingDeps(decode, world.store, publisher, pending))
    try:
        records = [_record(int(key.split("-")[1])) for key in items]
        return lambda_handler({"Records": records}, context)
    finally:
        use_publishing(None)


def test_the_stream_handler_completes_pending_translations_as_the_next_version(world, context):
    room, posted = _pending_post(world)
    world.translator.throttled = ()  # Translate recovered
    publisher = RecordingPublisher()

    # When the post's INSERT record is handled
    result = _run(world, {"ev-1": StreamItem("ev-1", "INSERT", message=posted)}, publisher,
                  context)

    # Then the post is published as it was stored, and then completed as version 2
    assert result == {"batchItemFailures": []}
    assert [(c.message.id, c.message.version) for c in publisher.published] == [(posted.id, 1)]
    stored = world.store.get_message(room.id, posted.id)
    assert stored.version == 2
    assert [(t.language, t.text) for t in stored.translations] == [
        ("fr", "[en->fr] Great day in Rome")
    ]
    assert stored.translation_status is TranslationStatus.COMPLETE
    assert stored.pending_translations == ()

    # and version 2 comes back through the stream (MODIFY) and is published like an edit
    publisher = RecordingPublisher()
    _run(world, {"ev-2": StreamItem("ev-2", "MODIFY", message=stored, previous_version=1)},
         publisher, context)
    assert [(c.message.id, c.message.version) for c in publisher.published] == [(posted.id, 2)]


def test_a_failed_background_attempt_neither_fails_the_batch_nor_publishes_bookkeeping(
        world, context):
    room, posted = _pending_post(world)  # fr still throttled
    publisher = RecordingPublisher()
    result = _run(world, {"ev-1": StreamItem("ev-1", "INSERT", message=posted)}, publisher,
                  context)
    assert result == {"batchItemFailures": []}
    stored = world.store.get_message(room.id, posted.id)
    assert stored.version == 1 and stored.pending_translations == ()
    assert stored.untranslated_languages == ("fr",)
    # The write that cleared the mark comes back as a MODIFY of the same version: not a
    # change readers see, so nothing is published for it
    publisher = RecordingPublisher()
    _run(world, {"ev-2": StreamItem("ev-2", "MODIFY", message=stored, previous_version=1)},
         publisher, context)
    assert publisher.published == []


def test_without_a_completer_pending_translations_are_left_alone(world, context):
    room, posted = _pending_post(world)
    world.translator.throttled = ()
    publisher = RecordingPublisher()
    _run(world, {"ev-1": StreamItem("ev-1", "INSERT", message=posted)}, publisher, context,
         completer=False)
    assert world.store.get_message(room.id, posted.id) == posted
