"""Reads about matching used in more than one place: the MEA to suggest, who is
waiting, the coordinator's pairing board, ranked mentor suggestions and the
cohort drafts. Each runs a fixed number of queries, whatever the row count."""

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Func, IntegerField, OuterRef, Q, Subquery, Value, Window
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from profiles.joining import JoinRequest, OrientationItem
from profiles.models import Membership, Profile, Role, RoleGrant, User
from profiles.program import program_settings

from . import cohort
from .models import Match, MatchEvent, MenteePreference, MenteeWaiting, MentorApplication, MentorProfile, Proposal

BOARD_LIMIT = 50
# The waiting mentees a page of the board shows, longest waiting first; the rest are a page away
# (make bench: the board of a group with 2,000 waiting rendered 50 rows to the small group's 10).
WAITING_PAGE_SIZE = 20
CONTACT_FIELDS = ["connect_in_person", "connect_phone", "connect_text", "connect_web"]
GENDERS = [value for value, _label in Profile.Gender.choices if value]


def suggest_mea(group_id: int) -> User | None:
    """The MEA of the group with the fewest active matches, room in their caseload and the orientation done."""
    missing = OrientationItem.objects.for_role(OrientationItem.Audience.MEA).exclude(
        acks__user=OuterRef("pk"))
    return (
        User.objects.filter(role_grants__role=Role.MEA, role_grants__group_id=group_id, role_grants__ended_at=None)
        .exclude(Exists(missing))
        .annotate(caseload=Count("mea_matches", filter=Q(mea_matches__status=Match.Status.ACTIVE), distinct=True))
        .filter(caseload__lt=program_settings().mea_caseload_limit)
        .order_by("caseload", "pk")
        .first()
    )


# --- Who is waiting ------------------------------------------------------------


def waiting_mentees(group_ids=None):
    """Mentees waiting for a mentor (in `group_ids`' groups when given), longest waiting first, read from
    their stored rows (MenteeWaiting, matches.waiting) along the (group, since) index, with their open
    proposals. A person waiting in two of these groups is listed once. The open role and the absence of
    an active match are checked again on each row read (two index probes), so a row some write left
    behind until the nightly repair never lists a matched mentee.

    With one group (most coordinators and mentors) a person has one row there (unique (mentee, group)),
    so no DISTINCT: the page reads its rows along the index and stops, instead of reading and sorting
    every waiting mentee of the group (make bench: the pairing board at 2,000 waiting, PERFORMANCE.md)."""
    open_count = (
        Proposal.objects.open().filter(mentee=OuterRef("pk")).order_by().values("mentee")
        .annotate(n=Count("pk")).values("n")
    )
    first_group = Membership.objects.filter(user=OuterRef("pk")).order_by("group_id").values("group_id")[:1]
    groups = None if group_ids is None else list(group_ids)
    people = User.objects.filter(waiting__isnull=False) if groups is None else (
        User.objects.filter(waiting__group_id__in=groups))
    rows = (
        people.filter(Exists(RoleGrant.objects.filter(user=OuterRef("pk"), role=Role.MENTEE, ended_at=None)))
        .exclude(Exists(Match.objects.active().filter(mentee=OuterRef("pk"))))
        .annotate(
            waiting_since=F("waiting__since"),
            open_proposals=Coalesce(Subquery(open_count, output_field=IntegerField()), Value(0)),
            first_group_id=Subquery(first_group),
        )
        .select_related("profile")
        .order_by("waiting__since", "waiting__mentee_id")
    )
    return rows if groups is not None and len(groups) == 1 else rows.distinct("waiting__since", "waiting__mentee_id")


def long_waiting_mentees(cutoff: datetime):
    return waiting_mentees().filter(waiting_since__lte=cutoff, open_proposals=0)


def mentors_with_room(group_ids=None):
    qs = MentorProfile.objects.available().with_load().filter(active_count__lt=F("capacity"))
    if group_ids is not None:
        qs = qs.filter(user_id__in=Membership.objects.filter(group_id__in=list(group_ids)).values("user_id"))
    return qs.annotate(spare=F("capacity") - F("active_count")).select_related("user__profile")


@dataclass
class Board:
    waiting: list
    waiting_total: int
    waiting_page: Page
    mentors: list
    mentors_total: int
    proposals: list
    proposals_total: int
    applications: list
    applications_total: int
    join_requests: int  # waiting for an answer, in the coordinator's groups (the next step)
    oldest_join_request: datetime | None


def _count(qs, field: str = "pk", *, distinct: bool = False) -> Subquery:
    """COUNT over `qs`, as a subquery (no GROUP BY: one number)."""
    count = Func(F(field), function="COUNT", template="COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(%(expressions)s)")
    return Subquery(qs.order_by().annotate(n=count).values("n")[:1], output_field=IntegerField())


def _counts(user, groups) -> dict:
    """The home's counts beyond its lists, in one query: the mentees waiting in these groups (counted on
    the (group, since) index), and the requests to join waiting for an answer and since when (the next step)."""
    joining = JoinRequest.objects.visible_to(user).filter(status=JoinRequest.Status.PENDING).order_by()
    groups = list(groups)
    return User.objects.filter(pk=user.pk).values(
        # One group: one row per waiting mentee, a plain count; several: a person waiting in two counts once.
        waiting_total=_count(MenteeWaiting.objects.filter(group_id__in=groups), "mentee", distinct=len(groups) > 1),
        joining_total=_count(joining),
        joining_oldest=Subquery(joining.order_by("created_at").values("created_at")[:1]),
    ).get()


def pairing_board(user, waiting_page=None) -> Board:
    """The coordinator's pairing board, for the groups they coordinate: a page of the waiting mentees
    (`waiting_page`, WAITING_PAGE_SIZE rows), the first BOARD_LIMIT rows of each other list."""
    groups = user.coordinated_group_ids
    mentors = mentors_with_room(groups).order_by("-spare", "user__email")
    proposals = (
        Proposal.objects.visible_to(user).open().filter(group_id__in=groups)
        .select_related("mentor__profile", "mentee__profile", "group").order_by("expires_at")
    )
    applications = (
        MentorApplication.objects.visible_to(user).pending().filter(group_id__in=groups)
        .select_related("applicant__profile", "group").order_by("created_at")
        # The topics' names with the row, not a second query (the home's query budget).
        .annotate(topic_names=ArrayAgg("topics__name", distinct=True, filter=Q(topics__isnull=False), default=Value([])))
    )
    counts = _counts(user, groups)
    waiting = Paginator(waiting_mentees(groups), WAITING_PAGE_SIZE)
    waiting.count = counts["waiting_total"]  # Paginator.count is a cached property: the total counted above
    page = waiting.get_page(waiting_page)
    page.object_list = list(page.object_list)
    return Board(page.object_list, counts["waiting_total"], page,
                 *_first(mentors), *_first(proposals), *_first(applications),
                 counts["joining_total"], counts["joining_oldest"])


def _first(qs) -> tuple[list, int]:
    """The first BOARD_LIMIT rows and the total, in one query (a window count over the whole list)."""
    rows = list(qs.annotate(list_total=Window(Count("pk")))[:BOARD_LIMIT])
    return rows, (rows[0].list_total if rows else 0)


# --- Suggestions -----------------------------------------------------------------


def _utc_offset_hours(profile: Profile | None) -> float:
    if profile is None:
        return 0.0
    now = timezone.now()
    try:
        return now.astimezone(zoneinfo.ZoneInfo(profile.time_zone)).utcoffset().total_seconds() / 3600
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0.0


@dataclass
class Suggestion:
    mentor: MentorProfile
    score: float
    parts: list[tuple[str, float]] = field(default_factory=list)
    already_proposed: bool = False
    declined_on: date | None = None  # the mentee said no to this mentor lately

    @property
    def reasons(self) -> list[str]:
        """Why they might fit, in words, without the points (what a mentee is shown)."""
        return [label for label, points in self.parts if points > 0]

    @property
    def caveats(self) -> list[str]:
        """What counts for nothing, said plainly ("Not the gender asked for"): not a reason to fit."""
        return [label for label, points in self.parts if points <= 0]


def _explain(mentee_ctx: dict, mentor: MentorProfile) -> tuple[float, list[tuple[str, float]]] | None:
    """Score one mentor for one mentee, with each reason. None when a required preference fails."""
    profile = getattr(mentor.user, "profile", None)
    parts: list[tuple[str, float]] = []
    mentor_topics = {t.pk: t.name for t in profile.topics.all()} if profile else {}
    shared = sorted(mentor_topics[t] for t in mentee_ctx["topics"] if t in mentor_topics)
    if shared:
        parts.append((_("Shared topics: %(t)s") % {"t": ", ".join(shared)}, cohort.W_TOPIC * len(shared)))
    wanted = mentee_ctx["gender"]
    if wanted:
        if profile and profile.gender == wanted:
            parts.append((_("The gender asked for"), cohort.W_GENDER))
        elif mentee_ctx["gender_required"]:
            return None
        else:
            parts.append((_("Not the gender asked for (a soft preference)"), 0.0))
    mentee_profile = mentee_ctx["profile"]
    if profile and mentee_profile:
        both = [str(label) for f, label in zip(CONTACT_FIELDS, ["in person", "phone", "text", "web chat or video"], strict=True)
                if getattr(profile, f) and getattr(mentee_profile, f)]
        if both:
            parts.append((_("Both like to connect by: %(m)s") % {"m": ", ".join(both)}, cohort.W_CONTACT * len(both)))
        if abs(_utc_offset_hours(profile) - mentee_ctx["tz"]) <= cohort.TZ_HOURS:
            parts.append((_("Time zones within %(h)d hours") % {"h": cohort.TZ_HOURS}, cohort.W_TIME_ZONE))
    same = [mentee_ctx["group_names"][g.group_id] for g in mentor.user.memberships.all()
            if g.group_id in mentee_ctx["group_names"]]
    if same:
        parts.append((_("Same group: %(g)s") % {"g": ", ".join(sorted(same))}, cohort.W_GROUP))
    spare = max(mentor.capacity - mentor.active_count, 0)
    parts.append((_("Room for %(n)d more") % {"n": spare}, cohort.W_SPARE * min(spare, cohort.SPARE_CAP)))
    return sum(p for _label, p in parts), parts


def _mentee_context(mentee: User) -> dict:
    profile = Profile.objects.filter(user=mentee).prefetch_related("topics").first()
    pref = MenteePreference.objects.filter(mentee=mentee).prefetch_related("topics").first()
    topics = {t.pk for t in profile.topics.all()} if profile else set()
    if pref:
        topics |= {t.pk for t in pref.topics.all()}
    groups = {m.group_id: m.group.name for m in Membership.objects.filter(user=mentee).select_related("group")}
    return {
        "profile": profile, "topics": topics, "group_names": groups, "tz": _utc_offset_hours(profile),
        "gender": pref.preferred_gender if pref else "", "gender_required": bool(pref and pref.gender_required),
    }


def mentor_suggestions(mentee: User, viewer: User, limit: int = 25) -> list[Suggestion]:
    """Mentors with room, best first, each with the reasons for its score."""
    ctx = _mentee_context(mentee)
    candidates = (
        mentors_with_room()
        .filter(pk__in=MentorProfile.objects.visible_to(viewer).values("pk"))
        .exclude(user=mentee)
        .prefetch_related("user__profile__topics", "user__memberships")
    )
    proposed = set(Proposal.objects.open().filter(mentee=mentee).values_list("mentor_id", flat=True))
    declined = declined_by_mentee(mentee)
    out = []
    for mentor in candidates:
        if mentor.user_id in declined and viewer.pk == mentee.pk:
            continue  # not suggested to the mentee again for a while
        explained = _explain(ctx, mentor)
        if explained is None:
            continue
        score, parts = explained
        out.append(Suggestion(mentor, score, parts, mentor.user_id in proposed, declined.get(mentor.user_id)))
    # A mentor the mentee just declined ranks last for the coordinator, whatever the score.
    out.sort(key=lambda s: (s.declined_on is not None, -s.score, s.mentor.user.email))
    return out[:limit]


def declined_by_mentee(mentee: User) -> dict[int, date]:
    """Mentors the mentee declined within DECLINED_MENTOR_COOLDOWN_DAYS: {mentor id: day declined}."""
    since = timezone.now() - timedelta(days=settings.DECLINED_MENTOR_COOLDOWN_DAYS)
    rows = (MatchEvent.objects.filter(kind=MatchEvent.Kind.DECLINED, actor=mentee, proposal__mentee=mentee,
                                      created_at__gte=since)
            .order_by("created_at").values_list("proposal__mentor_id", "created_at"))
    return {mentor_id: timezone.localdate(at) for mentor_id, at in rows}


def declined_pairs(mentee_ids: list[int], mentor_ids: list[int]) -> set[tuple[int, int]]:
    """(mentee, mentor) pairs among these where the mentee declined the mentor within the cooldown (one query)."""
    since = timezone.now() - timedelta(days=settings.DECLINED_MENTOR_COOLDOWN_DAYS)
    return set(MatchEvent.objects.filter(
        kind=MatchEvent.Kind.DECLINED, created_at__gte=since, actor_id=F("proposal__mentee_id"),
        proposal__mentee_id__in=mentee_ids, proposal__mentor_id__in=mentor_ids,
    ).values_list("proposal__mentee_id", "proposal__mentor_id"))


# --- Cohort ------------------------------------------------------------------------


@dataclass
class Draft:
    mentee: User
    mentor: MentorProfile
    score: float


def _side(users: list, profiles: dict, topic_ix: dict, group_ix: dict, memberships: dict) -> dict:
    n = len(users)
    topics = np.zeros((n, max(len(topic_ix), 1)), dtype=bool)
    contact = np.zeros((n, 4), dtype=bool)
    groups = np.zeros((n, max(len(group_ix), 1)), dtype=bool)
    tz = np.zeros(n)
    gender = np.full(n, -1)
    for i, user_id in enumerate(users):
        profile = profiles.get(user_id)
        if profile:
            for t in profile.topics.all():
                topics[i, topic_ix[t.pk]] = True
            contact[i] = [getattr(profile, f) for f in CONTACT_FIELDS]
            tz[i] = _utc_offset_hours(profile)
            gender[i] = GENDERS.index(profile.gender) if profile.gender in GENDERS else -1
        for g in memberships.get(user_id, ()):
            groups[i, group_ix[g]] = True
    return {"topics": topics, "contact": contact, "groups": groups, "tz": tz, "gender": gender}


def cohort_drafts(user) -> list[Draft]:
    """The best overall assignment of the waiting mentees (with no open proposal)
    of the user's groups to mentors with room. Drafts only: nothing is sent."""
    groups = user.coordinated_group_ids
    mentees = list(waiting_mentees(groups).filter(open_proposals=0))
    mentors = list(mentors_with_room(groups).order_by("pk"))
    if not mentees or not mentors:
        return []
    ids = [m.pk for m in mentees] + [m.user_id for m in mentors]
    profiles = {p.user_id: p for p in Profile.objects.filter(user_id__in=ids).prefetch_related("topics")}
    memberships: dict[int, set] = {}
    for user_id, group_id in Membership.objects.filter(user_id__in=ids).values_list("user_id", "group_id"):
        memberships.setdefault(user_id, set()).add(group_id)
    prefs = {p.mentee_id: p for p in MenteePreference.objects.filter(mentee_id__in=[m.pk for m in mentees])
             .prefetch_related("topics")}
    topic_ids = {t.pk for p in profiles.values() for t in p.topics.all()} | {
        t.pk for p in prefs.values() for t in p.topics.all()}
    topic_ix = {t: i for i, t in enumerate(sorted(topic_ids))}
    group_ix = {g: i for i, g in enumerate(sorted({g for s in memberships.values() for g in s}))}
    a = _side([m.pk for m in mentees], profiles, topic_ix, group_ix, memberships)
    for i, m in enumerate(mentees):
        for t in prefs[m.pk].topics.all() if m.pk in prefs else ():
            a["topics"][i, topic_ix[t.pk]] = True
    wants = np.array([GENDERS.index(prefs[m.pk].preferred_gender) if m.pk in prefs and
                      prefs[m.pk].preferred_gender in GENDERS else -1 for m in mentees])
    required = np.array([bool(m.pk in prefs and prefs[m.pk].gender_required) for m in mentees])
    b = _side([m.user_id for m in mentors], profiles, topic_ix, group_ix, memberships)
    spare = np.array([m.spare for m in mentors])
    mentee_side = cohort.Side([m.pk for m in mentees], **a, wants_gender=wants, gender_required=required)
    mentor_side = cohort.Side([m.user_id for m in mentors], **b, spare=spare)
    score = cohort.score_matrix(mentee_side, mentor_side)
    # A mentor the mentee declined lately is not drafted for them again (DECLINED_MENTOR_COOLDOWN_DAYS).
    row = {m.pk: i for i, m in enumerate(mentees)}
    column = {m.user_id: j for j, m in enumerate(mentors)}
    for mentee_id, mentor_id in declined_pairs(list(row), list(column)):
        score[row[mentee_id], column[mentor_id]] = cohort.FORBIDDEN
    pairs = cohort.assign_pairs(score, spare)
    return [Draft(mentees[i], mentors[j], round(s, 1)) for i, j, s in pairs]
