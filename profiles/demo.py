"""Demo people and groups. Each app adds its own demo data in `<app>/demo.py`
with a `seed(ctx)` function; `manage.py seed_demo` calls them in app order.
Everything is get-or-create, so running it twice changes nothing."""

from dataclasses import dataclass, field
from datetime import date

from allauth.account.models import EmailAddress
from django.utils.text import slugify

from . import joining_demo
from .models import Membership, Profile, Role, SupportGroup, Topic, User
from .services import role_grant

DEMO_PASSWORD = "demo-mentorship-2026"  # noqa: S105 - printed on purpose, demo only

GROUPS = {
    "harbor": ("Harbor Evening Group", "Tuesday evenings, online. Healing after betrayal."),
    "cedar": ("Cedar Weekend Circle", "Saturday mornings, in person and online."),
}

TOPICS = [
    "Betrayal trauma", "Divorce", "Staying together", "Co-parenting", "Anxiety", "Grief",
    "Rebuilding trust", "Self-care", "Faith", "Boundaries",
]

# key: (email, display name, pronouns, gender, time zone, roles, groups, joined, topics, bio)
PEOPLE = [
    ("staff", "dana.director@example.org", "Dana Whitfield", "she/her", "woman", "America/Chicago",
     [Role.STAFF], ["harbor", "cedar"], date(2022, 1, 10), [], "Program director."),
    ("coordinator", "coordinator@example.org", "Miguel Ortega", "he/him", "man", "America/New_York",
     [(Role.COORDINATOR, "harbor"), (Role.COORDINATOR, "cedar")], ["harbor", "cedar"], date(2022, 6, 1), [],
     "Facilitates the Harbor and Cedar groups."),
    ("mea_alex", "mea.alex@example.org", "Alex Kim", "they/them", "non_binary", "America/Los_Angeles",
     [(Role.MEA, "harbor")], ["harbor"], date(2023, 2, 14), ["Boundaries"], "MEA for the Harbor group."),
    ("mea_sam", "mea.sam@example.org", "Sam Okafor", "he/him", "man", "Europe/London",
     [(Role.MEA, "cedar")], ["cedar"], date(2023, 5, 3), ["Self-care"], "MEA for the Cedar circle."),
    ("mentor_jordan", "mentor@example.org", "Jordan Reyes", "she/her", "woman", "America/New_York",
     [Role.MENTOR], ["harbor"], date(2023, 1, 9), ["Betrayal trauma", "Divorce", "Co-parenting"],
     "Three years in the group; divorced, co-parenting two kids."),
    ("mentor_priya", "mentor.priya@example.org", "Priya Natarajan", "she/her", "woman", "America/Denver",
     [Role.MENTOR], ["harbor"], date(2022, 9, 20), ["Staying together", "Rebuilding trust", "Anxiety"],
     "Rebuilt my marriage after discovery. Happy to listen."),
    ("mentor_marcus", "mentor.marcus@example.org", "Marcus Bell", "he/him", "man", "America/Chicago",
     [Role.MENTOR], ["cedar"], date(2022, 3, 2), ["Grief", "Faith", "Divorce"], "Graduated from Cedar; still mentoring."),
    ("mentor_lee", "mentor.lee@example.org", "Lee Chen", "he/him", "man", "America/Los_Angeles",
     [Role.MENTOR], ["cedar"], date(2023, 8, 15), ["Anxiety", "Self-care", "Boundaries"], "Evenings work best."),
    ("mentor_rosa", "mentor.rosa@example.org", "Rosa Alvarez", "she/her", "woman", "America/New_York",
     [Role.MENTOR], ["harbor", "cedar"], date(2022, 11, 1), ["Co-parenting", "Boundaries", "Faith"],
     "Mother of three; Spanish and English."),
    ("mentee_taylor", "mentee@example.org", "Taylor Brooks", "she/her", "woman", "America/New_York",
     [Role.MENTEE], ["harbor"], date(2026, 7, 1), ["Betrayal trauma", "Co-parenting"], "New to the group."),
    ("mentee_chris", "mentee.chris@example.org", "Chris Novak", "he/him", "man", "America/Chicago",
     [Role.MENTEE], ["harbor"], date(2026, 5, 12), ["Rebuilding trust", "Anxiety"], ""),
    ("mentee_dana", "mentee.dana@example.org", "Dani Moreau", "she/her", "woman", "Europe/Paris",
     [Role.MENTEE], ["cedar"], date(2026, 8, 20), ["Grief", "Divorce"], ""),
    ("mentee_eli", "mentee.eli@example.org", "Eli Jackson", "he/him", "man", "America/Denver",
     [Role.MENTEE], ["cedar"], date(2026, 9, 2), ["Anxiety", "Self-care"], ""),
    ("mentee_fatima", "mentee.fatima@example.org", "Fatima Yusuf", "she/her", "woman", "America/New_York",
     [Role.MENTEE], ["harbor"], date(2026, 10, 5), ["Faith", "Boundaries"], ""),
    ("mentee_gabe", "mentee.gabe@example.org", "Gabe Lindqvist", "he/him", "man", "America/Los_Angeles",
     [Role.MENTEE], ["cedar"], date(2026, 10, 19), ["Divorce", "Co-parenting"], ""),
    ("applicant", "applicant@example.org", "Noor Haddad", "she/her", "woman", "America/New_York",
     [Role.MENTEE], ["harbor"], date(2025, 2, 1), ["Betrayal trauma", "Rebuilding trust"],
     "Fourteen months in Harbor; would like to give back."),
]


@dataclass
class DemoContext:
    users: dict[str, User] = field(default_factory=dict)
    groups: dict[str, SupportGroup] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)

    def log(self, line: str) -> None:
        self.lines.append(line)


def demo_user(email: str, display_name: str, **profile) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=DEMO_PASSWORD)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    Profile.objects.get_or_create(user=user, defaults={"display_name": display_name, **profile})
    return user


def seed(ctx: DemoContext) -> None:
    for key, (name, description) in GROUPS.items():
        ctx.groups[key], _ = SupportGroup.objects.get_or_create(
            slug=key, defaults={"name": name, "description": description}
        )
    for name in TOPICS:
        ctx.topics[name], _ = Topic.objects.get_or_create(slug=slugify(name), defaults={"name": name})
    for key, email, name, pronouns, gender, tz, roles, groups, joined, topics, bio in PEOPLE:
        is_mentor = key.startswith("mentor")
        user = demo_user(
            email, name, pronouns=pronouns, gender=gender, time_zone=tz, bio=bio,
            connect_web=True, connect_text=is_mentor, phone="555-0100" if is_mentor else "",
        )
        if not user.profile.topics.exists() and topics:
            user.profile.topics.set([ctx.topics[t] for t in topics])
        for group_key in groups:
            Membership.objects.get_or_create(user=user, group=ctx.groups[group_key], defaults={"joined_on": joined})
        for role in roles:
            role, group_key = role if isinstance(role, tuple) else (role, None)
            role_grant(user, role, group=ctx.groups[group_key] if group_key else None)
        ctx.users[key] = user
    admin_email = "admin@example.org"
    if not User.objects.filter(email=admin_email).exists():
        User.objects.create_superuser(email=admin_email, password=DEMO_PASSWORD)
    demo_user(admin_email, "Site admin")
    joining_demo.seed(ctx, demo_user)
    ctx.log(f"{'superuser':<16} {admin_email}")
    for key, email, *_rest in PEOPLE:
        ctx.log(f"{key:<16} {email}")
