"""The ASHRAE rack-inlet rules judge inlet probes only.

ASHRAE's envelopes apply at the equipment inlet. Without a component filter the two rules
also judged outlet (rear-door) probes, which run ~12 °C warmer by design: a healthy rack at
35 °C exhaust fired "outside A1 allowable". Probes name their side in the component
(``inlet``, ``inlet:Front door top`` from a NetBotz, ``sensor:Rack inlet`` from a PDU
probe); a probe that does not say where it is is not judged against an inlet envelope.

Only rules still as shipped (built in, no component chosen) change: an admin's edit stays.
"""

from django.db import migrations

INLET = "*[Ii]nlet*"
NAMES = (
    "Rack inlet outside ASHRAE recommended (18–27 °C)",
    "Rack inlet outside ASHRAE A1 allowable (15–32 °C)",
)


def inlet_only(apps, schema_editor):
    Rule = apps.get_model("alerts", "Rule")
    Rule.objects.filter(name__in=NAMES, builtin=True, component="").update(component=INLET)


def back(apps, schema_editor):
    Rule = apps.get_model("alerts", "Rule")
    Rule.objects.filter(name__in=NAMES, builtin=True, component=INLET).update(component="")


class Migration(migrations.Migration):
    dependencies = [("alerts", "0003_beat_schedule")]

    operations = [migrations.RunPython(inlet_only, back)]
