"""The demo's SNMP agent (telemetry.simulators.snmp.agent) against snmpsim, its model.

Both serve the same data files on loopback and our collector polls both: the frozen copy of
every kind must read the same, value for value. Moving values are held to snmpsim's
``numeric`` module itself (loaded from snmpsim's package, clock pinned), and to snmpsim on
the wire for the wall-clock waves. net-snmp walks every record, as an independent client.
"""

from __future__ import annotations

import ast
import importlib.util
import random
import re
import shutil
import socket
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest
import snmpsim
from snmpsim.grammar.snmprec import SnmprecGrammar

from telemetry.collectors import snmp_ber as ber
from telemetry.collectors.snmp import SnmpCredentials, SnmpTarget, poll_many
from telemetry.simulators.snmp import start_snmpsim
from telemetry.simulators.snmp.agent import MAX_VAR_BINDS, numeric, start_agent
from telemetry.simulators.snmp.fleet import KINDS, SimDevice, counter, wave, write_snmprec

DEVICES = {kind: SimDevice(kind, kind, seed=7) for kind in KINDS}
WAVY = [k for k, d in DEVICES.items() if any("function=sin" in v for _, _, v in d.records())]
BIG = [(f"1.3.6.1.4.1.99999.1.{i}", "4", "x" * 2000) for i in range(1, 101)]


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    """Per kind a moving file (community = kind) and a frozen one (kind + "-static")."""
    path = tmp_path_factory.mktemp("agent-fleet")
    for kind, device in DEVICES.items():
        write_snmprec(path / f"{kind}.snmprec", device.records())
        write_snmprec(path / f"{kind}-static.snmprec", device.records(moving=False))
    return path


@pytest.fixture(scope="module")
def ours(data):
    handle = start_agent(data)
    yield handle
    handle.stop()


@pytest.fixture(scope="module")
def sim(data):
    handle = start_snmpsim(data)
    yield handle
    handle.stop()


def target(handle, community: str, **kw) -> SnmpTarget:
    profiles = KINDS[community.removesuffix("-static")][1]
    kw = {"timeout": 10.0, **kw}
    creds = SnmpCredentials(community=community)
    return SnmpTarget("127.0.0.1", creds, profiles, port=handle.port, name=community, **kw)


def readings(result) -> list[tuple]:
    assert result.ok, result.error
    return sorted(
        (r.metric, r.component, r.value, r.unit, tuple(sorted(r.labels.items())))
        for r in result.readings
    )


def ask(port: int, community: str, tag: int, oids: list[str], a: int = 0, b: int = 0):
    """One raw v2c request: (error-status, [(OID, tag, value)], response size in bytes)."""
    body = ber.varbind_list([ber.enc_oid_body(oid) for oid in oids])
    msg = ber.v2c_message(community.encode(), ber.pdu(tag, 7, a, b, body))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(msg, ("127.0.0.1", port))
        answer = sock.recv(65535)
    _tag, _rid, status, _index, vbs = ber.parse_v2c(answer)[1]
    return status, [(ber.oid_str(oid), t, v) for oid, t, v in vbs], len(answer)


@pytest.mark.parametrize("kind", KINDS)
def test_frozen_kind_reads_the_same_as_from_snmpsim(ours, sim, kind):
    mine, theirs = poll_many([target(ours, f"{kind}-static"), target(sim, f"{kind}-static")])
    assert readings(mine) and readings(mine) == readings(theirs)
    assert mine.skipped == theirs.skipped


@pytest.mark.skipif(not shutil.which("snmpbulkwalk"), reason="net-snmp (Debian: snmp) missing")
def test_net_snmp_walks_every_record_and_sees_what_snmpsim_serves(ours, sim, data):
    for kind in ("leaf_switch", "raritan_pdu2", "ups"):
        walked = []
        for handle in (ours, sim):
            cmd = [
                "snmpbulkwalk",
                "-v2c",
                "-c",
                f"{kind}-static",
                "-On",
                "-Cr25",
                f"127.0.0.1:{handle.port}",
                ".1",
            ]
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
            walked.append([line for line in out.splitlines() if "No more variables" not in line])
        records = (data / f"{kind}-static.snmprec").read_text().splitlines()
        assert len(walked[0]) == len(records), kind
        assert walked[0] == walked[1], kind


def test_counters_rise_between_polls(ours):
    def values() -> dict[tuple[str, str], float]:
        [result] = poll_many([target(ours, "leaf_switch")])
        assert result.ok, result.error
        return {(r.metric, r.component): r.value for r in result.readings}

    first = values()
    time.sleep(1.1)
    second = values()
    uptime = ("snmp_sys_uptime_seconds", "")
    assert second[uptime] - first[uptime] >= 1
    ports = [k for k in first if k[0] == "if_in_bytes_total"]
    down = [k for k in first if k[0] == "if_oper_status" and first[k] != 1]
    assert len(ports) > len(down) > 0
    assert sum(second[k] > first[k] for k in ports) == len(ports) - len(down)


@pytest.mark.parametrize("kind", WAVY)
def test_gauges_swing_within_mean_and_swing_and_in_phase_with_snmpsim(ours, sim, kind):
    waves = {}
    for oid, _tag, spec in DEVICES[kind].records():
        if "function=sin" in spec:
            settings = dict(item.split("=") for item in spec.split(","))
            waves[oid] = tuple(float(settings[k]) for k in ("offset", "scale", "rate"))
    oids = list(waves)
    started = time.monotonic()
    mine, theirs = (ask(h.port, kind, ber.GET, oids)[1] for h in (ours, sim))
    elapsed = time.monotonic() - started
    for (oid, _, got), (_, _, other) in zip(mine, theirs, strict=True):
        mean, swing, rate = waves[oid]
        assert mean - swing - 1 <= got <= mean + swing, oid
        assert abs(got - other) <= 1 + swing * rate * elapsed, oid  # same wall-clock phase


def _snmpsim_numeric():
    """snmpsim's own variation module, loaded as snmpsim loads it, with a settable clock."""
    path = Path(snmpsim.__file__).parent / "variation" / "numeric.py"
    spec = importlib.util.spec_from_file_location("snmpsim_numeric_under_test", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_numeric_variation_matches_snmpsims_module_exactly():
    theirs = _snmpsim_numeric()

    class Clock:
        now = 0.0

        def time(self) -> float:
            return self.now

    clock = Clock()
    theirs.time, theirs.BOOTED = clock, 1_763_900_000.25
    cases = [
        counter(10**15, 2.5e10),
        counter(7, 0.01, "65"),
        counter(2**32 - 100, 7.3, "65"),
        counter(2**64 - 10**12, 2.5e10),
        counter(123456, 0.0205, "2"),
        wave(400, 40, 301),
        wave(370.5, 18.5, 705, "66"),
        ("67:numeric", "initial=360000,rate=100"),
    ]
    for tag_spec, spec in cases:
        tag = tag_spec.split(":")[0]
        ours = numeric(tag, spec, theirs.BOOTED)
        for dt in (0, 0.001, 0.5, 1.37, 30.01, 1234.5678, 285_120.0, 1e6 + 0.123, 4e8):
            theirs.recordContext, clock.now = {}, theirs.BOOTED + dt
            _, _, value = theirs.variate(
                "1.3", tag, spec, nextFlag=False, exactMatch=True, setFlag=False
            )
            assert ours(clock.now) == int(SnmprecGrammar.TAG_MAP[tag](value)), (spec, dt)


def test_unsupported_numeric_settings_are_refused():
    with pytest.raises(ValueError, match="deviation"):
        numeric("2", "initial=5,rate=1,deviation=3", 0.0)


def test_unknown_community_times_out_while_another_target_answers(ours):
    nobody = SnmpCredentials(community="nobody")
    stranger = replace(target(ours, "ups-static"), credentials=nobody, timeout=0.3, retries=0)
    lost, fine = poll_many([stranger, target(ours, "ups-static")])
    assert "no SNMP answer" in lost.error and not lost.readings
    assert fine.ok and fine.readings


def test_garbage_is_dropped_and_counted_and_the_agent_keeps_answering(data, tmp_path):
    log = tmp_path / "agent.log"
    handle = start_agent(data, log_path=log)
    get = ber.pdu(ber.GET, 1, 0, 0, ber.varbind_list([ber.enc_oid_body("1.3.6.1.2.1.1.3.0")]))
    valid = ber.v2c_message(b"ups-static", get)
    rng = random.Random(5)
    malformed = [
        b"",
        b"\x30",
        b"\x30\x84\xff\xff\xff\xff",
        valid[:-5],
        rng.randbytes(300),
        valid.replace(b"\x06\x08", b"\x02\x08"),
    ]
    others = [
        ber.tlv(ber.SEQUENCE, b"\x02\x01\x00" + valid[5:]),  # v1
        valid.replace(bytes((ber.GET,)), b"\xa3", 1),
    ]  # SET
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for packet in malformed + others:
                sock.sendto(packet, ("127.0.0.1", handle.port))
        assert poll_many([target(handle, "ups-static")])[0].ok
        assert handle.process.poll() is None
    finally:
        handle.stop()
    assert handle.process.returncode == 0  # SIGTERM: a clean exit
    stats = ast.literal_eval(re.search(r"stopped; (\{.*\})", log.read_text()).group(1))
    assert stats["malformed"] == len(malformed)
    assert stats["not_v2c"] == 1 and stats["unsupported_pdu"] == 1


def test_getbulk_past_the_end_is_end_of_mib_view(ours, data):
    records = (data / "ups-static.snmprec").read_text().splitlines()
    before, last = (line.split("|")[0] for line in records[-2:])
    status, vbs, _ = ask(ours.port, "ups-static", ber.GETBULK, [last], 0, 5)
    assert status == 0 and vbs == [(last, ber.END_OF_MIB_VIEW, None)]
    _, vbs, _ = ask(ours.port, "ups-static", ber.GETBULK, [before, last], 0, 5)
    assert [(oid, t) for oid, t, _ in vbs] == [
        (last, ber.GAUGE32),
        (last, ber.END_OF_MIB_VIEW),  # row 1
        (last, ber.END_OF_MIB_VIEW),
        (last, ber.END_OF_MIB_VIEW),  # row 2, all past: stop
    ]
    _, vbs, _ = ask(ours.port, "ups-static", ber.GETNEXT, [last])
    assert vbs == [(last, ber.END_OF_MIB_VIEW, None)]


def test_get_of_what_is_not_there(ours):
    _, vbs, _ = ask(
        ours.port,
        "ups-static",
        ber.GET,
        ["1.3.6.1.2.1.1.3.0", "1.3.6.1.2.1.1.5.0", "1.3.6.1.2.1.33.1.4.4.1.4.9"],
    )
    assert [t for _, t, _ in vbs] == [ber.TIMETICKS, ber.NO_SUCH_OBJECT, ber.NO_SUCH_INSTANCE]


def test_getbulk_caps_varbinds_and_message_size(tmp_path):
    write_snmprec(tmp_path / "big.snmprec", BIG)
    write_snmprec(tmp_path / "small.snmprec", [(o, "2", "1") for o, _, _ in BIG])
    handle = start_agent(tmp_path)
    try:
        root = "1.3.6.1.4.1.99999"
        _, vbs, _ = ask(handle.port, "small", ber.GETBULK, [root], 0, 1000)
        assert len(vbs) == MAX_VAR_BINDS
        _, vbs, _ = ask(handle.port, "small", ber.GETBULK, [root] * 10, 0, 1000)
        assert len(vbs) == 60  # 6 whole rows of 10, as snmpsim (pysnmp) does
        status, vbs, size = ask(handle.port, "big", ber.GETBULK, [root], 0, 100)
        assert status == 0 and 25 <= len(vbs) < 64 and size <= 65_000
        status, vbs, _ = ask(handle.port, "big", ber.GET, [o for o, _, _ in BIG[:40]])
        assert status == 1 and vbs == []  # tooBig: the manager splits the GET
    finally:
        handle.stop()
