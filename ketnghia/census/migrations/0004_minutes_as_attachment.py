"""The meeting minutes become a core Attachment (checked by content, served through the gate).

Existing files are kept where they are: each becomes an Attachment pointing at the same
stored name, typed by its extension, belonging to the round's commune.
"""

import mimetypes
from pathlib import PurePath

import django.db.models.deletion
from django.db import migrations, models


def minutes_to_attachments(apps, schema_editor):
    CensusRound = apps.get_model("census", "CensusRound")
    Attachment = apps.get_model("core", "Attachment")
    for census_round in CensusRound.objects.exclude(meeting_minutes_file="").iterator():
        name = census_round.meeting_minutes_file.name
        try:
            size = census_round.meeting_minutes_file.size
        except (OSError, ValueError):
            size = 0
        attachment = Attachment.objects.create(
            stored=name,
            original_name=PurePath(name).name[:255],
            content_type=mimetypes.guess_type(name)[0] or "application/octet-stream",
            size=size,
            sha256="",
            purpose="census.minutes",
            unit_path=census_round.unit_path,
        )
        CensusRound.objects.filter(pk=census_round.pk).update(meeting_minutes=attachment)


class Migration(migrations.Migration):
    dependencies = [
        ("census", "0003_import"),
        ("core", "0002_personal_data_and_attachments"),
    ]

    operations = [
        migrations.RenameField("censusround", "meeting_minutes", "meeting_minutes_file"),
        migrations.RenameField("historicalcensusround", "meeting_minutes", "meeting_minutes_file"),
        migrations.AddField(
            model_name="censusround",
            name="meeting_minutes",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="core.attachment",
                verbose_name="meeting minutes",
            ),
        ),
        migrations.AddField(
            model_name="historicalcensusround",
            name="meeting_minutes",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="core.attachment",
                verbose_name="meeting minutes",
            ),
        ),
        migrations.RunPython(minutes_to_attachments, migrations.RunPython.noop),
        migrations.RemoveField("censusround", "meeting_minutes_file"),
        migrations.RemoveField("historicalcensusround", "meeting_minutes_file"),
    ]
