"""Fuzz: the Prometheus text parser, and the dcgm mapping after it, for any text.

Parse or raise ExpositionError, within the per-input deadline; whatever parses maps to
readings without raising (bad values and labels are skipped and counted).
"""

from hypothesis import given
from hypothesis import strategies as st

from telemetry.collectors.prometheus import DCGM_FIELDS, ExpositionError, dcgm_readings, parse_text
from telemetry.readings import PollResult
from telemetry.tests.fuzz.budget import FUZZ

NAMES = st.sampled_from([*list(DCGM_FIELDS)[:8], "node_load1", "x", "_:a"])
LABEL_NAMES = st.sampled_from(["gpu", "UUID", "GPU_I_ID", "modelName", "pci_bus_id", "a"])
TOKENS = st.sampled_from(
    ["1", "-1", "1.5e3", "NaN", "+Inf", "-Inf", "1e", ".", "9" * 40, "0x10", "1_0", " ", "\t"]
)
LABEL_VALUE = st.text(max_size=20) | st.sampled_from(["0", "7", "\u00b2", "GPU-1", '\\"', "\\\\"])


@st.composite
def sample_lines(draw) -> str:
    name = draw(NAMES)
    labels = draw(st.dictionaries(LABEL_NAMES, LABEL_VALUE, max_size=5))
    text = ",".join(f'{k}="{v}"' for k, v in labels.items())
    tail = " ".join(draw(st.lists(TOKENS, min_size=0, max_size=3)))
    return f"{name}{{{text}}} {tail}" if labels or draw(st.booleans()) else f"{name} {tail}"


PAGES = st.one_of(
    st.text(max_size=400),
    st.lists(sample_lines(), max_size=20).map("\n".join),
    st.lists(
        st.sampled_from(["# TYPE x gauge", "# HELP x y", "#", "# TYPE x"]) | sample_lines()
    ).map("\n".join),
)


@FUZZ
@given(PAGES)
def test_parse_text_returns_or_raises_exposition_error(text):
    try:
        samples = parse_text(text)
    except ExpositionError:
        return
    result = PollResult(target="fuzz")
    dcgm_readings(samples, result)
