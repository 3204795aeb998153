"""Snapshot and restore moto's Cognito users, keeping each user's `sub` (moto 5.2.x internals).

Why internals: moto persists nothing, and the public API cannot set `sub` (Cognito
generates it). Resolvers usually key data on `sub`, so a user recreated with a new one
would lose everything they own after a restart. The moto version is pinned in
pyproject.toml; tests/integration/runtime_ops/test_cognito_local.py fails if these
attributes move.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from moto.cognitoidp.models import (
    CognitoIdpUser,
    CognitoIdpUserPool,
    UserStatus,
    cognitoidp_backends,
)


def find_pool(pool_id: str) -> CognitoIdpUserPool:
    """The moto pool object with this id (any account; region from the id)."""
    for _account, regional in cognitoidp_backends.items():
        for _region, backend in regional.items():
            pool = backend.user_pools.get(pool_id)
            if pool is not None:
                return pool
    raise KeyError(f"no moto user pool {pool_id}")


def snapshot_users(pool_id: str) -> list[dict[str, Any]]:
    """Every user of the pool as plain JSON (passwords included: local dev data only)."""
    pool = find_pool(pool_id)
    users: list[dict[str, Any]] = []
    # list(): the moto server thread may add users while we read.
    for user in list(pool.users.values()):
        users.append({
            "username": user.username,
            "sub": user.id,
            "password": user.password,
            "status": _status_name(user.status),
            "enabled": bool(user.enabled),
            "attributes": [a for a in user.attributes if a.get("Name") != "sub"],
            "groups": sorted(g.group_name for g in list(user.groups)),
        })
    users.sort(key=lambda u: str(u["username"]))
    return users


def _status_name(status: Any) -> str:
    return status.value if isinstance(status, UserStatus) else str(status)


def restore_users(pool_id: str, users: list[dict[str, Any]]) -> list[str]:
    """Recreate users with their original `sub`; returns the usernames restored."""
    pool = find_pool(pool_id)
    restored = []
    for data in users:
        if data["username"] in pool.users:
            continue
        user = CognitoIdpUser(
            pool_id, data["username"], data.get("password"),
            _status(data.get("status", "CONFIRMED")), list(data.get("attributes", [])),
        )
        user.id = data["sub"]
        user.update_attributes([{"Name": "sub", "Value": data["sub"]}])
        user.enabled = bool(data.get("enabled", True))
        pool.users[user.username] = user
        for name in data.get("groups", []):
            group = pool.groups.get(name)
            if group is not None:  # a group removed from the template: membership dropped
                group.users.add(user)
                user.groups.add(group)
        restored.append(user.username)
    return restored


def _status(name: str) -> UserStatus:
    try:
        return UserStatus[name]
    except KeyError:
        return UserStatus.CONFIRMED


def forget_pool(pool_id: str) -> None:
    """Remove the pool from moto's process-wide state (tests start several runtimes)."""
    for _account, regional in cognitoidp_backends.items():
        for _region, backend in regional.items():
            backend.user_pools.pop(pool_id, None)


def iter_usernames(pool_id: str) -> Iterator[str]:
    yield from list(find_pool(pool_id).users)
