"""The report form, worded for whoever reports (escalations.wording), and the handlers' small forms."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from matches.models import Match
from profiles.models import User

from . import wording
from .routing import SITUATIONS_BY_KEY, About

ABOUT_WORDS = {
    About.MENTEE: {wording.MENTOR: _("My mentee"), wording.MEA: _("The mentee of the match")},
    About.MENTOR: {wording.MENTEE: _("My mentor"), wording.MEA: _("The mentor of the match")},
    About.MEA: {wording.MENTOR: _("My MEA"), wording.MENTEE: _("My MEA")},
}


def reportable_matches(user):
    """Active matches the person is part of (as mentor, mentee or MEA)."""
    return (
        Match.objects.visible_to(user)
        .active()
        .filter(Q(mentor=user) | Q(mentee=user) | Q(mea=user))
        .select_related("mentor__profile", "mentee__profile")
    )


def people_sharing_a_group(user):
    """The people a member may name in a report: everyone who shares a group with them."""
    my_groups = user.memberships.values("group_id")
    return (User.objects.filter(is_active=True, memberships__group_id__in=my_groups).exclude(pk=user.pk)
            .select_related("profile").distinct().order_by("email"))


def perspective_of(user, matches: list[Match]) -> str:
    """Whose words the form uses: mentor, mentee, MEA (of an active match), or member."""
    for role, attr in ((wording.MENTOR, "mentor_id"), (wording.MENTEE, "mentee_id"), (wording.MEA, "mea_id")):
        if any(getattr(m, attr) == user.pk for m in matches):
            return role
    return wording.MEMBER


class MatchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, match):
        return f"{match.mentor.display_name} ↔ {match.mentee.display_name}"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return person.display_name


class SituationsField(forms.MultipleChoiceField):
    """Shows the options worded for the reporter; also takes any key of the routing table
    as posted (a key not shown to this reporter still routes as the table says)."""

    def valid_value(self, value):
        return value in SITUATIONS_BY_KEY or super().valid_value(value)


class AboutField(forms.ChoiceField):
    """Also takes "self" as posted: plain keys about oneself are a self-report."""

    def valid_value(self, value):
        return value == About.SELF or super().valid_value(value)


class ReportForm(forms.Form):
    situations = SituationsField(
        label=_("What is happening? Choose every one that fits."),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one situation.")},
    )
    about = AboutField(label=_("Who is it about?"), choices=(), widget=forms.RadioSelect, required=False,
                              help_text=_("Not needed for what you said about yourself."))
    match = MatchChoiceField(label=_("Which match?"), queryset=Match.objects.none(), empty_label=None, required=False)
    person = PersonChoiceField(label=_("Which person?"), queryset=User.objects.none(), required=False,
                               empty_label=_("Choose the person"),
                               help_text=_("People who share a group with you."))
    details = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only the people who handle this report will read it. You can also add details later."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.matches = list(reportable_matches(user))
        self.perspective = perspective_of(user, self.matches)
        self.fields["situations"].choices = wording.situation_choices(self.perspective)
        self.fields["match"].queryset = reportable_matches(user)
        self.fields["person"].queryset = people_sharing_a_group(user)
        about = [(role, words[self.perspective]) for role, words in ABOUT_WORDS.items() if self.perspective in words]
        about += [(About.MEMBER, _("A person in one of my groups (choose below)")),
                  (About.SOMEONE, _("Someone at the program I cannot or would rather not name"))]
        self.fields["about"].choices = about
        if not self.matches:
            del self.fields["match"]

    def clean(self):
        data = super().clean()
        mine, others = wording.split_options(data.get("situations") or [])
        about, match, person = data.get("about"), data.get("match"), data.get("person")
        if about == About.SELF:
            mine, others = list(dict.fromkeys(mine + others)), []
        parts = []
        if mine:
            own = match if match and self.user.pk in (match.mentor_id, match.mentee_id) else next(
                (m for m in self.matches if self.user.pk in (m.mentor_id, m.mentee_id)), None)
            parts.append({"situations": mine, "about": About.SELF, "match": own, "subject": None})
        if others:
            if not about:
                self.add_error("about", _("Say who it is about."))
            elif about in (About.MENTEE, About.MENTOR, About.MEA) and match is None:
                self.add_error("match" if "match" in self.fields else "about", _("Choose the match."))
            elif about == About.MEMBER and person is None:
                self.add_error("person", _("Choose the person, or choose \u201csomeone at the program\u201d."))
            else:
                in_match = about in (About.MENTEE, About.MENTOR, About.MEA)
                parts.append({"situations": others, "about": about, "match": match if in_match else None,
                              "subject": person if about == About.MEMBER else None})
        data["parts"] = parts
        return data


class DetailsForm(forms.Form):
    details = forms.CharField(label=_("Add details"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}),
                              help_text=_("Only the people who handle this report will read it."))


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why does staff need to handle this?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (only handlers see it)"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
