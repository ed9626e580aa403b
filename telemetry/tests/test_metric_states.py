"""The metric catalog says the words of each state's codes (``Metric.states``): every page,
chart and alert shows those words, so they must exist, name real metrics, and agree with
the codes each metric's meaning lists from its MIB or register map."""

from __future__ import annotations

import re

from telemetry.collectors import catalog
from telemetry.collectors.metric import STATE, Metric, state
from telemetry.collectors.states import STATES

CODES_IN_MEANING = re.compile(r"\b(\d+) (?=[a-zA-Z])")


def test_every_state_metric_has_words_but_numbers_that_are_their_own_word():
    """P-states read "P0", XIDs "XID 79" and an alarm word its hex: no table needed."""
    without = {
        m.name
        for m in catalog.metrics().values()
        if m.kind == STATE and not m.states and m.unit not in ("pstate", "xid", "bitmask")
    }
    assert without == set()


def test_words_name_metrics_the_collectors_produce():
    assert set(STATES) - set(catalog.metrics()) == set()


def test_words_cover_the_codes_each_meaning_lists():
    """ "1 unknown, 2 normal, 3 low, 4 depleted": each listed code has a word."""
    for name in STATES:
        m = catalog.describe(name)
        if m.unit == "bitmask":
            continue
        listed = {int(c) for c in CODES_IN_MEANING.findall(m.meaning)}
        assert listed <= set(m.words()), (name, listed - set(m.words()))


def test_known_words():
    words = {name: catalog.describe(name).words() for name in STATES}
    assert words["if_oper_status"][2] == "down"
    assert words["ups_battery_status"] == {1: "unknown", 2: "normal", 3: "low", 4: "depleted"}
    assert words["ups_output_source"][5] == "on battery"
    assert words["cooling_alarm_active"] == {0: "ok", 1: "alarm"}


def test_a_bool_without_an_entry_reads_no_yes_and_explicit_words_win():
    assert state("some_flag", "bool", "1 while something").words() == {0: "no", 1: "yes"}
    custom = Metric("x_state", "state", STATE, "a state", states=((1, "on"),))
    assert custom.words() == {1: "on"}
