"""Fixtures of the report tests: the energy page's metered site ("Rhine", Europe/Berlin,
PUE 1.30, pPUE 1.15) with two days of history (yesterday whole) or with all of last month,
a real SMTP listener on loopback, and the archive under a temporary MEDIA_ROOT."""

from __future__ import annotations

import email
import threading
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from dateutil.relativedelta import relativedelta
from django.core.cache import cache
from django.utils import timezone

from dcim.alerts.tests.servers import Inbox, free_port, start_smtp
from dcim.energy.tests.page_site import seed
from dcim.inventory.tests.factories import make_site
from dcim.reports.models import Subscription
from telemetry.store.db import clear_caches


@pytest.fixture(autouse=True)
def _fresh_caches():
    clear_caches()
    cache.clear()
    yield
    clear_caches()
    cache.clear()


@pytest.fixture
def rhine(db):
    """Yesterday (site time) covered whole: what the daily report reads."""
    return seed(timezone.now(), days=2)


@pytest.fixture
def rhine_month(db, settings):
    """Last month (site time) covered whole: what the monthly energy report reads. The
    store keeps raw samples 14 days by default (older ones are refused by ingest): kept
    70 days here, so the seed can write the whole month as a collector would have."""
    settings.TELEMETRY_STORE = {"raw_retention": timedelta(days=70)}
    now = timezone.now()
    first = now.date().replace(day=1) - relativedelta(months=1)
    return seed(now, days=(now.date() - first).days + 2)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _use(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.REPORTS_SEND_SYNC = True
    settings.DCIM_BASE_URL = "https://dcim.example.net"


@pytest.fixture
def smtp(settings, media):
    """A real aiosmtpd listener; messages land parsed in ``inbox.messages``."""
    controller, inbox = start_smtp()
    _use(settings, controller.port)
    yield inbox
    controller.stop()


class RefusingInbox(Inbox):
    """Answers the first ``refusals`` messages with a temporary failure (451), then
    accepts: a relay that was briefly overloaded."""

    def __init__(self, refusals: int = 1) -> None:
        super().__init__()
        self.refusals = refusals
        self.tries = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.tries += 1
            if self.tries <= self.refusals:
                return "451 4.3.0 try again later"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def refusing_smtp(settings, media):
    inbox = RefusingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    _use(settings, controller.port)
    yield inbox
    controller.stop()


def daily_seven(site, **fields) -> Subscription:
    """A daily 07:00 (site time) daily-operations subscription of ``site``."""
    return Subscription.objects.create(
        name="Morning report",
        report="daily_operations",
        site=site,
        addresses="ops@example.net",
        rule="FREQ=DAILY;BYHOUR=7;BYMINUTE=0",
        **fields,
    )


@pytest.fixture
def sub():
    """A daily 07:00 subscription of a Berlin site (the page actions' subject)."""
    return daily_seven(make_site(name="Berlin", slug="berlin", timezone="Europe/Berlin"))
