"""Which cache the processes share: Redis when the stack has one, else each process its own.

The Power & PUE page keeps what it derives from the ledger in the cache, and the ledger
task warms it after each run (``dcim.energy.views.warm``). That only helps the web workers
when they and the Celery worker read one cache: a per-process LocMemCache warmed in the
worker is invisible to gunicorn's workers. The stack already runs Redis as the Celery
broker, so the cache lives there, in a database number of its own (a cache ``clear()``
flushes its whole database, never the broker's queues).

Without Redis (the test suite starts only PostgreSQL; a broker that is not Redis) each
process keeps its own LocMemCache, as before.
"""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

CACHE_DB = 1  # the broker uses 0 unless its URL says otherwise
LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
REDIS_SCHEMES = ("redis", "rediss", "redis+socket", "unix")


def redis_url_with_db(url: str, db: int) -> str:
    """``url`` (a Redis URL as Celery or redis-py writes it) as redis-py's ``from_url``
    reads it, pointing at database ``db``. Celery's ``redis+socket:///path`` becomes
    ``unix:///path?db=N`` (redis-py has no ``redis+socket`` scheme); a password there
    moves into the query, where redis-py looks for it on unix URLs."""
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES:
        raise ValueError(f"not a Redis URL: {parts.scheme}://…")
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in ("db", "virtual_host")]
    if parts.scheme in ("redis", "rediss"):
        return urlunsplit((parts.scheme, parts.netloc, f"/{db}", urlencode(query), ""))
    if parts.password:
        query.append(("password", parts.password))
    # Spelled out: urlunsplit drops the empty host's "//", which redis-py needs.
    return f"unix://{parts.path}?{urlencode([*query, ('db', str(db))])}"


def broker_db(url: str) -> int:
    """The database number a Redis broker URL uses (0 when it names none)."""
    parts = urlsplit(url)
    if parts.scheme in ("redis", "rediss"):
        number = parts.path.strip("/")
    else:
        query = dict(parse_qsl(parts.query))
        number = query.get("db") or query.get("virtual_host", "")
    return int(number) if number.isdigit() else 0


def cache_url_for_broker(broker_url: str) -> str | None:
    """The shared cache's URL on the broker's Redis, in another database than the
    broker's; None when the broker is not Redis."""
    if urlsplit(broker_url).scheme not in REDIS_SCHEMES:
        return None
    db = CACHE_DB if broker_db(broker_url) != CACHE_DB else CACHE_DB + 1
    return redis_url_with_db(broker_url, db)


def cache_settings(redis_url: str | None) -> dict[str, dict]:
    """Django's CACHES: RedisCache at ``redis_url`` (a redis-py URL), LocMemCache without
    one. Nothing connects here: settings only name the server."""
    if not redis_url:
        return {"default": dict(LOCMEM)}
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "dcim",
        }
    }
