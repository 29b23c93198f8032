from django.db import migrations, models


def waiting_jobs_to_confirm(apps, schema_editor):
    """Jobs stored as failed while they only waited for a confirmation get their own state."""
    job_model = apps.get_model("census", "CensusImportJob")
    job_model.objects.filter(state="failed", report__needs_confirmation=True).update(
        state="confirm"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("census", "0006_round_summary"),
    ]

    operations = [
        migrations.AlterField(
            model_name="censusimportjob",
            name="state",
            field=models.CharField(
                choices=[
                    ("queued", "Queued"),
                    ("running", "Running"),
                    ("done", "Done"),
                    ("failed", "Failed"),
                    ("confirm", "Waiting for confirmation"),
                ],
                default="queued",
                max_length=10,
                verbose_name="state",
            ),
        ),
        migrations.RunPython(waiting_jobs_to_confirm, migrations.RunPython.noop),
    ]
