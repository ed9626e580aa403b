"""A notice the broker will not take is delivered by the process that raised it (a
self-timed poller keeps polling while the broker is away): the firing and the resolved
e-mail both reach a real SMTP listener, with no broker at all."""

from __future__ import annotations

import pytest
from celery import Celery, current_app

from dcim.alerts import engine
from dcim.alerts.models import Notification
from dcim.alerts.tests.conftest import at, email_route, rule, temp

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_broker(settings, tmp_path):
    """The current Celery app is one whose broker is a socket nobody listens on."""
    settings.ALERTS_NOTIFY_SYNC = False
    product = current_app._get_current_object()
    away = Celery("no-broker", broker=f"redis+socket://{tmp_path}/no-broker.sock")
    away.conf.task_publish_retry_policy = {"max_retries": 0}
    away.conf.broker_connection_timeout = 0.5
    away.set_current()
    yield
    product.set_current()
    away.close()


def test_notices_are_delivered_here_when_the_broker_is_away(
    gpu_server, no_broker, real_smtp, django_capture_on_commit_callbacks, caplog
):
    rule(name="GPU hot", severity="critical", threshold=80)
    email_route(send_resolved=True)
    for value, t in ((91, 0), (50, 60)):
        with django_capture_on_commit_callbacks(execute=True):
            engine.evaluate(gpu_server.pk, [temp(value)], at(t))
    subjects = [m["Subject"] for m in real_smtp.messages]
    assert [s.split("]")[0] for s in subjects] == ["[FIRING", "[RESOLVED"]
    assert list(Notification.objects.order_by("id").values_list("kind", "status")) == [
        ("firing", "sent"),
        ("resolved", "sent"),
    ]
    assert caplog.text.count("notify queue unreachable") == 2
