"""The shared cache: RedisCache on the stack's Redis (another database than the broker's)
when a Redis URL is configured, LocMemCache otherwise. Nothing here connects anywhere:
settings only name the server, and redis-py builds a pool without connecting."""

import pytest
import redis

from dcim.caches import cache_settings, cache_url_for_broker, redis_url_with_db
from tests.test_settings import PROD, settings_value

REDIS = "django.core.cache.backends.redis.RedisCache"
LOCMEM = "django.core.cache.backends.locmem.LocMemCache"


def pool_kwargs(url: str) -> dict:
    """What redis-py makes of ``url``: the proof that it accepts it."""
    return redis.ConnectionPool.from_url(url).connection_kwargs


def test_a_redis_url_gives_redis_cache():
    caches = cache_settings("redis://cache.invalid:6379/1")
    assert caches["default"]["BACKEND"] == REDIS
    assert caches["default"]["LOCATION"] == "redis://cache.invalid:6379/1"


@pytest.mark.parametrize("url", [None, ""])
def test_without_redis_each_process_keeps_its_own_cache(url):
    assert cache_settings(url) == {"default": {"BACKEND": LOCMEM}}


def test_the_embedded_brokers_socket_becomes_a_unix_url_on_another_database():
    url = cache_url_for_broker("redis+socket:///srv/dcim/var/redis/redis.sock")
    assert url == "unix:///srv/dcim/var/redis/redis.sock?db=1"
    kwargs = pool_kwargs(url)
    assert (kwargs["path"], kwargs["db"]) == ("/srv/dcim/var/redis/redis.sock", 1)


@pytest.mark.parametrize(
    ("broker", "cache_url", "db"),
    [
        ("redis://broker.invalid:6379/0", "redis://broker.invalid:6379/1", 1),
        ("redis://broker.invalid:6379", "redis://broker.invalid:6379/1", 1),
        ("redis://:pw@broker.invalid:6379/1", "redis://:pw@broker.invalid:6379/2", 2),
        ("rediss://broker.invalid:6380/0?ssl_cert_reqs=none", None, 1),
    ],
)
def test_a_tcp_broker_keeps_its_host_and_gets_another_database(broker, cache_url, db):
    url = cache_url_for_broker(broker)
    if cache_url:
        assert url == cache_url
    kwargs = pool_kwargs(url)
    assert (kwargs["host"], kwargs["db"]) == ("broker.invalid", db)


def test_a_socket_password_moves_into_the_query():
    url = redis_url_with_db("redis+socket://:s3cret@/run/redis.sock?virtual_host=0", 3)
    kwargs = pool_kwargs(url)
    assert (kwargs["path"], kwargs["db"], kwargs["password"]) == ("/run/redis.sock", 3, "s3cret")


def test_a_broker_that_is_not_redis_gives_no_cache_url():
    assert cache_url_for_broker("amqp://guest@rabbit.invalid//") is None


def test_settings_pick_the_cache_from_the_environment(tmp_path):
    backend = "(s.CACHES['default']['BACKEND'], s.CACHES['default'].get('LOCATION'))"
    assert settings_value(backend, PROD) == f"('{REDIS}', 'redis://broker.invalid:6379/1')"
    amqp = PROD | {"CELERY_BROKER_URL": "amqp://guest@rabbit.invalid//"}
    assert settings_value(backend, amqp) == f"('{LOCMEM}', None)"
    own = PROD | {"CACHE_REDIS_URL": "redis://cache.invalid:6379/4"}
    assert settings_value(backend, own) == f"('{REDIS}', 'redis://cache.invalid:6379/4')"
    embedded = {k: v for k, v in PROD.items() if k != "CELERY_BROKER_URL"}
    embedded["DCIM_VAR_DIR"] = str(tmp_path)
    socket = tmp_path / "redis" / "redis.sock"
    assert settings_value(backend, embedded) == f"('{REDIS}', 'unix://{socket}?db=1')"


def test_the_test_suite_keeps_locmem():
    from django.conf import settings

    assert settings.CACHES["default"]["BACKEND"] == LOCMEM
