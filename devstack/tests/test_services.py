"""The embedded PostgreSQL and Redis: start, answer, are reused, stop."""

import psycopg
import pytest
import redis

from devstack.services import DATABASE_NAME, EmbeddedServices, _read_pid


@pytest.fixture
def services(tmp_path):
    svc = EmbeddedServices(tmp_path / "var")
    yield svc
    svc.down()


def test_start_reuse_and_stop(services):
    services.up()
    assert services.pg_running() and services.redis_running()
    with psycopg.connect(services.database_url()) as conn:
        assert conn.execute("SELECT current_database()").fetchone()[0] == DATABASE_NAME
    assert redis.Redis(unix_socket_path=str(services.redis_socket)).ping()

    pg_pid = _read_pid(services.pgdata / "postmaster.pid")
    redis_pid = _read_pid(services.redis_pidfile)
    services.up()  # a second start reuses what is running
    assert _read_pid(services.pgdata / "postmaster.pid") == pg_pid
    assert _read_pid(services.redis_pidfile) == redis_pid

    services.down()
    assert not services.pg_running() and not services.redis_running()
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(services.database_url(), connect_timeout=2)


def test_data_survives_a_restart(services):
    services.up(redis=False)
    with psycopg.connect(services.database_url(), autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (v int)")
        conn.execute("INSERT INTO kept VALUES (42)")
    services.down()
    services.up(redis=False)
    with psycopg.connect(services.database_url()) as conn:
        assert conn.execute("SELECT v FROM kept").fetchone()[0] == 42


def test_tuning_is_applied(services):
    services.up(redis=False)
    with psycopg.connect(services.database_url()) as conn:
        assert conn.execute("SHOW shared_buffers").fetchone()[0] == "512MB"
        assert conn.execute("SHOW jit").fetchone()[0] == "off"


def test_nothing_listens_on_tcp(services):
    services.up()
    with psycopg.connect(services.database_url()) as conn:
        assert conn.execute("SHOW listen_addresses").fetchone()[0] == ""
    assert redis.Redis(unix_socket_path=str(services.redis_socket)).config_get("port") == {
        "port": "0"
    }
