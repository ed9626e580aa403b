"""Fuzz: every register of every Modbus map decodes any words a device may answer.

Words are 16-bit (what pymodbus hands back); decoding stores a reading or counts a skip,
and never raises.
"""

from hypothesis import given
from hypothesis import strategies as st

from telemetry.collectors import modbus
from telemetry.collectors.registers import MAPS
from telemetry.readings import PollResult
from telemetry.tests.fuzz.budget import FUZZ

REGISTERS = [
    reg
    for reg_map in MAPS.values()
    for block in modbus.blocks_for(reg_map)
    for reg in block.registers
]
SPECIAL_WORDS = st.sampled_from([0, 1, 0x7FFF, 0x8000, 0x7F80, 0xFF80, 0x7FC0, 0xFFFF])


@FUZZ
@given(st.sampled_from(REGISTERS), st.data())
def test_each_register_decodes_or_skips_any_words(reg, data):
    words = data.draw(
        st.lists(st.integers(0, 0xFFFF) | SPECIAL_WORDS, min_size=reg.count, max_size=reg.count)
    )
    result = PollResult(target="fuzz")
    modbus._store(result, reg, words)
    assert len(result.readings) + sum(result.skipped.values()) >= 1
