"""The HA pages (overview, group, DR plan) with their JSON twins, the Operators' actions,
and the cluster managers' webhook."""

from dcim.availability.views.actions import action_done, drill_new, failover_detail, failover_new
from dcim.availability.views.group import group_api, group_page
from dcim.availability.views.page import page, page_api
from dcim.availability.views.plan import plan_api, plan_page
from dcim.availability.views.webhook import receive

__all__ = [
    "action_done",
    "drill_new",
    "failover_detail",
    "failover_new",
    "group_api",
    "group_page",
    "page",
    "page_api",
    "plan_api",
    "plan_page",
    "receive",
]
