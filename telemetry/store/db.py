"""Database plumbing shared by the store modules: the psycopg connection and small caches.

The hot path uses psycopg 3 directly (binary COPY) on Django's own connection, so that it
joins Django's transaction handling (atomic blocks, test rollbacks) rather than working
around it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
from django.db import connection, transaction


def pg() -> psycopg.Connection:
    """Django's underlying psycopg connection, opened if needed."""
    connection.ensure_connection()
    return connection.connection


def db_key() -> tuple[str, str]:
    """Which database a cache entry belongs to (tests switch to a test database)."""
    return (connection.alias, str(connection.settings_dict.get("NAME")))


class CommittedCache:
    """A per-process dict whose entries are added only once the transaction commits.

    Registry rows or partitions created inside a transaction that then rolls back must not
    stay in the cache, or later batches would write rows for sets that do not exist.
    Outside an atomic block ``on_commit`` runs at once; inside one (tests) it runs at the
    outermost commit, and until then look-ups simply go back to the database.
    """

    def __init__(self) -> None:
        self._data: dict[tuple, dict] = {}

    def scope(self) -> dict[Any, Any]:
        """The entries of the current database (look up once per call, then plain gets)."""
        return self._data.setdefault(db_key(), {})

    def get(self, key: Any) -> Any:
        return self.scope().get(key)

    def __contains__(self, key: Any) -> bool:
        return key in self.scope()

    def add_on_commit(self, items: dict[Any, Any]) -> None:
        if not items:
            return
        scope = self.scope()
        transaction.on_commit(lambda: scope.update(items))

    def clear(self) -> None:
        self._data.clear()


_caches: list[CommittedCache] = []


def new_cache() -> CommittedCache:
    cache = CommittedCache()
    _caches.append(cache)
    return cache


def clear_caches() -> None:
    """Forget every in-process cache (tests call this between tests)."""
    for cache in _caches:
        cache.clear()


def run_atomic(fn: Callable[[], Any]) -> Any:
    """Run ``fn`` in its own atomic block (a savepoint when already inside one)."""
    with transaction.atomic():
        return fn()
