"""Reads of a report are kept in the program's access trail (profiles.AccessEvent),
like every other staff read; the escalations-only ConcernAccess table goes, its
rows carried over first so no earlier read is lost."""

from django.db import migrations


def carry_over(apps, schema_editor):
    ConcernAccess = apps.get_model("escalations", "ConcernAccess")
    if not ConcernAccess.objects.exists():
        return
    AccessEvent = apps.get_model("profiles", "AccessEvent")
    ContentType = apps.get_model("contenttypes", "ContentType")
    concern_type, _created = ContentType.objects.get_or_create(app_label="escalations", model="concern")
    AccessEvent.objects.bulk_create(
        [
            AccessEvent(actor_id=row.user_id, content_type=concern_type, object_id=str(row.concern_id),
                        path=f"({row.via})", at=row.viewed_at)
            for row in ConcernAccess.objects.iterator()
        ],
        batch_size=2000,
    )


class Migration(migrations.Migration):

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("escalations", "0001_initial"),
        ("profiles", "0002_trust"),
    ]

    operations = [
        migrations.RunPython(carry_over, migrations.RunPython.noop),
        migrations.DeleteModel(name="ConcernAccess"),
    ]
