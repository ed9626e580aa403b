"""A group's page: its members live, each member's and the group's availability over the
chosen period, its failovers and its recent state changes (the rows downtime is computed
from). Same builder for the page and its JSON twin."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone

from dcim.availability.figures import group_figures, member_figures
from dcim.availability.models import Failover, MemberStateChange, RedundancyGroup
from dcim.availability.redundancy import group_states
from dcim.availability.views import words
from dcim.availability.views.choice import chosen_period
from dcim.availability.views.page import FAILOVER_COLUMNS, failover_row
from dcim.ui.json_twin import page_and_api, stamp
from dcim.ui.tables import badge, cell

RECENT_CHANGES = 100
MEMBER_COLUMNS = "Member,Role,Signal,State now,Counted as lost"
CHANGE_COLUMNS = "At,Member,State,Source"


def build_group(request: HttpRequest, slug: str) -> dict[str, Any]:
    group = get_object_or_404(RedundancyGroup.objects.select_related("site"), slug=slug)
    now = timezone.now()
    tz = ZoneInfo(group.site.timezone)
    choice = chosen_period(request, tz, now)
    live = group_states([group], now)[0]
    members = list(group.members.select_related("device").order_by("device__name"))
    per_member = member_figures(members, choice.period, now)
    whole = group_figures([group], choice.period, now)[group.pk]
    failovers = list(
        Failover.objects.filter(group=group)
        .select_related("group", "old_active__device", "new_active__device")
        .order_by("-detected_at")[:50]
    )
    changes = list(
        MemberStateChange.objects.filter(member__group=group)
        .select_related("member__device")
        .order_by("-at", "-pk")[:RECENT_CHANGES]
    )
    roles = {m.pk: m for m in members}
    return stamp(
        {
            "group": {
                "slug": group.slug,
                "name": group.name,
                "kind": group.get_kind_display(),
                "may_fail": group.may_fail,
                "rto": words.duration(group.rto),
                "rpo": words.duration(group.rpo),
                "site": group.site.name,
                "description": group.description,
            },
            "period": choice.as_data(),
            "tiles": {
                "state": live.label,
                "active": live.active or "—",
                "members_up": f"{len(live.members) - live.lost} of {len(live.members)}",
            },
            "tables": {
                "members": [
                    [
                        cell(m.device),
                        cell(m.role),
                        cell(roles[m.member_id].signal or None),
                        badge(m.state or "no_data", m.words),
                        cell(m.lost or None),
                    ]
                    for m in live.members
                ],
                "availability": [
                    [cell(f"Group {group.name}"), *words.availability_cells(whole)],
                    *[
                        [cell(m.device.name), *words.availability_cells(per_member[m.pk])]
                        for m in members
                    ],
                ],
                "failovers": [failover_row(f, tz) for f in failovers],
                "changes": [
                    [
                        cell(words.local(c.at, tz), sort=c.at.timestamp()),
                        cell(c.member.device.name),
                        badge(c.state, c.get_state_display()),
                        cell(c.source or None),
                    ]
                    for c in changes
                ],
            },
            "headers": {
                "members": MEMBER_COLUMNS,
                "availability": "Group or member," + words.AVAILABILITY_COLUMNS,
                "failovers": FAILOVER_COLUMNS,
                "changes": CHANGE_COLUMNS,
            },
        },
        tz,
    )


group_page, group_api = page_and_api(
    "availability/group.html", build_group, "availability:group_api"
)
