"""The orientation every mentor and MEA acknowledges before a first match (staff edit it in the admin).

Wording after the program's support tiers (shared seed 000) and how mentoring works in
peer support groups (seed 002)."""

from django.db import migrations

ITEMS = [
    ("tiers", "both", "How support works: three tiers, and when to escalate",
     "You are not alone in this role. There are three levels of support.\n\n"
     "1. Your match's MEA (Match Experience Ambassador) is your first contact: a relational or "
     "communication problem you could not solve directly, a conflict that needs a third party, "
     "feeling overwhelmed or burnt out, boundaries that are not respected, or a practical question "
     "about the program.\n\n"
     "2. Program staff: if your mentee has active thoughts of suicide and a plan, is a victim of abuse, "
     "confessed a crime, or had a traumatic experience during the program; or if you are harassed or "
     "discriminated against by your mentee or your MEA. Staff follow it and may involve professional services.\n\n"
     "3. Emergency: if someone is about to hurt themselves or someone else, is actively abusing someone, or "
     "is having a mental decompensation (a psychotic break), call for help first, then report.\n\n"
     "When unsure, choose the higher level. Use “Report a concern” in the portal: it sends the report to "
     "the right people at once."),
    ("emergency", "both", "What to do in an emergency",
     "If someone is in immediate danger, call now:\n\n{emergency_numbers}\n\n"
     "Stay with the person if it is safe, remove what they could hurt themselves with, do not argue or "
     "confront, and wait for help. Then report it in the portal: staff and the MEA are told at once. "
     "The emergency page (Help, at the top of every page) has these numbers and works even when the "
     "portal itself is down."),
    ("boundaries", "both", "Boundaries: a mentoring relationship, not a friendship",
     "A mentor supports a mentee in one part of their healing, for a time. You are not their therapist, "
     "and mentors and mentees are not close friends or romantic partners: both of you confirm it before "
     "a match starts. Agree together how and when you are in touch, and say so to your MEA when a "
     "boundary you set is not respected. Either side can end a match at any time, kindly."),
    ("confidentiality", "both", "Confidentiality",
     "What a mentee or mentor tells you stays between you, except when someone is in danger: then you "
     "report it through the portal, and only the people who must act see it. Do not share another "
     "member's story, name or details outside the program. What you tell your MEA in a check-in is "
     "confidential to the MEA unless it has to be escalated."),
    ("mea-role", "mea", "Your role as an MEA",
     "You check in with each match you support on the program's cadence (the dashboard shows who is "
     "due), listen to both sides, mediate when asked, and are the first contact for relational problems. "
     "Reports that reach you have an acknowledgement deadline: acknowledge them in time or they go to staff."),
]


def add_items(apps, schema_editor):
    OrientationItem = apps.get_model("profiles", "OrientationItem")
    for position, (slug, audience, title, body) in enumerate(ITEMS, start=1):
        OrientationItem.objects.get_or_create(
            slug=slug, defaults={"title": title, "body": body, "audience": audience, "position": position})


class Migration(migrations.Migration):

    dependencies = [
        ("profiles", "0001_initial"),
    ]

    operations = [migrations.RunPython(add_items, migrations.RunPython.noop)]
