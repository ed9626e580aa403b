"""dcgm-exporter scraping: the text parser, the DCGM field mapping, and HTTP failures.

The exporter is a real HTTP server on loopback serving recorded /metrics pages.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from telemetry.collectors import nvml
from telemetry.collectors.prometheus import (
    DCGM_FIELDS,
    ExpositionError,
    ScrapeTarget,
    dcgm_readings,
    is_dcgm_blank,
    parse_text,
    poll,
    poll_many,
)
from telemetry.readings import PollResult
from telemetry.simulators.nvml import SimulatedNvml

FIXTURES = Path(__file__).parent / "fixtures"
NODE = (FIXTURES / "dcgm_h100_node.txt").read_text()
K8S = (FIXTURES / "dcgm_k8s_hostname.txt").read_text()
MIB = 1024**2
UUID = {
    "gpu0": "GPU-5f3c2a71-9b4e-4d0c-8a8e-1c2f7d9e0a11",
    "gpu1": "GPU-a2d417c9-3e65-4f7a-b1c0-6e8d29f4b352",
    "gpu2": "GPU-0c9e88f1-7a2b-4c3d-9e4f-5a6b7c8d9e03",
    "gpu3": "GPU-e7b16d24-58f9-4a0b-8c1d-2e3f4a5b6c74",
}


def convert(text: str) -> PollResult:
    result = PollResult(target="fixture")
    dcgm_readings(parse_text(text), result)
    return result


def by_gpu(result: PollResult) -> dict[str, dict[str, float]]:
    gpus: dict[str, dict[str, float]] = {}
    for r in result.readings:
        gpus.setdefault(r.component, {})[r.metric] = r.value
    return gpus


class Exporter(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the name http.server calls
        if self.path == "/slow":
            time.sleep(1.0)
        status, body = {
            "/metrics": (200, NODE),
            "/slow": (200, NODE),
            "/broken": (500, "collector panic\n"),
            "/garbage": (200, "<html>not metrics</html>\n"),
        }.get(self.path, (404, "no such page\n"))
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(data)  # /slow: the scraper may have given up first, as it should

    def log_message(self, *_args):
        pass


@pytest.fixture(scope="module")
def exporter():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Exporter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_dcgm_page_becomes_our_gpu_readings_keyed_by_uuid():
    result = convert(NODE)
    assert result.ok
    assert result.skipped == {"blank": 6, "unmapped": 12}  # ENC/DEC util, NVLink bandwidth
    gpu_readings = [r for r in result.readings if r.component]
    assert len(gpu_readings) == 96 - 6 - 12
    for r in gpu_readings:
        assert r.labels["uuid"] == UUID[r.component]
        assert r.labels["name"] == "NVIDIA H100 80GB HBM3"
    gpus = by_gpu(result)
    assert gpus[""] == {"gpu_count": 4}
    gpu2 = gpus["gpu2"]
    assert gpu2["gpu_sm_clock_hertz"] == 1755e6
    assert gpu2["gpu_memory_used_bytes"] == 49180 * MIB
    assert gpu2["gpu_memory_free_bytes"] == 31803 * MIB
    assert gpu2["gpu_energy_joules_total"] == pytest.approx(4_122_980_014.501)
    assert gpu2["gpu_power_watts"] == pytest.approx(480.007)
    assert gpu2["gpu_xid_last"] == 94
    assert gpu2["gpu_ecc_uncorrected_volatile_total"] == 1
    assert gpu2["gpu_tensor_pipe_active_percent"] == pytest.approx(30.1877)
    # GPU 1's labels come in another order: same metrics, same identity.
    assert gpus["gpu1"].keys() == gpus["gpu0"].keys()
    assert by_component(result)["gpu1"] == {
        "uuid": UUID["gpu1"],
        "pci_bus_id": "00000000:2A:00.0",
        "name": "NVIDIA H100 80GB HBM3",
    }
    # Blanks are stored as nothing: no fan on SXM boards, GPU 3's two blank fields.
    assert not any("fan" in m for g in gpus.values() for m in g)
    assert gpus["gpu0"].keys() - gpus["gpu3"].keys() == {
        "gpu_memory_temperature_celsius",
        "gpu_graphics_engine_active_percent",
    }
    units = {r.metric: r.unit for r in result.readings}
    assert units["gpu_energy_joules_total"] == "joules"
    assert units["gpu_memory_used_bytes"] == "bytes"
    assert units["gpu_sm_clock_hertz"] == "hertz"


def by_component(result: PollResult) -> dict[str, dict[str, str]]:
    return {r.component: r.labels for r in result.readings}


def test_each_gpu_identity_is_reported_once_for_inventory():
    result = convert(NODE)
    assert [e["uuid"] for e in result.events] == list(UUID.values())
    assert result.events[2] == {
        "kind": "identity",
        "gpu": 2,
        "component": "gpu2",
        "uuid": UUID["gpu2"],
        "pci_bus_id": "00000000:3A:00.0",
        "name": "NVIDIA H100 80GB HBM3",
        "hostname": "gpu-node-07",
    }
    newer = convert(K8S)  # "hostname" replaced "Hostname"; pod labels are not identity
    assert {e["hostname"] for e in newer.events} == {"gpu-node-12"}
    assert all(r.labels.keys() <= {"uuid", "pci_bus_id", "name"} for r in newer.readings)


def test_clock_event_reasons_are_split_into_named_bits():
    gpus = by_gpu(convert(K8S))
    assert gpus["gpu0"]["gpu_clocks_event_reasons"] == 4
    assert gpus["gpu0"]["gpu_clocks_event_sw_power_cap"] == 1
    assert gpus["gpu0"]["gpu_clocks_event_hw_thermal_slowdown"] == 0
    assert gpus["gpu1"]["gpu_clocks_event_reasons"] == 1  # idle: no bit we name
    assert not any(
        v
        for m, v in gpus["gpu1"].items()
        if m.startswith("gpu_clocks_event_") and m != "gpu_clocks_event_reasons"
    )


def test_same_quantity_same_series_as_the_nvml_collector():
    """A GPU read through dcgm-exporter must land in the series NVML would have used."""
    host = SimulatedNvml("dcgm-alignment", gpus=1, clock=lambda: 1_700_000_000.0, fan=True)
    nvml_result = nvml.collect(host, target="dcgm-alignment")
    assert nvml_result.ok, nvml_result.error
    nvml_units = {r.metric: r.unit for r in nvml_result.readings}
    nvml_labels = set().union(*(r.labels.keys() for r in nvml_result.readings))
    dcgm_only = {
        "gpu_graphics_engine_active_percent",
        "gpu_tensor_pipe_active_percent",
        "gpu_dram_active_percent",
    }
    for field, (metric, unit, _factor) in DCGM_FIELDS.items():
        if metric in dcgm_only:
            continue
        assert metric in nvml_units, f"{field} -> {metric}: NVML has no such metric"
        assert nvml_units[metric] == unit, f"{field} -> {metric}: unit differs"
    for r in convert(NODE).readings + convert(K8S).readings:
        assert r.labels.keys() <= nvml_labels
    identity = next(e for e in nvml_result.events if e["kind"] == "identity")
    assert convert(NODE).events[0].keys() - identity.keys() == {"hostname"}


def test_dcgm_blank_sentinels_are_recognised_exactly():
    for blank in (
        "9223372036854775794",
        "9223372036854775792",
        "2147483632",
        "2147483634",
        "140737488355328.000000",
        "9.223372036854776e+18",
    ):
        assert is_dcgm_blank(blank), blank
    for value in ("4385529183474", "2147483631", "0", "612.348000", "NaN"):
        assert not is_dcgm_blank(value), value


def test_parser_reads_escapes_timestamps_and_special_values():
    text = (
        "# HELP x Test.\n# TYPE x gauge\n"
        'x{a="q\\"uote",b="back\\\\slash",c="new\\nline",} 1.5e3 1700000000000\n'
        "y +Inf\ny -Inf\nz NaN\n"
    )
    x, inf, ninf, nan = parse_text(text)
    assert x.labels == {"a": 'q"uote', "b": "back\\slash", "c": "new\nline"}
    assert (x.value, x.timestamp_ms) == (1500.0, 1_700_000_000_000)
    assert inf.value == float("inf") and ninf.value == float("-inf") and nan.value != nan.value


@pytest.mark.parametrize(
    "bad, where",
    [
        ('ok 1\nbroken{a="1" 2\n', "line 2"),
        ('x{a="1",a="2"} 1\n', "given twice"),
        ("x 1,5\n", "not a number"),
        ("# TYPE x thermometer\n", "TYPE"),
        ("x{a=unquoted} 1\n", "malformed labels"),
    ],
)
def test_parser_is_strict(bad, where):
    with pytest.raises(ExpositionError, match=where):
        parse_text(bad)


def test_scrape_over_http(exporter):
    result = poll(ScrapeTarget(f"{exporter}/metrics", timeout=2.0))
    assert result.ok, result.error
    assert len(result.readings) == 78 + 1  # and gpu_count
    assert result.target == f"{exporter}/metrics"
    assert result.latency_s > 0


def test_http_500_is_a_target_error(exporter):
    result = poll(ScrapeTarget(f"{exporter}/broken", timeout=2.0, name="gpu-node-07"))
    assert result.error == f"HTTP 500 Internal Server Error from {exporter}/broken"
    assert result.target == "gpu-node-07"
    assert not result.readings


def test_timeout_is_a_target_error(exporter):
    result = poll(ScrapeTarget(f"{exporter}/slow", timeout=0.2))
    assert result.error == f"no answer from {exporter}/slow within 0.2 s"


def test_a_page_that_is_not_metrics_is_a_target_error(exporter):
    result = poll(ScrapeTarget(f"{exporter}/garbage", timeout=2.0))
    assert result.error.startswith(f"bad exposition text from {exporter}/garbage: line 1")


def test_one_failing_exporter_does_not_spoil_the_others(exporter):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{s.getsockname()[1]}/metrics"
    targets = [
        ScrapeTarget(f"{exporter}/metrics"),
        ScrapeTarget(f"{exporter}/broken"),
        ScrapeTarget(closed, timeout=1.0),
        ScrapeTarget("file:///etc/passwd"),
        ScrapeTarget(f"{exporter}/metrics"),
    ]
    results = poll_many(targets, concurrency=4)
    assert [r.target for r in results] == [t.url for t in targets]
    assert [r.ok for r in results] == [True, False, False, False, True]
    assert "Connection refused" in results[2].error
    assert "not an http(s) URL" in results[3].error
