"""Checklists (a failed item stays visible after completion), assignee, and attachments
(an oversized or disallowed file is refused with a clear message)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dcim.maintenance.models import Attachment, ChecklistTemplate, WorkOrder
from dcim.maintenance.tests.conftest import window

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64


@pytest.fixture
def order(hall) -> WorkOrder:
    w = window(hall, cooling_units=[hall.crahs[0]], title="CRAH-1 filters")
    o = WorkOrder.objects.create(window=w)
    o.fill_from(ChecklistTemplate.objects.get(name="CRAH filters"))
    return o


def record(client, item, **data):
    data = {f"i{item.pk}-{k}": v for k, v in data.items()}
    return client.post(reverse("maintenance:item", args=[item.pk]), data, follow=True)


def test_a_completed_checklist_with_a_failed_item_keeps_the_failure_visible(
    operator_client, viewer_client, order
):
    items = list(order.items.all())
    record(operator_client, items[0], result="pass", value="180")
    r = record(operator_client, items[1], result="fail", note="")
    assert "a failed item needs a note" in r.content.decode()
    record(operator_client, items[1], result="fail", note="Filter frame bent; spare on order")
    r = record(operator_client, items[2], result="pass")  # a measure without its value
    assert "Enter the measured value (Pa)." in r.content.decode()
    record(operator_client, items[2], result="pass", value="95.5")
    for it in items[3:]:
        record(operator_client, it, result="pass", value="18")
    r = operator_client.post(reverse("maintenance:complete", args=[order.window_id]), follow=True)
    assert "with 1 failed item(s) kept on record" in r.content.decode()
    order.refresh_from_db()
    assert order.completed_by.username == "otto" and order.completed_at
    body = viewer_client.get(reverse("maintenance:detail", args=[order.window_id])).content.decode()
    assert "Failed items" in body and "Filter frame bent; spare on order" in body
    assert 'class="item-failed"' in body
    order.window.finish()
    listing = viewer_client.get(reverse("maintenance:list_api")).json()
    assert listing["tiles"]["orders"] == "1"  # a failed check stays flagged


def test_completion_is_refused_while_items_are_not_done(operator_client, order):
    r = operator_client.post(reverse("maintenance:complete", args=[order.window_id]), follow=True)
    assert "Every checklist item needs a result" in r.content.decode()
    order.refresh_from_db()
    assert order.completed_at is None


def test_viewer_gets_403_on_work_order_actions(viewer_client, order):
    item = order.items.first()
    assert viewer_client.post(reverse("maintenance:item", args=[item.pk])).status_code == 403
    assert (
        viewer_client.post(reverse("maintenance:complete", args=[order.window_id])).status_code
        == 403
    )
    assert (
        viewer_client.post(reverse("maintenance:upload", args=[order.window_id])).status_code == 403
    )


def test_assign(operator_client, order):
    operator_client.post(
        reverse("maintenance:assign", args=[order.window_id]), {"assignee": "otto"}
    )
    order.refresh_from_db()
    assert order.assignee.username == "otto"
    r = operator_client.post(
        reverse("maintenance:assign", args=[order.window_id]), {"assignee": "ghost"}, follow=True
    )
    assert "No active user named ghost." in r.content.decode()


def upload(client, order, name, content, ctype="application/octet-stream"):
    f = SimpleUploadedFile(name, content, content_type=ctype)
    return client.post(
        reverse("maintenance:upload", args=[order.window_id]), {"file": f}, follow=True
    )


def test_a_photo_is_stored_under_media_root_and_served_after_login(
    operator_client, viewer_client, client, order, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    r = upload(operator_client, order, "filter.png", PNG, "image/png")
    assert "Attached filter.png." in r.content.decode()
    a = Attachment.objects.get()
    assert (a.content_type, a.size) == ("image/png", len(PNG))
    assert (tmp_path / a.file.name).read_bytes() == PNG
    got = viewer_client.get(reverse("maintenance:download", args=[a.pk]))
    assert got.status_code == 200 and b"".join(got.streaming_content) == PNG
    assert got["Content-Type"] == "image/png" and "attachment" in got["Content-Disposition"]
    assert client.get(reverse("maintenance:download", args=[a.pk])).status_code == 302


def test_an_oversized_or_disallowed_attachment_is_refused_with_a_clear_message(
    operator_client, order, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.MAINTENANCE_ATTACHMENT_MAX_BYTES = 1024
    r = upload(operator_client, order, "big.pdf", b"%PDF-1.7" + b"0" * 2000, "application/pdf")
    assert (
        "Attachment refused: big.pdf is 2.0 KiB; attachments may be at most 1.0 KiB."
        in r.content.decode()
    )
    r = upload(operator_client, order, "photo.jpg", b"MZ\x90\x00 not a photo", "image/jpeg")
    assert (
        "Attachment refused: photo.jpg is not a photo or PDF: only JPEG, PNG, WebP or PDF "
        "files are accepted." in r.content.decode()
    )
    assert not Attachment.objects.exists() and not any(tmp_path.rglob("*.*"))
