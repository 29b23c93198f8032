from django.db import migrations, models

# Every entry gets the ethnicity of its household's head now: the first member (lowest id)
# with the relation "head"; NULL when the household has none. PostgreSQL in one hash join
# over the members (one pass, whatever the size); SQLite with a lookup per entry.
POSTGRESQL = """
UPDATE census_censusentry e SET head_ethnicity = h.ethnicity
FROM (SELECT DISTINCT ON (household_id) household_id, ethnicity FROM households_member
      WHERE relation = 'head' ORDER BY household_id, id) h
WHERE h.household_id = e.household_id
"""
SQLITE = """
UPDATE census_censusentry SET head_ethnicity = (
  SELECT m.ethnicity FROM households_member m
  WHERE m.household_id = census_censusentry.household_id AND m.relation = 'head'
  ORDER BY m.id LIMIT 1)
"""


def heads_fill(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(POSTGRESQL if schema_editor.connection.vendor == "postgresql" else SQLITE)


class Migration(migrations.Migration):
    dependencies = [
        ("census", "0008_drop_census_import_job"),
        ("households", "0004_folded_names"),
    ]

    operations = [
        migrations.AddField(
            model_name="censusentry",
            name="head_ethnicity",
            field=models.CharField(blank=True, editable=False, max_length=2, null=True),
        ),
        migrations.RunPython(heads_fill, migrations.RunPython.noop, elidable=True),
    ]
