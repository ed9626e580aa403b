"""High availability and DR: redundancy groups, member state history, failover records,
webhook sources, DR plans and drills."""

from dcim.availability.models.dr import (
    DrillRecord,
    DrillSchedule,
    DrillStepRun,
    DRPlan,
    DRStep,
    FollowUpAction,
    Outcome,
)
from dcim.availability.models.failover import (
    Failover,
    FailoverKind,
    FailoverSource,
    WebhookKind,
    WebhookSource,
)
from dcim.availability.models.group import (
    GroupKind,
    Member,
    MemberRole,
    MemberState,
    MemberStateChange,
    RedundancyGroup,
)

__all__ = [
    "DRPlan",
    "DRStep",
    "DrillRecord",
    "DrillSchedule",
    "DrillStepRun",
    "Failover",
    "FailoverKind",
    "FailoverSource",
    "FollowUpAction",
    "GroupKind",
    "Member",
    "MemberRole",
    "MemberState",
    "MemberStateChange",
    "Outcome",
    "RedundancyGroup",
    "WebhookKind",
    "WebhookSource",
]
