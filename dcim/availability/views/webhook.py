"""The webhook cluster managers report role changes to, authenticated by a per-source
token (``Authorization: Bearer <token>``), never by a session.

It is the one CSRF-exempt view of the app: CSRF protects a browser's cookies, and this
endpoint ignores cookies altogether (login-not-required, token only), so there is no
ambient credential to forge a request with. A missing token is 401, a wrong one (or a
disabled source) 403; a refused call writes nothing.

Payloads (JSON, or form fields as a shell agent posts them):

- Pacemaker alert agent: the ``CRM_alert_*`` variables it is given. A resource
  ``promote`` (or ``start``) that succeeded (``CRM_alert_rc`` 0, or absent) on
  ``CRM_alert_node`` makes that node's member active; other alerts are acknowledged and
  ignored (fencing, monitors, attributes).
- Patroni callback: ``{"action": "on_role_change", "role": "primary"|"master"|"replica",
  "cluster": ..., "member": <node name>}``; a change to primary makes that member active.

The node is matched to a member by device name or by the member's signal (case
insensitive). A member becoming active while another was active is a failover record
(source webhook), deduplicated by the source's event key (Pacemaker's timestamp and
node, Patroni's node and role change time as sent, else the receipt second).
"""

from __future__ import annotations

import json
from datetime import datetime

from django.contrib.auth.decorators import login_not_required
from django.db import IntegrityError, transaction
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from dcim.availability.models import (
    Failover,
    FailoverKind,
    FailoverSource,
    Member,
    MemberState,
    MemberStateChange,
    WebhookKind,
    WebhookSource,
)

MAX_BODY = 64 * 1024
PROMOTING = {"promote", "start"}
PRIMARY_ROLES = {"primary", "master", "leader", "standby_leader"}


def _token(request: HttpRequest) -> str:
    auth = request.headers.get("Authorization", "")
    scheme, _, value = auth.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def _payload(request: HttpRequest) -> dict:
    if request.content_type == "application/json":
        data = json.loads(request.body or b"{}")
        if not isinstance(data, dict):
            raise ValueError("The JSON body must be an object.")
        return {str(k): str(v) for k, v in data.items()}
    return {k: v for k, v in request.POST.items()}


@csrf_exempt
@login_not_required
@require_POST
def receive(request: HttpRequest, name: str) -> JsonResponse:
    token = _token(request)
    if not token:
        return JsonResponse(
            {"error": "Missing token: send Authorization: Bearer <token>."}, status=401
        )
    source = WebhookSource.objects.select_related("group").filter(name=name).first()
    if source is None or not source.accepts(token):
        return JsonResponse({"error": "Token refused for this source."}, status=403)
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_BODY:
        return JsonResponse({"error": "Body too large."}, status=413)
    try:
        data = _payload(request)
    except (ValueError, UnicodeDecodeError) as exc:
        return JsonResponse({"error": f"Unreadable body: {exc}"}, status=400)
    now = timezone.now()
    WebhookSource.objects.filter(pk=source.pk).update(last_used=now)
    parsed = (_pacemaker if source.kind == WebhookKind.PACEMAKER else _patroni)(data, now)
    if isinstance(parsed, str):
        return JsonResponse({"recorded": False, "why": parsed})
    node, at, key = parsed
    member = _member(source, node)
    if member is None:
        return JsonResponse(
            {"error": f"{node!r} is not a member of group {source.group.name}."}, status=400
        )
    failover = _record(source, member, at, key)
    return JsonResponse(
        {"recorded": failover is not None, "failover": failover.pk if failover else None},
        status=201 if failover else 200,
    )


def _pacemaker(data: dict, now: datetime) -> tuple[str, datetime, str] | str:
    kind, task = data.get("CRM_alert_kind", ""), data.get("CRM_alert_task", "")
    if kind != "resource" or task not in PROMOTING:
        return f"Ignored: {kind or 'no kind'} {task}".strip()
    if data.get("CRM_alert_rc", "0") not in ("0", ""):
        return f"Ignored: {task} failed (rc {data['CRM_alert_rc']})."
    node = data.get("CRM_alert_node", "")
    if not node:
        return "Ignored: no CRM_alert_node."
    stamp = data.get("CRM_alert_timestamp", "")
    at = _when(stamp, now)
    return node, at, f"pacemaker:{data.get('CRM_alert_rsc', '')}:{node}:{stamp or at.isoformat()}"


def _patroni(data: dict, now: datetime) -> tuple[str, datetime, str] | str:
    if data.get("action") != "on_role_change" or data.get("role", "").lower() not in PRIMARY_ROLES:
        return f"Ignored: {data.get('action', 'no action')} to {data.get('role', '?')}"
    node = data.get("member", "")
    if not node:
        return "Ignored: no member named."
    at = _when(data.get("at", ""), now)
    return (
        node,
        at,
        f"patroni:{data.get('cluster', '')}:{node}:{at.replace(microsecond=0).isoformat()}",
    )


def _when(text: str, now: datetime) -> datetime:
    """Pacemaker's ``%Y-%m-%d %H:%M:%S.%06N`` or ISO 8601; an unreadable or naive one, and
    none, is the receipt time (a clock we trust)."""
    parsed = parse_datetime(text.strip()) if text else None
    if parsed is None or parsed.tzinfo is None or parsed > now:
        return now
    return parsed


def _member(source: WebhookSource, node: str) -> Member | None:
    lowered = node.strip().lower()
    for m in Member.objects.filter(group=source.group).select_related("device", "group"):
        if lowered in (m.device.name.lower(), m.signal.lower()):
            return m
    return None


def _record(source: WebhookSource, member: Member, at: datetime, key: str) -> Failover | None:
    signal = f"webhook:{source.name}"
    try:
        with transaction.atomic():
            if Failover.objects.filter(source=FailoverSource.WEBHOOK, dedup_key=key).exists():
                return None
            previous = (
                MemberStateChange.objects.filter(
                    member__group=source.group, state=MemberState.ACTIVE
                )
                .order_by("-at", "-pk")
                .first()
            )
            MemberStateChange.objects.create(
                member=member, at=at, state=MemberState.ACTIVE, source=signal
            )
            if previous is None:
                return None  # the first role seen is a starting point, not an event
            for other in Member.objects.filter(group=source.group).exclude(pk=member.pk):
                MemberStateChange.objects.create(
                    member=other, at=at, state=MemberState.STANDBY, source=signal
                )
            return Failover.objects.create(
                group=source.group,
                kind=FailoverKind.AUTOMATIC,
                old_active=previous.member,
                new_active=member,
                detected_at=at,
                started_at=at,
                restored_at=at,
                cause=f"{source.get_kind_display()} {source.name}: {member.device.name} promoted.",
                source=FailoverSource.WEBHOOK,
                dedup_key=key,
            )
    except IntegrityError:
        return None
