from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("telemetry", "0004_beat_schedules")]

    operations = [
        migrations.AddField(
            model_name="rollupstate",
            name="generation",
            field=models.BigIntegerField(db_default=0),
        ),
    ]
