"""Seed realistic chat data THROUGH the repositories, so every counter is what the API keeps.

Rooms, memberships, posts, edits, deletes and rejections go through the same store ports as
the resolvers (``RoomRepository``, ``MessageRepository``, ``StatsRepository``), hence through
the same transactions that maintain the tag cloud, points and analytics counters. The plan is
decided from the seed alone (tools/_seed_plan.py), so a seed always yields the same data;
workers then write independent message histories concurrently.

CLI (from the repository root; DynamoDB Local or AWS)::

    .venv/bin/python -m tools.seed_messages --endpoint http://127.0.0.1:8000 --table chat \\
        --rooms 20 --days 90 --messages 50000 --seed 42 [--create-table] [--workers 16]

Function API (tests, benchmarks)::

    from tools.seed_messages import SeedConfig, dynamodb_store, seed
    report = seed(dynamodb_store(client, table), SeedConfig(rooms=5, days=30, messages=3000))
    report.plan.final_messages()   # the truth to check queries against

Seed into an empty table: a second run refuses (the rooms exist), because rejections are
counters without an idempotency key and would count twice.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

from positive_chat.bootstrap import Store
from positive_chat.domain.analytics import MS_PER_DAY, sentiment_bucket
from positive_chat.domain.errors import ConflictError, StoreError
from positive_chat.domain.model import Membership, Message, Role
from positive_chat.domain.tags import tag_delta
from positive_chat.ports import TagChange

from tools._seed_plan import DEFAULT_END_MS, Chain, SeedConfig, SeedPlan, build_plan

__all__ = ["SeedConfig", "SeedPlan", "SeedReport", "build_plan", "dynamodb_store", "main", "seed"]

T = TypeVar("T")
_ATTEMPTS = 5  # per write, on top of the adapter's own conflict retries


@dataclass(frozen=True)
class SeedReport:
    """What was written and how fast. Rates are over the message phase only (posts with
    their edits and deletes), which is what grows with --messages; rooms, memberships and
    rejections are timed apart."""

    plan: SeedPlan
    seconds: float
    rooms_seconds: float
    messages_seconds: float
    posts: int
    edits: int
    deletes: int
    rejections: int

    @property
    def messages_per_second(self) -> float:
        return self.posts / self.messages_seconds if self.messages_seconds else 0.0

    @property
    def writes_per_second(self) -> float:
        """Message writes (posts, edits, deletes: one transaction each) per second."""
        writes = self.posts + self.edits + self.deletes
        return writes / self.messages_seconds if self.messages_seconds else 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "config": vars(self.plan.config),
            "rooms": len(self.plan.rooms),
            "memberships": len(self.plan.members),
            "posts": self.posts,
            "edits": self.edits,
            "deletes": self.deletes,
            "rejections": self.rejections,
            "seconds": round(self.seconds, 2),
            "rooms_seconds": round(self.rooms_seconds, 2),
            "messages_seconds": round(self.messages_seconds, 2),
            "messages_per_second": round(self.messages_per_second, 1),
            "writes_per_second": round(self.writes_per_second, 1),
        }


def dynamodb_store(client: Any, table: str, *, tombstone_ttl_days: int = 30) -> Store:
    """The DynamoDB adapters on an injected boto3 client (as bootstrap wires them)."""
    from positive_chat.adapters.dynamodb import (
        DynamoAnalyticsRepository,
        DynamoMessageRepository,
        DynamoProfileRepository,
        DynamoRoomRepository,
        DynamoStatsRepository,
        DynamoTranslationCache,
    )

    return Store(
        rooms=DynamoRoomRepository(client, table),
        messages=DynamoMessageRepository(
            client, table, tombstone_ttl_seconds=tombstone_ttl_days * 86400
        ),
        stats=DynamoStatsRepository(client, table),
        profiles=DynamoProfileRepository(client, table),
        translations=DynamoTranslationCache(client, table, ttl_seconds=30 * 86400),
        analytics=DynamoAnalyticsRepository(client, table),
    )


def seed(
    store: Store,
    config: SeedConfig,
    *,
    workers: int = 16,
    progress: Callable[[str], None] | None = None,
) -> SeedReport:
    """Write ``build_plan(config)`` through the store; returns the plan and the rates.

    Raises
    ------
    RuntimeError
        the first planned room exists already (the table was seeded before).
    StoreError
        a write still failed after retries.
    """
    say = progress or (lambda _line: None)
    plan = build_plan(config)
    if plan.rooms and store.rooms.get_room(plan.rooms[0].id) is not None:
        raise RuntimeError(f"room {plan.rooms[0].id} exists: seed into an empty table")
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        # Memberships of one room are written in order (each moves the room's counts).
        list(pool.map(lambda room_id: _rooms(store, plan, room_id), [r.id for r in plan.rooms]))
        say(f"{len(plan.rooms)} rooms, {len(plan.members)} memberships")
        rooms_done = time.perf_counter()
        _drain(pool, lambda chain: _chain(store, chain), plan.chains, say, "messages")
        messages_done = time.perf_counter()
        _drain(
            pool,
            lambda r: _retry(lambda: store.stats.record_rejection(r.room_id, r.author, r.at_ms)),
            plan.rejections,
            say,
            "rejections",
        )
    return SeedReport(
        plan,
        time.perf_counter() - started,
        rooms_seconds=rooms_done - started,
        messages_seconds=messages_done - rooms_done,
        posts=len(plan.chains),
        edits=sum(1 for c in plan.chains if c.edit is not None),
        deletes=sum(1 for c in plan.chains if c.tombstone is not None),
        rejections=len(plan.rejections),
    )


def _drain(
    pool: ThreadPoolExecutor,
    work: Callable[[T], object],
    items: Iterable[T],
    say: Callable[[str], None],
    what: str,
) -> None:
    for done, _ in enumerate(pool.map(work, items), start=1):
        if done % 5000 == 0:
            say(f"{done} {what}")


def _rooms(store: Store, plan: SeedPlan, room_id: str) -> None:
    room = next(r for r in plan.rooms if r.id == room_id)
    (owner_language,) = room.languages
    owner = Membership(room.id, room.owner, Role.OWNER, owner_language, room.created_at_ms)
    _retry(lambda: store.rooms.create_room(room, owner))
    for member in (m for m in plan.members if m.room_id == room_id):
        _retry(partial(store.rooms.add_membership, member))


def _chain(store: Store, chain: Chain) -> None:
    """Post, edit, delete: each step conditioned on the previous version, as the API does."""
    _retry(lambda: store.messages.add_message(chain.post))
    current = chain.post
    for target in (chain.edit, chain.tombstone):
        if target is not None:
            _replace(store, current, target)
            current = target


def _replace(store: Store, current: Message, target: Message) -> None:
    added, removed = tag_delta(current.tags, target.tags)

    def write() -> None:
        try:
            store.messages.replace_message(
                target,
                current.version,
                TagChange(added, removed),
                target.points - current.points,
                sentiment_bucket(current.sentiment),
            )
        except ConflictError as exc:
            # An earlier attempt committed before its answer was lost: that is success.
            if exc.current.version != target.version:
                raise

    _retry(write)


def _retry(write: Callable[[], object]) -> None:
    for attempt in range(1, _ATTEMPTS + 1):
        try:
            write()
            return
        except StoreError:
            # Throttling or transaction conflicts that outlasted the adapter's own retries
            # (many workers on one day's counters); posts are idempotent on clientId.
            if attempt == _ATTEMPTS:
                raise
            time.sleep(0.05 * 2**attempt)


# ------------------------------------------------------------------------------ CLI


def _end(value: str) -> int:
    if value == "today":
        now = int(time.time() * 1000)
        return now - now % MS_PER_DAY + MS_PER_DAY
    stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return int(stamp.astimezone(UTC).timestamp() * 1000)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tools.seed_messages", description=__doc__.split("\n")[0]
    )
    p.add_argument("--endpoint", help="DynamoDB endpoint (DynamoDB Local); default: AWS")
    p.add_argument("--table", required=True)
    p.add_argument("--region", default="us-east-1")
    p.add_argument("--rooms", type=int, default=20)
    p.add_argument("--days", type=int, default=90)
    p.add_argument("--messages", type=int, default=50_000)
    p.add_argument("--seed", type=int, default=42)
    p.add_argument(
        "--end",
        type=_end,
        default=DEFAULT_END_MS,
        help="end of the seeded period: ISO time (default 2026-01-01T00:00:00Z) or 'today'",
    )
    p.add_argument("--workers", type=int, default=16, help="concurrent writers (default 16)")
    p.add_argument("--create-table", action="store_true", help="create the table first")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    import boto3
    from botocore.config import Config

    # DynamoDB Local takes any credentials; AWS uses the default chain.
    key = "local" if args.endpoint else None
    client = boto3.client(
        "dynamodb",
        region_name=args.region,
        endpoint_url=args.endpoint,
        aws_access_key_id=key,
        aws_secret_access_key=key,
        config=Config(
            retries={"mode": "standard", "max_attempts": 5},
            max_pool_connections=args.workers + 4,
        ),
    )
    if args.create_table:
        from positive_chat.adapters.dynamodb import create_table

        create_table(client, args.table)
    config = replace(
        SeedConfig(),
        rooms=args.rooms,
        days=args.days,
        messages=args.messages,
        seed=args.seed,
        end_ms=args.end,
    )
    try:
        report = seed(
            dynamodb_store(client, args.table),
            config,
            workers=args.workers,
            progress=lambda line: print(line, file=sys.stderr),
        )
    except RuntimeError as exc:
        print(f"seed_messages: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(report.summary(), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
