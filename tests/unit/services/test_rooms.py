"""RoomService and StatsService on in-memory ports."""

from __future__ import annotations

import pytest
from positive_chat.domain import commands
from positive_chat.domain.errors import UnauthorizedError, ValidationError
from positive_chat.domain.model import Role, Visibility

from .conftest import ALICE, ANONYMOUS, BOB, TOOL


def _create(world, visibility=Visibility.PUBLIC, **kw):
    return world.services.rooms.create(commands.CreateRoom(ALICE, "Lounge", visibility, **kw))


def test_owner_is_the_first_member_with_their_language(world):
    room = _create(world, language="it")
    assert room.owner.id == ALICE.user_id
    assert room.member_count == 1
    assert room.reader_languages == ["it"]
    membership = world.store.get_membership(room.id, ALICE.user_id)
    assert membership.role is Role.OWNER


def test_default_reading_language_comes_from_the_profile(world):
    world.services.stats.set_language(ALICE, "de")
    assert _create(world).reader_languages == ["de"]


def test_join_counts_members_and_languages_and_language_changes(world):
    room = _create(world, language="en")
    world.services.rooms.join(commands.JoinRoom(BOB, room.id, "fr"))
    assert world.store.get_room(room.id).languages == {"en": 1, "fr": 1}
    assert world.store.get_room(room.id).member_count == 2
    world.services.rooms.join(commands.JoinRoom(BOB, room.id, "es"))  # change of language
    stored = world.store.get_room(room.id)
    assert stored.member_count == 2
    assert stored.reader_languages == ["en", "es"]
    world.services.rooms.leave(commands.LeaveRoom(BOB, room.id))
    assert world.store.get_room(room.id).reader_languages == ["en"]


def test_private_rooms_need_an_invitation(world):
    room = _create(world, Visibility.PRIVATE)
    with pytest.raises(UnauthorizedError, match="invitation"):
        world.services.rooms.join(commands.JoinRoom(BOB, room.id))
    with pytest.raises(UnauthorizedError, match="owner"):
        world.services.rooms.invite(commands.InviteToRoom(BOB, room.id, "bob"))
    world.services.rooms.invite(commands.InviteToRoom(ALICE, room.id, "bob"))
    assert world.services.rooms.join(commands.JoinRoom(BOB, room.id)).role is Role.MEMBER


def test_private_rooms_are_hidden_from_strangers_and_api_keys(world):
    room = _create(world, Visibility.PRIVATE)
    for outsider in (BOB, ANONYMOUS):
        with pytest.raises(UnauthorizedError):
            world.services.rooms.get(outsider, room.id)
    assert world.services.rooms.get(TOOL, room.id).id == room.id
    assert world.services.rooms.list_rooms(ANONYMOUS, False, None, None).items == []


def test_owner_cannot_leave_and_only_owner_updates(world):
    room = _create(world)
    with pytest.raises(ValidationError, match="owner cannot leave"):
        world.services.rooms.leave(commands.LeaveRoom(ALICE, room.id))
    world.services.rooms.join(commands.JoinRoom(BOB, room.id))
    with pytest.raises(UnauthorizedError):
        world.services.rooms.update(commands.UpdateRoom(BOB, room.id, negativity_threshold=0.9))
    updated = world.services.rooms.update(
        commands.UpdateRoom(ALICE, room.id, negativity_threshold=0.9)
    )
    assert updated.negativity_threshold == 0.9
    assert world.store.get_room(room.id).negativity_threshold == 0.9


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"name": ""}, "name must not be empty"),
        ({"name": "x" * 81}, "limit is 80"),
        ({"negativity_threshold": 0.2}, "negativityThreshold"),
        ({"language": "klingon"}, "language code"),
    ],
)
def test_invalid_rooms_are_refused_and_nothing_is_written(world, kwargs, match):
    args = {"name": "Lounge", **kwargs}
    with pytest.raises(ValidationError, match=match):
        world.services.rooms.create(
            commands.CreateRoom(ALICE, visibility=Visibility.PUBLIC, **args)
        )
    assert world.store.rooms == {}


def test_rooms_list_public_newest_first_and_mine(world):
    first = _create(world)
    second = _create(world, Visibility.PRIVATE)
    public = world.services.rooms.list_rooms(BOB, False, None, None)
    assert [r.id for r in public.items] == [first.id]
    mine = world.services.rooms.list_rooms(ALICE, True, None, None)
    assert [r.id for r in mine.items] == [second.id, first.id]
    with pytest.raises(UnauthorizedError):
        world.services.rooms.list_rooms(ANONYMOUS, True, None, None)


def test_leaderboard_and_profile_points(world):
    room = _create(world)
    world.services.rooms.join(commands.JoinRoom(BOB, room.id))
    post = world.services.messages.post
    post(commands.PostMessage(ALICE, room.id, "I love it, great", "client-lb001"))
    post(commands.PostMessage(BOB, room.id, "neutral remark", "client-lb002"))
    board = world.services.stats.leaderboard(ANONYMOUS, room.id, None)
    assert [(e.rank, e.user.username) for e in board] == [(1, "alice")]
    assert world.services.stats.me(ALICE).points == board[0].points > 0


def test_me_creates_a_profile_on_first_use(world):
    profile = world.services.stats.me(BOB)
    assert profile.preferred_language == "en"
    assert world.store.get_profile(BOB.user_id) == profile
    with pytest.raises(UnauthorizedError):
        world.services.stats.me(ANONYMOUS)
