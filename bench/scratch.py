"""The benchmarks' scratch databases: each benchmark loads its data into a database of its
own on the configured server (never the one ``make run`` uses), created and migrated
through Django's test-database machinery, and dropped afterwards unless kept."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def scratch_database(name: str, *, keepdb: bool = False, drop: bool = True) -> Iterator[str]:
    """Point Django's default connection at database ``name``, created (or, with
    ``keepdb``, reused as it is) and migrated; drop it on the way out when ``drop``.

    Yields the name. The connection keeps pointing at ``name`` until it is dropped, so a
    kept database can be read after the block (bench_load hands it to gunicorn)."""
    old = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=keepdb)
    try:
        yield name
    finally:
        if drop:
            connection.creation.destroy_test_db(old, verbosity=0)
