"""Reading series back fast: COPY … TO STDOUT (FORMAT BINARY) parsed by numpy.

Rows of fixed-size columns have a fixed byte layout, so ``np.frombuffer`` turns a whole
result into arrays without a Python object per value. COPY takes no bind parameters, so
the statement is composed with psycopg.sql.Literal (ids and datetimes only).
"""

from __future__ import annotations

from datetime import datetime

import numpy as np
from psycopg import sql

from telemetry.store.copybin import PG_EPOCH_US
from telemetry.store.db import pg

_HEADER = 19


def copy_out(query: sql.Composable, columns: list[tuple[str, str]]) -> np.ndarray:
    """Run ``query`` through binary COPY; columns are (name, 'ts'|'f8'|'i4'|'i8')."""
    sizes = {"ts": ">i8", "f8": ">f8", "i4": ">i4", "i8": ">i8"}
    dtype = np.dtype(
        [("nf", ">i2")]
        + [f for name, kind in columns for f in ((f"l_{name}", ">i4"), (name, sizes[kind]))]
    )
    with pg().cursor() as cur:
        stmt = sql.SQL("COPY ({}) TO STDOUT (FORMAT BINARY)").format(query)
        with cur.copy(stmt) as cp:
            data = b"".join(bytes(chunk) for chunk in cp)
    body = data[_HEADER:-2] if len(data) > _HEADER + 2 else b""
    rec = np.frombuffer(body, dtype=dtype)
    out = {}
    for name, kind in columns:
        col = rec[name]
        if kind == "ts":
            out[name] = (col.astype(np.int64) + PG_EPOCH_US).astype("datetime64[us]")
        else:
            out[name] = col.astype(kind)
    return out


def lit(value: int | float | datetime) -> sql.Literal:
    return sql.Literal(value)
