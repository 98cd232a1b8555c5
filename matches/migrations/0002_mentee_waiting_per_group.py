"""MenteeWaiting becomes one row per (group, mentee) that exists only while the mentee waits,
with a (group, since) index: the pairing board reads and counts its page of one group's rows
instead of walking every mentee's row in the program (issue 18). The rows are derived data,
so the table is made again and filled as matches.waiting computes it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    from django.db.models import DateTimeField, Exists, OuterRef, Subquery
    from django.db.models.functions import Greatest

    Match, MenteeWaiting = apps.get_model("matches", "Match"), apps.get_model("matches", "MenteeWaiting")
    Membership, RoleGrant = apps.get_model("profiles", "Membership"), apps.get_model("profiles", "RoleGrant")
    last_end = Match.objects.filter(mentee=OuterRef("user_id"), status="ended").order_by("-ended_at")
    grants = RoleGrant.objects.filter(user=OuterRef("user_id"), role="mentee", ended_at=None).order_by("started_at")
    rows = (Membership.objects.filter(Exists(grants))
            .exclude(Exists(Match.objects.filter(mentee=OuterRef("user_id"), status="active")))
            .annotate(since=Greatest(Subquery(last_end.values("ended_at")[:1]),
                                     Subquery(grants.values("started_at")[:1]), output_field=DateTimeField()))
            .values_list("group_id", "user_id", "since"))
    MenteeWaiting.objects.bulk_create([MenteeWaiting(group_id=g, mentee_id=u, since=s) for g, u, s in rows.iterator()],
                                      batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("matches", "0001_initial"),
        ("profiles", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.DeleteModel(name="MenteeWaiting"),
        migrations.CreateModel(
            name="MenteeWaiting",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("since", models.DateTimeField()),
                ("group", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name="+", to="profiles.supportgroup")),
                ("mentee", models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                             related_name="waiting", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "indexes": [models.Index(fields=["group", "since", "mentee"], name="mentee_waiting_group_since")],
                "constraints": [models.UniqueConstraint(fields=("mentee", "group"), name="mentee_waiting_once")],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
