"""The store ports' contract, run against every backend (see conftest.py).

Tests build domain objects the way the services do (e.g. a language change passes the
current membership with a new language) and assert outcomes through the ports. The last
section checks the DynamoDB items themselves and is skipped for the in-memory fakes.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any

import boto3
import pytest
from positive_chat.adapters.dynamodb import (
    TABLE_DEFINITION,
    decode_stream_record,
    message_from_item,
)
from positive_chat.bootstrap import Store
from positive_chat.domain.analytics import SentimentBucket, sentiment_bucket
from positive_chat.domain.errors import (
    ConflictError,
    DuplicateRequestError,
    InvalidPageTokenError,
    NotFoundError,
)
from positive_chat.domain.ids import UlidFactory
from positive_chat.domain.model import (
    Author,
    Invitation,
    Membership,
    Message,
    ModerationStatus,
    Page,
    Profile,
    Role,
    Room,
    Sentiment,
    SentimentLabel,
    TagCount,
    Translation,
    TranslationStatus,
    Visibility,
)
from positive_chat.ports import TagChange

from .conftest import CACHE_TTL_SECONDS, TOMBSTONE_TTL_SECONDS, Backend

ALICE = Author("sub-alice", "alice")
BOB = Author("sub-bob", "bob")
CAROL = Author("sub-carol", "carol")
T0 = 1_700_000_000_000
HAPPY = Sentiment(SentimentLabel.POSITIVE, 0.91, 0.01, 0.07, 0.01)
POSITIVE = SentimentBucket.POSITIVE  # what msg() messages count as before an edit


class Ids:
    """ULIDs on a clock the test moves."""

    def __init__(self) -> None:
        self.now = T0
        self.factory = UlidFactory(lambda: self.now)

    def new(self, *, at: int | None = None) -> str:
        if at is not None:
            self.now = at
        return self.factory.new()


@pytest.fixture
def ids() -> Ids:
    return Ids()


def room(ids: Ids, *, public: bool = True, owner: Author = ALICE, lang: str = "en") -> Room:
    return Room(
        id=ids.new(),
        name="Garden",
        description="plants",
        owner=owner,
        visibility=Visibility.PUBLIC if public else Visibility.PRIVATE,
        negativity_threshold=0.6,
        require_sentiment=False,
        created_at_ms=ids.now,
        languages={lang: 1},
        member_count=1,
    )


def create(store: Store, r: Room, lang: str = "en") -> Room:
    store.rooms.create_room(r, Membership(r.id, r.owner, Role.OWNER, lang, r.created_at_ms))
    return r


def msg(
    ids: Ids,
    room_id: str,
    *,
    author: Author = ALICE,
    tags: Iterable[str] = (),
    points: int = 0,
    client_id: str | None = None,
    at: int | None = None,
    text: str = "Hello garden",
) -> Message:
    mid = ids.new(at=at)
    return Message(
        id=mid,
        room_id=room_id,
        author=author,
        text=text,
        language="en",
        sentiment=HAPPY,
        moderation=ModerationStatus.SCORED,
        tags=tuple(tags),
        translations=(Translation("fr", "Bonjour jardin"),),
        translation_status=TranslationStatus.PARTIAL,
        untranslated_languages=("de",),
        points=points,
        created_at_ms=ids.now,
        client_id=client_id or f"client-{mid}",
        version=1,
        last_changed_at_ms=ids.now,
    )


def edit(m: Message, at: int, **changes: object) -> Message:
    return dataclasses.replace(
        m,
        version=m.version + 1,
        last_changed_at_ms=at,
        edited_at_ms=at,
        **changes,  # type: ignore[arg-type]
    )


def tombstone(m: Message, at: int) -> Message:
    return dataclasses.replace(
        m,
        text="",
        tags=(),
        translations=(),
        untranslated_languages=(),
        points=0,
        sentiment=None,
        deleted=True,
        version=m.version + 1,
        last_changed_at_ms=at,
    )


def delete(store: Store, m: Message, at: int) -> Message:
    return store.messages.replace_message(
        tombstone(m, at),
        m.version,
        TagChange(frozenset(), frozenset(m.tags)),
        -m.points,
        sentiment_bucket(m.sentiment),
    )


def drain(fetch: Callable[[int, str | None], Page[Any]], limit: int) -> list[list[str]]:
    """Follow nextToken to the end; the ids of each page."""
    pages, token = [], None
    while True:
        page = fetch(limit, token)
        pages.append([item.id for item in page.items])
        token = page.next_token
        if token is None:
            return pages
        assert len(pages) < 50, "pagination does not end"


def flat(pages: list[list[str]]) -> list[str]:
    return [i for p in pages for i in p]


# ------------------------------------------------------------------------------ rooms


def test_created_room_has_owner_membership_and_counts(store: Store, ids: Ids) -> None:
    # Given a room created with its owner reading French
    r = create(store, dataclasses.replace(room(ids), languages={"fr": 1}), lang="fr")

    # Then the room, its counters and the owner membership are stored
    got = store.rooms.get_room(r.id)
    assert got is not None
    assert (got.name, got.description, got.owner, got.visibility) == (
        "Garden",
        "plants",
        ALICE,
        Visibility.PUBLIC,
    )
    assert got.negativity_threshold == pytest.approx(0.6)
    assert got.member_count == 1
    assert got.reader_languages == ["fr"]
    owner = store.rooms.get_membership(r.id, ALICE.id)
    assert owner == Membership(r.id, ALICE, Role.OWNER, "fr", r.created_at_ms)
    assert store.rooms.get_room("nope") is None
    assert store.rooms.get_membership(r.id, BOB.id) is None


def test_update_room_changes_settings_not_counters(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    store.rooms.add_membership(Membership(r.id, BOB, Role.MEMBER, "de", T0 + 1))

    # When the owner renames the room and clears its description
    store.rooms.update_room(
        dataclasses.replace(
            r,
            name="Roses",
            description=None,
            negativity_threshold=0.8,
            require_sentiment=True,
            member_count=99,
            languages={},
        )
    )

    got = store.rooms.get_room(r.id)
    assert got is not None
    assert (got.name, got.description, got.require_sentiment) == ("Roses", None, True)
    assert got.negativity_threshold == pytest.approx(0.8)
    assert got.member_count == 2
    assert got.reader_languages == ["de", "en"]


def test_public_rooms_newest_first_paginated_without_private(store: Store, ids: Ids) -> None:
    public = [create(store, room(ids)).id for _ in range(5)]
    create(store, room(ids, public=False))

    pages = drain(store.rooms.list_public_rooms, 2)

    assert pages == [public[4:2:-1], public[2:0:-1], public[:1]]


def test_rooms_for_user_most_recently_joined_first(store: Store, ids: Ids) -> None:
    # Given Bob joins three rooms, the oldest room last
    rooms = [create(store, room(ids)) for _ in range(3)]
    for joined, r in zip((T0 + 30, T0 + 20, T0 + 40), rooms, strict=True):
        store.rooms.add_membership(Membership(r.id, BOB, Role.MEMBER, "en", joined))

    pages = drain(lambda limit, token: store.rooms.list_rooms_for_user(BOB.id, limit, token), 2)

    assert pages == [[rooms[2].id, rooms[0].id], [rooms[1].id]]
    assert flat(
        drain(lambda lim, tok: store.rooms.list_rooms_for_user(ALICE.id, lim, tok), 10)
    ) == [r.id for r in reversed(rooms)]


def test_membership_language_changes_keep_counts_exact(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    bob = store.rooms.add_membership(Membership(r.id, BOB, Role.MEMBER, "fr", T0 + 1))
    store.rooms.add_membership(Membership(r.id, CAROL, Role.MEMBER, "fr", T0 + 2))

    # When Bob switches to German (the service passes his membership with the new language)
    changed = store.rooms.add_membership(dataclasses.replace(bob, language="de"))

    # Then French lost one reader, German gained one, and the member count is unchanged
    got = store.rooms.get_room(r.id)
    assert got is not None
    assert got.member_count == 3
    assert {lang: n for lang, n in got.languages.items() if n} == {"en": 1, "fr": 1, "de": 1}
    assert changed == Membership(r.id, BOB, Role.MEMBER, "de", T0 + 1)
    assert store.rooms.get_membership(r.id, BOB.id) == changed

    # When the owner switches too, and Bob leaves
    owner = store.rooms.get_membership(r.id, ALICE.id)
    assert owner is not None
    store.rooms.add_membership(dataclasses.replace(owner, language="fr"))
    store.rooms.remove_membership(changed)
    store.rooms.remove_membership(changed)  # twice: no effect

    got = store.rooms.get_room(r.id)
    assert got is not None
    assert got.member_count == 2
    assert got.reader_languages == ["fr"]
    assert got.languages.get("fr") == 2
    owner_now = store.rooms.get_membership(r.id, ALICE.id)
    assert owner_now is not None and owner_now.role is Role.OWNER
    assert store.rooms.get_membership(r.id, BOB.id) is None
    assert flat(drain(lambda lim, tok: store.rooms.list_rooms_for_user(BOB.id, lim, tok), 5)) == []


def test_invitation_round_trip(store: Store, ids: Ids) -> None:
    r = create(store, room(ids, public=False))
    invitation = Invitation(r.id, "bob", ALICE, T0 + 5)

    store.rooms.put_invitation(invitation)

    assert store.rooms.get_invitation(r.id, "bob") == invitation
    assert store.rooms.get_invitation(r.id, "carol") is None


# ------------------------------------------------------------------------------ posting


def test_posted_message_is_stored_whole(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    m = dataclasses.replace(msg(ids, r.id, tags=("roses", "tulips"), points=3), edited_at_ms=None)

    assert store.messages.add_message(m) == m
    assert store.messages.get_message(r.id, m.id) == m
    assert store.messages.get_message_by_client_id(r.id, m.client_id) == m
    assert store.messages.get_message_by_client_id(r.id, "another-client") is None
    assert store.messages.get_message(r.id, "01NOPE") is None


def test_unscored_message_without_sentiment_round_trips(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    m = dataclasses.replace(
        msg(ids, r.id),
        sentiment=None,
        moderation=ModerationStatus.UNSCORED,
        translations=(),
        translation_status=TranslationStatus.UNAVAILABLE,
        untranslated_languages=(),
    )
    store.messages.add_message(m)
    assert store.messages.get_message(r.id, m.id) == m


def test_two_posts_in_the_same_millisecond_are_both_stored(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    first = msg(ids, r.id, at=T0 + 500)
    second = msg(ids, r.id, at=T0 + 500)
    assert first.created_at_ms == second.created_at_ms and first.id != second.id

    store.messages.add_message(first)
    store.messages.add_message(second)

    page = store.messages.list_messages_for_room(r.id, 10, None)
    assert [m.id for m in page.items] == [second.id, first.id]


def test_retry_with_same_client_id_returns_the_original_and_counts_once(
    store: Store, ids: Ids
) -> None:
    r = create(store, room(ids))
    original = msg(ids, r.id, tags=("roses",), points=2, client_id="retry-0001")
    store.messages.add_message(original)

    # When the client retries: the service built a new message (new id) with the same clientId
    retry = msg(ids, r.id, tags=("roses", "sun"), points=2, client_id="retry-0001")
    stored = store.messages.add_message(retry)

    assert stored == original
    assert [m.id for m in store.messages.list_messages_for_room(r.id, 10, None).items] == [
        original.id
    ]
    assert store.stats.top_tags(r.id, 10) == [TagCount("roses", 1)]
    assert [e.points for e in store.stats.leaderboard(r.id, 10)] == [2]


def test_client_id_reused_by_another_author_is_refused(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    store.messages.add_message(msg(ids, r.id, client_id="shared-0001"))

    with pytest.raises(DuplicateRequestError):
        store.messages.add_message(msg(ids, r.id, author=BOB, client_id="shared-0001"))


def test_concurrent_retries_store_exactly_one_message(store: Store, ids: Ids) -> None:
    # Given eight concurrent retries of one post (same clientId, each with its own id)
    r = create(store, room(ids))
    attempts = [msg(ids, r.id, tags=("roses",), points=1, client_id="burst-0001") for _ in range(8)]
    barrier = threading.Barrier(len(attempts))
    results: list[Message] = []
    errors: list[BaseException] = []

    def post(m: Message) -> None:
        barrier.wait()
        try:
            results.append(store.messages.add_message(m))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=post, args=(m,)) for m in attempts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    # Then all of them got the same stored message, and it was counted once
    assert errors == []
    assert len(results) == len(attempts)
    assert len({m.id for m in results}) == 1
    winner = results[0]
    assert winner.id in {m.id for m in attempts}
    assert [m.id for m in store.messages.list_messages_for_room(r.id, 20, None).items] == [
        winner.id
    ]
    assert store.stats.top_tags(r.id, 10) == [TagCount("roses", 1)]
    assert [e.points for e in store.stats.leaderboard(r.id, 10)] == [1]


# ------------------------------------------------------------------------------ history, edits


def test_pending_translations_round_trip_and_complete_as_the_next_version(
    store: Store, ids: Ids
) -> None:
    r = create(store, room(ids))
    m = store.messages.add_message(
        dataclasses.replace(
            msg(ids, r.id, tags=("roses",), points=2, at=T0 + 1),
            untranslated_languages=("de", "es"),
            pending_translations=("de", "es"),
        )
    )
    assert store.messages.get_message(r.id, m.id) == m
    cloud = store.stats.top_tags(r.id, 10)

    # When the background attempt translated de (es still failing)
    completed = dataclasses.replace(
        m,
        translations=(*m.translations, Translation("de", "Hallo Garten")),
        untranslated_languages=("es",),
        pending_translations=(),
        version=2,
        last_changed_at_ms=T0 + 50,
    )
    assert store.messages.update_translations(completed, expected_version=1) is True

    # Then the message is the next version, seen by delta sync; nothing else moved
    assert store.messages.get_message(r.id, m.id) == completed
    assert [(c.id, c.version) for c in store.messages.list_changes_for_room(
        r.id, T0 + 10, 10, None).items] == [(m.id, 2)]
    assert store.stats.top_tags(r.id, 10) == cloud
    assert [(e.user, e.points) for e in store.stats.leaderboard(r.id, 10)] == [(ALICE, 2)]
    # A stale completion (the message moved on) writes nothing
    stale = dataclasses.replace(completed, translations=(), version=3, last_changed_at_ms=T0 + 60)
    assert store.messages.update_translations(stale, expected_version=1) is False
    assert store.messages.get_message(r.id, m.id) == completed


def test_pending_translations_of_a_deleted_or_missing_message_are_not_written(
    store: Store, ids: Ids
) -> None:
    r = create(store, room(ids))
    m = store.messages.add_message(
        dataclasses.replace(msg(ids, r.id, at=T0 + 1), pending_translations=("de",))
    )
    gone = delete(store, m, T0 + 5)
    late = dataclasses.replace(
        gone, deleted=False, text="Hello garden", pending_translations=(), version=gone.version
    )
    assert store.messages.update_translations(late, expected_version=gone.version) is False
    assert store.messages.get_message(r.id, m.id) == gone
    ghost = msg(ids, r.id)
    assert store.messages.update_translations(ghost, expected_version=1) is False
    assert store.messages.get_message(r.id, ghost.id) is None


def test_history_is_newest_first_paginated_and_skips_tombstones(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    posted = [store.messages.add_message(msg(ids, r.id, at=T0 + i)) for i in range(1, 8)]
    for gone in (posted[5], posted[2], posted[1]):
        delete(store, gone, T0 + 100)
    live = [m.id for m in reversed(posted) if m not in (posted[5], posted[2], posted[1])]

    pages = drain(lambda limit, token: store.messages.list_messages_for_room(r.id, limit, token), 2)

    # Then every live message comes once, in order; tombstones never use up a page slot
    # here, and the last full page carries no token (no empty round trip)
    assert pages == [live[:2], live[2:]]


def test_stale_edit_conflicts_with_the_current_item(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    m = store.messages.add_message(msg(ids, r.id, text="first"))
    v2 = store.messages.replace_message(
        edit(m, T0 + 10, text="second"), 1, TagChange(frozenset(), frozenset()), 0, POSITIVE
    )

    # When a client that only saw version 1 edits again
    with pytest.raises(ConflictError) as caught:
        store.messages.replace_message(
            edit(m, T0 + 20, text="third"), 1, TagChange(frozenset(), frozenset()), 0, POSITIVE
        )

    # Then the error carries the server's current item, which is unchanged
    assert caught.value.current == v2
    assert caught.value.current.text == "second" and caught.value.current.version == 2
    assert store.messages.get_message(r.id, m.id) == v2


def test_replacing_a_missing_message_is_not_found(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    ghost = msg(ids, r.id)
    with pytest.raises(NotFoundError):
        store.messages.replace_message(
            edit(ghost, T0 + 1), 1, TagChange(frozenset(), frozenset()), 0, POSITIVE
        )


def test_tag_cloud_follows_posts_edits_and_deletes(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    a = store.messages.add_message(msg(ids, r.id, tags=("roses", "sun")))
    b = store.messages.add_message(msg(ids, r.id, tags=("roses", "rain")))
    c = store.messages.add_message(msg(ids, r.id, tags=("roses", "sun", "tea")))

    # When b is edited from rain to sun, and c is deleted
    store.messages.replace_message(
        edit(b, T0 + 50, tags=("roses", "sun")),
        1,
        TagChange(frozenset({"sun"}), frozenset({"rain"})),
        0,
        POSITIVE,
    )
    delete(store, c, T0 + 60)

    # Then counts moved, and tags at zero are not in the cloud
    assert store.stats.top_tags(r.id, 10) == [TagCount("roses", 2), TagCount("sun", 2)]
    assert store.stats.top_tags(r.id, 1) in ([TagCount("roses", 2)], [TagCount("sun", 2)])
    assert a.tags == ("roses", "sun")


def test_top_tags_are_highest_first_and_bounded(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    for tags in (("a1", "b2", "c3"), ("b2", "c3"), ("c3",), ("c3", "d4"), ("b2",)):
        store.messages.add_message(msg(ids, r.id, tags=tags))

    assert store.stats.top_tags(r.id, 2) == [TagCount("c3", 4), TagCount("b2", 3)]
    assert store.stats.top_tags(r.id, 10) == [
        TagCount("c3", 4),
        TagCount("b2", 3),
        TagCount("a1", 1),
        TagCount("d4", 1),
    ]
    assert store.stats.top_tags("empty-room", 10) == []


def test_delete_leaves_a_tombstone_for_sync_only(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    keep = store.messages.add_message(msg(ids, r.id, tags=("roses",), points=2, at=T0 + 1))
    gone = store.messages.add_message(msg(ids, r.id, tags=("roses",), points=3, at=T0 + 2))

    stored = delete(store, gone, T0 + 10)

    assert stored.deleted and stored.text == "" and stored.version == 2
    assert [m.id for m in store.messages.list_messages_for_room(r.id, 10, None).items] == [keep.id]
    changes = store.messages.list_changes_for_room(r.id, T0 + 5, 10, None).items
    assert [(m.id, m.deleted, m.version, m.last_changed_at_ms) for m in changes] == [
        (gone.id, True, 2, T0 + 10)
    ]
    assert store.messages.get_message(r.id, gone.id) == stored
    assert [m.id for m in store.messages.list_messages_for_tag("roses", r.id, 10, None).items] == [
        keep.id
    ]
    assert store.stats.top_tags(r.id, 10) == [TagCount("roses", 1)]
    assert [(e.user, e.points) for e in store.stats.leaderboard(r.id, 10)] == [(ALICE, 2)]


def test_changes_since_are_oldest_first_paginated(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    m1 = store.messages.add_message(msg(ids, r.id, at=T0 + 1))
    m2 = store.messages.add_message(msg(ids, r.id, at=T0 + 2))
    m3 = store.messages.add_message(msg(ids, r.id, at=T0 + 3))
    store.messages.add_message(msg(ids, r.id, at=T0 + 4))
    m1e = store.messages.replace_message(
        edit(m1, T0 + 9, text="edited"), 1, TagChange(frozenset(), frozenset()), 0, POSITIVE
    )

    def changes(since: int) -> list[list[str]]:
        return drain(
            lambda lim, tok: store.messages.list_changes_for_room(r.id, since, lim, tok), 2
        )

    assert changes(T0 + 2) == [[m3.id, ids_at(store, r.id, T0 + 4)], [m1e.id]]
    assert flat(changes(0)) == [m2.id, m3.id, ids_at(store, r.id, T0 + 4), m1.id]
    assert changes(T0 + 9) == [[]]
    edited = store.messages.list_changes_for_room(r.id, T0 + 8, 10, None).items
    assert [(m.text, m.version, m.edited_at_ms) for m in edited] == [("edited", 2, T0 + 9)]


def ids_at(store: Store, room_id: str, at: int) -> str:
    page = store.messages.list_messages_for_room(room_id, 100, None)
    return next(m.id for m in page.items if m.created_at_ms == at)


# ------------------------------------------------------------------------------ tags


def test_messages_by_tag_across_rooms_newest_first_paginated(store: Store, ids: Ids) -> None:
    r1, r2 = create(store, room(ids)), create(store, room(ids, public=False, owner=BOB))
    expected = []
    for i in range(5):
        target = r1 if i % 2 == 0 else r2
        author = ALICE if target is r1 else BOB
        expected.append(
            store.messages.add_message(
                msg(ids, target.id, author=author, tags=("roses",), at=T0 + 10 * i)
            ).id
        )
    store.messages.add_message(msg(ids, r1.id, tags=("tulips",), at=T0 + 100))

    everywhere = drain(
        lambda lim, tok: store.messages.list_messages_for_tag("roses", None, lim, tok), 2
    )
    only_r2 = drain(
        lambda lim, tok: store.messages.list_messages_for_tag("roses", r2.id, lim, tok), 1
    )

    assert everywhere == [expected[4:2:-1], expected[2:0:-1], expected[:1]]
    assert flat(only_r2) == [expected[3], expected[1]]
    found = store.messages.list_messages_for_tag("roses", None, 10, None).items
    assert {m.room_id for m in found} == {r1.id, r2.id}
    assert found[0].text == "Hello garden" and found[0].translations  # whole messages
    assert store.messages.list_messages_for_tag("nothing", None, 10, None).items == []


def test_edit_that_changes_tags_moves_the_message_between_tag_searches(
    store: Store, ids: Ids
) -> None:
    r = create(store, room(ids))
    m = store.messages.add_message(msg(ids, r.id, tags=("roses", "rain")))

    edited = store.messages.replace_message(
        edit(m, T0 + 30, tags=("roses", "sun"), text="Roses in the sun"),
        1,
        TagChange(frozenset({"sun"}), frozenset({"rain"})),
        0,
        POSITIVE,
    )

    for tag, room_id in (("roses", r.id), ("sun", r.id), ("sun", None)):
        assert store.messages.list_messages_for_tag(tag, room_id, 10, None).items == [edited]
    assert store.messages.list_messages_for_tag("rain", r.id, 10, None).items == []
    assert store.messages.list_messages_for_tag("rain", None, 10, None).items == []


# ------------------------------------------------------------------------------ page tokens


def test_invalid_page_tokens_are_refused(store: Store, ids: Ids) -> None:
    r1, r2 = create(store, room(ids)), create(store, room(ids))
    for r in (r1, r2):
        for _ in range(3):
            store.messages.add_message(msg(ids, r.id, tags=("roses",)))
    token = store.messages.list_messages_for_room(r1.id, 1, None).next_token
    tag_token = store.messages.list_messages_for_tag("roses", r1.id, 1, None).next_token
    assert token is not None and tag_token is not None

    forged = base64.urlsafe_b64encode(json.dumps({"pk": {"S": "x"}}).encode()).decode()
    for bad in ("garbage!", "", forged, "eyJ9", "x" * 5000):
        with pytest.raises(InvalidPageTokenError):
            store.messages.list_messages_for_room(r1.id, 1, bad)
    # A token only works for the query (and partition) that made it.
    with pytest.raises(InvalidPageTokenError):
        store.messages.list_messages_for_room(r2.id, 1, token)
    with pytest.raises(InvalidPageTokenError):
        store.messages.list_messages_for_tag("roses", r2.id, 1, tag_token)
    with pytest.raises(InvalidPageTokenError):
        store.messages.list_messages_for_tag("tulips", r1.id, 1, tag_token)
    with pytest.raises(InvalidPageTokenError):
        store.rooms.list_rooms_for_user(ALICE.id, 1, token)
    with pytest.raises(InvalidPageTokenError):
        store.rooms.list_public_rooms(1, token)
    # The genuine token still works.
    assert len(store.messages.list_messages_for_room(r1.id, 1, token).items) == 1


# ------------------------------------------------------------------------------ stats, profiles


def test_points_feed_the_leaderboard_and_profile(store: Store, ids: Ids) -> None:
    r = create(store, room(ids))
    store.profiles.put_profile(Profile(ALICE, "en"))
    store.messages.add_message(msg(ids, r.id, points=3))
    bob_post = store.messages.add_message(msg(ids, r.id, author=BOB, points=5))
    store.messages.add_message(msg(ids, r.id, author=CAROL, points=0))
    store.messages.add_message(msg(ids, r.id, points=1))

    board = store.stats.leaderboard(r.id, 10)
    assert [(e.rank, e.user, e.points) for e in board] == [(1, BOB, 5), (2, ALICE, 4)]
    assert store.stats.leaderboard(r.id, 1)[0].user == BOB

    # When Bob's message is deleted its points are revoked
    delete(store, bob_post, T0 + 99)
    assert [(e.rank, e.user, e.points) for e in store.stats.leaderboard(r.id, 10)] == [
        (1, ALICE, 4)
    ]
    profile = store.profiles.get_profile(ALICE.id)
    assert profile is not None and profile.points == 4


def test_rejections_are_counted_and_profile_counters_survive_updates(
    store: Store, ids: Ids
) -> None:
    r = create(store, room(ids))
    store.stats.record_rejection(r.id, BOB, T0)
    store.messages.add_message(msg(ids, r.id, author=BOB, points=2))
    store.stats.record_rejection(r.id, BOB, T0)

    # When Bob's profile is created (after counters exist) and later changed
    created = store.profiles.put_profile(Profile(BOB, "fr"))
    updated = store.profiles.put_profile(Profile(BOB, "de", points=0, rejected_count=0))

    assert (created.preferred_language, created.points, created.rejected_count) == ("fr", 2, 2)
    assert updated == Profile(BOB, "de", points=2, rejected_count=2)
    assert store.profiles.get_profile(BOB.id) == updated
    assert store.profiles.get_profile("sub-nobody") is None


def test_translation_cache_round_trip(store: Store) -> None:
    cache = store.translations
    assert cache is not None
    cache.put_many("k1", {"fr": "Bonjour", "de": "Hallo"})
    cache.put_many("k2", {"fr": "Salut"})

    assert cache.get_many("k1", ["fr", "de", "es"]) == {"fr": "Bonjour", "de": "Hallo"}
    assert cache.get_many("k2", ["fr", "fr"]) == {"fr": "Salut"}
    assert cache.get_many("k3", ["fr"]) == {}
    assert cache.get_many("k1", []) == {}


# ------------------------------------------------------------------------------ DynamoDB items


def raw(backend: Backend, pk: str, sk: str) -> Any:
    item = backend.client.get_item(
        TableName=backend.table, Key={"pk": {"S": pk}, "sk": {"S": sk}}, ConsistentRead=True
    )
    return item.get("Item")


def test_live_table_matches_table_definition(dynamo: Backend) -> None:
    table = dynamo.client.describe_table(TableName=dynamo.table)["Table"]
    ttl = dynamo.client.describe_time_to_live(TableName=dynamo.table)["TimeToLiveDescription"]

    assert {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]} == {
        (a["AttributeName"], a["AttributeType"]) for a in TABLE_DEFINITION["AttributeDefinitions"]
    }
    assert {g["IndexName"]: g["KeySchema"] for g in table["GlobalSecondaryIndexes"]} == {
        g["IndexName"]: g["KeySchema"] for g in TABLE_DEFINITION["GlobalSecondaryIndexes"]
    }
    assert all(g["Projection"]["ProjectionType"] == "ALL" for g in table["GlobalSecondaryIndexes"])
    assert table["StreamSpecification"] == {
        "StreamEnabled": True,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    assert (ttl["AttributeName"], ttl["TimeToLiveStatus"]) == ("expiresAt", "ENABLED")


def test_tombstones_expire_and_live_messages_do_not(dynamo: Backend, ids: Ids) -> None:
    store = dynamo.store
    r = create(store, room(ids))
    live = store.messages.add_message(msg(ids, r.id))
    gone = store.messages.add_message(msg(ids, r.id))
    delete(store, gone, T0 + 10_000)

    assert "expiresAt" not in raw(dynamo, f"ROOM#{r.id}", f"MSG#{live.id}")
    item = raw(dynamo, f"ROOM#{r.id}", f"MSG#{gone.id}")
    assert item is not None
    assert int(item["expiresAt"]["N"]) == (T0 + 10_000) // 1000 + TOMBSTONE_TTL_SECONDS


def test_zero_counters_stay_stored_but_hidden(dynamo: Backend, ids: Ids) -> None:
    store = dynamo.store
    r = create(store, room(ids))
    m = store.messages.add_message(msg(ids, r.id, tags=("rain",)))
    delete(store, m, T0 + 1)

    counter = raw(dynamo, f"ROOM#{r.id}", "TAG#rain")
    assert counter is not None and counter["gsi3sk"] == {"N": "0"}
    assert store.stats.top_tags(r.id, 10) == []
    assert raw(dynamo, f"ROOM#{r.id}#TAG#rain", f"MSG#{m.id}") is None  # link removed


def test_forged_token_for_another_partition_is_refused(dynamo: Backend, ids: Ids) -> None:
    store = dynamo.store
    r1, r2 = create(store, room(ids)), create(store, room(ids))
    store.messages.add_message(msg(ids, r2.id))
    forged = {"pk": {"S": f"ROOM#{r2.id}"}, "sk": {"S": "MSG#ZZZZZZZZZZZZZZZZZZZZZZZZZZ"}}
    token = base64.urlsafe_b64encode(json.dumps(forged).encode()).decode().rstrip("=")

    with pytest.raises(InvalidPageTokenError):
        store.messages.list_messages_for_room(r1.id, 10, token)
    # The same shape for the right room is accepted (and reads r2's history).
    assert len(store.messages.list_messages_for_room(r2.id, 10, token).items) == 1


def test_missing_room_is_not_found_for_update_and_join(dynamo: Backend, ids: Ids) -> None:
    ghost = room(ids)
    with pytest.raises(NotFoundError):
        dynamo.store.rooms.update_room(ghost)
    with pytest.raises(NotFoundError):
        dynamo.store.rooms.add_membership(Membership(ghost.id, BOB, Role.MEMBER, "en", T0))
    assert raw(dynamo, f"ROOM#{ghost.id}", f"MEMBER#{BOB.id}") is None


def test_counters_before_profile_do_not_make_a_profile(dynamo: Backend, ids: Ids) -> None:
    r = create(dynamo.store, room(ids))
    dynamo.store.stats.record_rejection(r.id, CAROL, T0)
    assert dynamo.store.profiles.get_profile(CAROL.id) is None


def test_expired_translations_are_not_served(dynamo: Backend) -> None:
    cache = dynamo.store.translations
    assert cache is not None
    cache.put_many("k", {"fr": "Bonjour"})
    dynamo.clock.now += CACHE_TTL_SECONDS + 1
    assert cache.get_many("k", ["fr"]) == {}


def test_stream_images_decode_to_the_stored_message(dynamo: Backend, ids: Ids) -> None:
    store = dynamo.store
    r = create(store, room(ids))
    m = store.messages.add_message(msg(ids, r.id, tags=("roses",), points=2))
    edited = store.messages.replace_message(
        edit(m, T0 + 5, text="New"), 1, TagChange(frozenset(), frozenset()), 0, POSITIVE
    )

    streams = (
        boto3.client(
            "dynamodbstreams",
            endpoint_url=dynamo.client.meta.endpoint_url,
            region_name="us-east-1",
            aws_access_key_id="local",
            aws_secret_access_key="local",
        )
        if dynamo.name == "dynamodb_local"
        else boto3.client("dynamodbstreams", region_name="us-east-1")
    )
    arn = dynamo.client.describe_table(TableName=dynamo.table)["Table"]["LatestStreamArn"]
    records = []
    for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(
            StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    message_key = {"pk": {"S": f"ROOM#{r.id}"}, "sk": {"S": f"MSG#{m.id}"}}
    images = [rec["dynamodb"] for rec in records if rec["dynamodb"]["Keys"] == message_key]

    assert [message_from_item(i["NewImage"]) for i in images] == [m, edited]
    assert message_from_item(images[1]["OldImage"]) == m
    assert images[0]["NewImage"]["entity"] == {"S": "MESSAGE"}
    # The publisher tells a reader-visible change (a new version) from bookkeeping
    decoded = [decode_stream_record(rec) for rec in records if rec["dynamodb"]["Keys"] == message_key]
    assert [(d.event_name, d.previous_version) for d in decoded] == [("INSERT", None), ("MODIFY", 1)]
