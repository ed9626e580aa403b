"""A readings file over READINGS_IMPORT_MAX_BYTES is refused before it is read (issue 15),
with what to do about it, and nothing is written."""

from __future__ import annotations

import pytest

from dcim.energy.importing import ImportRefused, import_readings

pytestmark = pytest.mark.django_db


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path, settings):
    settings.READINGS_IMPORT_MAX_BYTES = 2048
    path = tmp_path / "bms.csv"
    row = "pdu-01,pdu_energy_joules_total,,2026-03-01T00:00:00Z,1\n"
    path.write_text("device,metric,component,time,value\n" + row * 100)
    with pytest.raises(ImportRefused) as refused:
        import_readings(path)
    assert str(refused.value) == (
        "Nothing was imported.\nThe readings file is 5 KiB; at most 2 KiB can be imported at "
        "once. Split it into smaller files and import them one by one. "
        "(READINGS_IMPORT_MAX_BYTES)"
    )
