"""`make run`'s preparation: generated secrets persist and are never overwritten."""

import socket

from cryptography.fernet import Fernet

from devstack.stack import ensure_env_file, port_free


def read_env(path):
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)


def test_env_file_gets_secrets_once(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FIELD_ENCRYPTION_KEY", raising=False)
    env_file = tmp_path / ".env"
    assert ensure_env_file(env_file) == ["SECRET_KEY", "FIELD_ENCRYPTION_KEY"]
    first = read_env(env_file)
    Fernet(first["FIELD_ENCRYPTION_KEY"])  # a usable key
    assert len(first["SECRET_KEY"]) >= 50
    assert env_file.stat().st_mode & 0o077 == 0  # readable by its owner only

    assert ensure_env_file(env_file) == []
    assert read_env(env_file) == first


def test_env_file_keeps_what_the_user_wrote(tmp_path, monkeypatch):
    monkeypatch.delenv("FIELD_ENCRYPTION_KEY", raising=False)
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    env_file = tmp_path / ".env"
    env_file.write_text("TIME_ZONE=Europe/Oslo")
    assert ensure_env_file(env_file) == ["FIELD_ENCRYPTION_KEY"]
    values = read_env(env_file)
    assert values["TIME_ZONE"] == "Europe/Oslo"
    assert "SECRET_KEY" not in values


def test_port_free_sees_a_listener():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert not port_free(port)
