"""PostgreSQL binary COPY encoding for wide rows, built with numpy (no per-value Python).

A wide row is (set_id int4, ts timestamptz, vals float8[]). Rows without NULLs of one width
have a fixed byte layout, so a numpy structured array *is* the COPY stream: filling its
fields is vectorised, ``tobytes()`` is one memcpy. Rows with NULLs (rare: a refused value,
a series missing from a frame) vary in size and go through a small per-row encoder.
"""

from __future__ import annotations

import struct

import numpy as np

HEADER = b"PGCOPY\n\xff\r\n\x00" + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)
FLOAT8_OID = 701
PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01 in Unix microseconds
_ARRAY_HEAD = 20  # ndim, has-nulls flag, element oid, dimension, lower bound


def row_dtype(width: int, extra_bool: bool = False) -> np.dtype:
    """The byte layout of one complete row of ``width`` values (optionally + a bool column)."""
    fields = [
        ("nf", ">i2"),
        ("l_set", ">i4"),
        ("set_id", ">i4"),
        ("l_ts", ">i4"),
        ("ts", ">i8"),
        ("l_arr", ">i4"),
        ("ndim", ">i4"),
        ("hasnull", ">i4"),
        ("oid", ">i4"),
        ("dim", ">i4"),
        ("lb", ">i4"),
        ("el", [("len", ">i4"), ("v", ">f8")], (width,)),
    ]
    if extra_bool:
        fields += [("l_b", ">i4"), ("b", "u1")]
    return np.dtype(fields)


def encode_complete(
    set_ids: np.ndarray, ts_pg: np.ndarray, vals: np.ndarray, flag: np.ndarray | None = None
) -> bytes:
    """COPY bytes for rows without NULLs: ``vals`` is (rows, width) float64, all finite.

    ``ts_pg`` is microseconds since 2000-01-01 (PostgreSQL's epoch). ``flag``: an optional
    trailing boolean column.
    """
    n, width = vals.shape
    rec = np.empty(n, dtype=row_dtype(width, flag is not None))
    rec["nf"] = 3 if flag is None else 4
    rec["l_set"] = 4
    rec["set_id"] = set_ids
    rec["l_ts"] = 8
    rec["ts"] = ts_pg
    rec["l_arr"] = _ARRAY_HEAD + 12 * width
    rec["ndim"] = 1
    rec["hasnull"] = 0
    rec["oid"] = FLOAT8_OID
    rec["dim"] = width
    rec["lb"] = 1
    rec["el"]["len"] = 8
    rec["el"]["v"] = vals
    if flag is not None:
        rec["l_b"] = 1
        rec["b"] = flag
    return rec.tobytes()


def encode_with_nulls(
    set_ids: np.ndarray, ts_pg: np.ndarray, vals: np.ndarray, flag: np.ndarray | None = None
) -> bytes:
    """COPY bytes for rows where NaN in ``vals`` means NULL (the rare path, per row)."""
    out = []
    nf = 3 if flag is None else 4
    for i in range(len(set_ids)):
        row = vals[i]
        present = ~np.isnan(row)
        width = len(row)
        body = [struct.pack(">iiiii", 1, int(not present.all()), FLOAT8_OID, width, 1)]
        for ok, v in zip(present.tolist(), row.tolist(), strict=True):
            body.append(struct.pack(">id", 8, v) if ok else b"\xff\xff\xff\xff")
        arr = b"".join(body)
        out.append(struct.pack(">hiiiqi", nf, 4, int(set_ids[i]), 8, int(ts_pg[i]), len(arr)))
        out.append(arr)
        if flag is not None:
            out.append(struct.pack(">iB", 1, int(bool(flag[i]))))
    return b"".join(out)


def encode_rows(
    set_ids: np.ndarray, ts_pg: np.ndarray, vals: np.ndarray, flag: np.ndarray | None = None
) -> bytes:
    """COPY body (no header) for rows of one width, choosing the fast path where it can."""
    if len(set_ids) == 0:
        return b""
    nulls = np.isnan(vals).any(axis=1)
    if not nulls.any():
        return encode_complete(set_ids, ts_pg, vals, flag)
    keep = ~nulls
    parts = [
        encode_complete(
            set_ids[keep], ts_pg[keep], vals[keep], None if flag is None else flag[keep]
        ),
        encode_with_nulls(
            set_ids[nulls], ts_pg[nulls], vals[nulls], None if flag is None else flag[nulls]
        ),
    ]
    return b"".join(parts)


INT4_OID = 23
ROLLUP_ARRAYS = (
    ("cnt", ">i4", INT4_OID),
    ("mn", ">f8", FLOAT8_OID),
    ("mx", ">f8", FLOAT8_OID),
    ("sm", ">f8", FLOAT8_OID),
    ("lst", ">f8", FLOAT8_OID),
)


def rollup_dtype(width: int) -> np.dtype:
    """Byte layout of a rollup row: set_id, bucket, cnt int4[], mn/mx/sm/lst float8[]."""
    fields = [("nf", ">i2"), ("l_set", ">i4"), ("set_id", ">i4"), ("l_ts", ">i4"), ("ts", ">i8")]
    for name, kind, _ in ROLLUP_ARRAYS:
        fields += [
            (f"l_{name}", ">i4"),
            (f"h_{name}", ">i4", (5,)),
            (name, [("len", ">i4"), ("v", kind)], (width,)),
        ]
    return np.dtype(fields)


def encode_rollups(set_ids, ts_pg, arrays: dict[str, np.ndarray]) -> bytes:
    """COPY body for rollup rows; ``arrays`` maps cnt/mn/mx/sm/lst to (rows, width)."""
    n, width = arrays["cnt"].shape
    rec = np.empty(n, dtype=rollup_dtype(width))
    rec["nf"], rec["l_set"], rec["l_ts"] = 7, 4, 8
    rec["set_id"], rec["ts"] = set_ids, ts_pg
    for name, kind, oid in ROLLUP_ARRAYS:
        size = np.dtype(kind).itemsize
        rec[f"l_{name}"] = _ARRAY_HEAD + (4 + size) * width
        rec[f"h_{name}"] = (1, 0, oid, width, 1)
        rec[name]["len"] = size
        rec[name]["v"] = arrays[name]
    return rec.tobytes()
