# Indexes for the KPI queries (metrics.history); both partial, so the engine's writes
# barely pay for them.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('processes', '0014_activity_quality'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='activityinstance',
            index=models.Index(condition=models.Q(('quality', False)), fields=['instance'], name='activity_failed_gate_idx'),
        ),
        migrations.AddIndex(
            model_name='processinstance',
            index=models.Index(condition=models.Q(('ended_at__isnull', False)), fields=['definition', 'ended_at'], name='instance_def_end_idx'),
        ),
    ]
