"""Failovers detected from what the devices report, on every stored poll.

Connected to ``telemetry.signals.poll_stored`` (telemetry never imports this app). For a
device that is a member of a redundancy group, its state readings become member states:

- ``keepalived_vrrp_instance_state`` (KEEPALIVED-MIB): 2 master → active, 1 backup →
  standby, 0 init and 3 fault → down;
- ``vrrp_oper_state`` / ``vrrpv3_oper_state`` (VRRP-MIB, VRRPv3-MIB): 3 master →
  active, 2 backup → standby, 1 initialize → down;
- ``ups_output_source`` (UPS-MIB): 3 normal → active, 4 bypass and 5 battery →
  degraded (the load is carried, but not by the inverter from mains), 2 none → down;
- ``ats_selected_source`` (PowerNet-MIB, a rack transfer switch): the preferred input
  (``ats_preferred_source`` in the same poll; source A when it is absent or "none") →
  active, the other → degraded (the load is carried by the input that is not meant to);
- ``generator_engine_state`` (a standby generator's controller, the genset gateway map):
  0 stopped and ready → standby, 1 starting, 2 running, 3 cooling down → active, 4
  stopped by alarm → down.

A member state row is written only when the state differs from the member's last stored
row for that signal: a repeated poll, a redelivered result or a restarted poller finds
the same state in the database and writes nothing (memory is never trusted). A failover
record is written when a member becomes active while another member was the last active
one (a master change), and when a UPS or a transfer switch leaves its normal source or
a standby generator starts (restored when it is back); its dedup key (signal, device,
poll time) is unique per source, so a redelivered poll adds none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from dcim.availability.models import (
    Failover,
    FailoverKind,
    FailoverSource,
    Member,
    MemberState,
    MemberStateChange,
)

log = logging.getLogger(__name__)

S = MemberState
STATE_MAPS: dict[str, dict[int, str]] = {
    "keepalived_vrrp_instance_state": {0: S.DOWN, 1: S.STANDBY, 2: S.ACTIVE, 3: S.DOWN},
    "vrrp_oper_state": {1: S.DOWN, 2: S.STANDBY, 3: S.ACTIVE},
    "vrrpv3_oper_state": {1: S.DOWN, 2: S.STANDBY, 3: S.ACTIVE},
    "ups_output_source": {2: S.DOWN, 3: S.ACTIVE, 4: S.DEGRADED, 5: S.DEGRADED},
    # Ready is the standby generator's normal; starting, running and cooling down active.
    "generator_engine_state": {0: S.STANDBY, 1: S.ACTIVE, 2: S.ACTIVE, 3: S.ACTIVE, 4: S.DOWN},
}
ATS_METRIC, ATS_PREFERRED = "ats_selected_source", "ats_preferred_source"
ATS_SOURCES = {1: "A", 2: "B"}
UPS_WORDS = {2: "no output", 4: "on bypass", 5: "on battery"}
ENGINE_WORDS = {1: "starting", 2: "running", 3: "cooling down", 4: "stopped by alarm"}
# Metrics whose leaving their normal state is an event, open until they are back: the
# normal state, and the cause in words.
SOURCE_EVENTS = {
    "ups_output_source": (
        S.ACTIVE,
        lambda v: f"output {UPS_WORDS.get(v, 'off normal')} (upsOutputSource {v})",
    ),
    ATS_METRIC: (
        S.ACTIVE,
        lambda v: f"transferred to source {ATS_SOURCES.get(v, v)} (atsStatusSelectedSource {v})",
    ),
    "generator_engine_state": (
        S.STANDBY,
        lambda v: f"engine {ENGINE_WORDS.get(v, v)} (generator engine state {v})",
    ),
}


DETECTED = frozenset(STATE_MAPS) | {ATS_METRIC}


def ats_states(preferred: int) -> dict[int, str]:
    """The transfer switch's member state by selected input: normal on the preferred one."""
    normal = preferred if preferred in ATS_SOURCES else 1
    return {code: S.ACTIVE if code == normal else S.DEGRADED for code in ATS_SOURCES}


@dataclass(frozen=True)
class Observed:
    member: Member
    signal: str  # "metric/component": one member may report several instances
    state: str
    value: float
    at: datetime
    source: str = FailoverSource.SNMP  # how the device was read: SNMP or Modbus


def on_poll_stored(sender, target, result, **kwargs) -> None:
    """The ingest hook: never raises into ingest (the signal is sent robustly anyway)."""
    # One pass over the poll, as before ATSs: most polls (GPU hosts, PDUs) end here.
    wanted = [r for r in result.readings if r.metric in DETECTED]
    if not wanted:
        return
    maps = STATE_MAPS
    if any(r.metric == ATS_METRIC for r in wanted):
        preferred = [int(r.value) for r in result.readings if r.metric == ATS_PREFERRED]
        maps = {**STATE_MAPS, ATS_METRIC: ats_states(preferred[0] if preferred else 1)}
    members = list(Member.objects.filter(device_id=target.device_id).select_related("group"))
    if not members:
        return
    source = FailoverSource.MODBUS if target.protocol == "modbus" else FailoverSource.SNMP
    for obs in observe(members, wanted, result.started, maps, source):
        record(obs)


def observe(
    members: list[Member],
    readings,
    started: datetime,
    maps: dict[str, dict[int, str]],
    source: str = FailoverSource.SNMP,
) -> list[Observed]:
    out = []
    for r in readings:
        state = maps[r.metric].get(int(r.value))
        if state is None:  # "other", "booster", "reducer": not a transfer
            continue
        for m in members:
            if m.signal and m.signal != r.component:
                continue
            signal = f"{r.metric}/{r.component}"
            out.append(Observed(m, signal, state, r.value, r.ts or started, source))
    return out


def record(obs: Observed) -> Failover | None:
    """Store the observation if the member's state changed; the failover it means, if any."""
    with transaction.atomic():
        # One member's rows are written one poll at a time (a member is one device, one
        # target); the lock keeps two workers with redelivered polls from both writing.
        Member.objects.select_for_update().filter(pk=obs.member.pk).first()
        last = (
            MemberStateChange.objects.filter(member=obs.member, source=obs.signal)
            .order_by("-at", "-pk")
            .first()
        )
        if last is not None and (last.state == obs.state or last.at >= obs.at):
            return None
        MemberStateChange.objects.create(
            member=obs.member, at=obs.at, state=obs.state, source=obs.signal, raw_value=obs.value
        )
        if last is None:
            return None  # the first state seen is a starting point, not an event
        if obs.signal.split("/", 1)[0] in SOURCE_EVENTS:
            return _source_event(obs, last)
        if obs.state == S.ACTIVE:
            return _master_change(obs)
    return None


def _master_change(obs: Observed) -> Failover | None:
    """A member became active: a failover if the group's last active member was another
    one (a member back as master after its own restart, with no other master seen in
    between, is not a failover)."""
    previous = (
        MemberStateChange.objects.filter(
            member__group=obs.member.group, state=S.ACTIVE, at__lt=obs.at
        )
        .order_by("-at", "-pk")
        .select_related("member__device")
        .first()
    )
    if previous is None or previous.member_id == obs.member.pk:
        return None
    return _create(
        obs,
        old_active=previous.member,
        new_active=obs.member,
        cause=f"{obs.member.device.name} became master ({obs.signal}); "
        f"{previous.member.device.name} was master before.",
        restored_at=obs.at,
    )


def _source_event(obs: Observed, last: MemberStateChange) -> Failover | None:
    """A UPS or transfer switch left its normal source, or a standby generator its ready
    state (an event, open); or came back to it (the open event restored)."""
    normal, words_for = SOURCE_EVENTS[obs.signal.split("/", 1)[0]]
    if obs.state != normal and last.state == normal:
        words = words_for(int(obs.value))
        return _create(
            obs,
            old_active=obs.member,
            new_active=None,
            cause=f"{obs.member.device.name} {words}.",
            restored_at=None,
        )
    if obs.state == normal:
        open_event = (
            Failover.objects.filter(
                old_active=obs.member,
                source=obs.source,
                restored_at__isnull=True,
                dedup_key__startswith=obs.signal,
            )
            .order_by("-detected_at")
            .first()
        )
        if open_event is not None:
            open_event.restored_at = obs.at
            open_event.save(update_fields=["restored_at"])
        return open_event
    return None


def _create(obs: Observed, *, old_active, new_active, cause, restored_at) -> Failover | None:
    key = f"{obs.signal}@{obs.member.device_id}@{obs.at.isoformat()}"
    try:
        with transaction.atomic():
            return Failover.objects.create(
                group=obs.member.group,
                kind=FailoverKind.AUTOMATIC,
                old_active=old_active,
                new_active=new_active,
                detected_at=obs.at,
                started_at=obs.at,
                restored_at=restored_at,
                cause=cause,
                source=obs.source,
                dedup_key=key,
            )
    except IntegrityError:
        log.info("failover %s already recorded", key)
        return None
