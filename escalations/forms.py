from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from matches.models import Match

from .routing import ABOUT_CHOICES, GROUPS, situations_in


def grouped_situation_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The situations grouped as the seed groups them: [(heading, [(key, wording), ...]), ...]."""
    choices = []
    for group in GROUPS:
        title = f"{group.heading} — {group.subheading}" if group.subheading else str(group.heading)
        choices.append((title, [(s.key, s.label) for s in situations_in(group.key)]))
    return choices


def reportable_matches(user):
    """Active matches the person is part of (as mentor, mentee or MEA)."""
    return (
        Match.objects.visible_to(user)
        .active()
        .filter(Q(mentor=user) | Q(mentee=user) | Q(mea=user))
        .select_related("mentor__profile", "mentee__profile")
    )


class MatchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, match):
        return f"{match.mentor.display_name} ↔ {match.mentee.display_name}"


class ReportForm(forms.Form):
    match = MatchChoiceField(label=_("Which match is this about?"), queryset=Match.objects.none(), empty_label=None)
    situations = forms.MultipleChoiceField(
        label=_("What is happening? Choose every one that fits."),
        choices=grouped_situation_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one situation.")},
    )
    about = forms.ChoiceField(label=_("Who is it about?"), choices=ABOUT_CHOICES, widget=forms.RadioSelect)
    details = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only the people who handle this report will read it."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["match"].queryset = reportable_matches(user)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("Outcome"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Why does staff need to handle this?"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Note (only handlers see it)"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))
