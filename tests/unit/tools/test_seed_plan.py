"""tools/_seed_plan.py: the same seed gives the same data; every planned write is one the API
could have made (valid ids and tags, versions in order, times inside the period)."""

from __future__ import annotations

from positive_chat.domain.ids import ulid_time_ms
from positive_chat.domain.limits import check_client_id
from positive_chat.domain.moderation import points_for
from positive_chat.domain.tags import normalise_tag

from tools._seed_plan import SeedConfig, build_plan

CONFIG = SeedConfig(rooms=4, days=10, messages=600, seed=5, edit_rate=0.2, delete_rate=0.2)


def test_a_seed_always_plans_the_same_data() -> None:
    first, again = build_plan(CONFIG), build_plan(CONFIG)
    other = build_plan(SeedConfig(rooms=4, days=10, messages=600, seed=6))

    assert first.final_messages() == again.final_messages()
    assert first.rejections == again.rejections and first.members == again.members
    assert first.final_messages() != other.final_messages()


def test_planned_messages_are_ones_the_api_could_store() -> None:
    plan = build_plan(CONFIG)
    ids = [c.post.id for c in plan.chains]
    assert len(set(ids)) == len(ids) == 600
    assert len({c.post.client_id for c in plan.chains}) == 600
    members = {(m.room_id, m.user.id) for m in plan.members} | {
        (r.id, r.owner.id) for r in plan.rooms
    }
    for chain in plan.chains:
        post = chain.post
        check_client_id(post.client_id)
        assert ulid_time_ms(post.id) == post.created_at_ms
        assert CONFIG.start_ms <= post.created_at_ms < CONFIG.end_ms
        assert (post.room_id, post.author.id) in members
        assert all(normalise_tag(t) == t for t in post.tags) and len(set(post.tags)) == len(
            post.tags
        )
        assert post.points == points_for(post.sentiment)
        steps = [s for s in (post, chain.edit, chain.tombstone) if s is not None]
        assert [s.version for s in steps] == list(range(1, len(steps) + 1))
        changes = [s.last_changed_at_ms for s in steps]
        assert changes == sorted(changes) and len(set(changes)) == len(changes)
        assert changes[-1] < CONFIG.end_ms
        if chain.tombstone is not None:
            assert chain.final.deleted and chain.final.tags == () and chain.final.points == 0
    assert any(c.edit for c in plan.chains) and any(c.tombstone for c in plan.chains)
    assert len(plan.rejections) == round(600 * CONFIG.reject_rate)
