from django import forms
from django.utils.translation import gettext_lazy as _

from escalations.routing import SITUATIONS

from .models import CheckIn, MEAProfile, Milestone


def _situations_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Does the worry match one of these situations?"), required=False,
        choices=[(s.key, s.label) for s in SITUATIONS], widget=forms.CheckboxSelectMultiple,
        help_text=_("Ticking one opens a concern with the right level of help, like any other report."),
    )


class CheckInForm(forms.ModelForm):
    class Meta:
        model = CheckIn
        fields = ["with_whom", "held_on", "rating", "meetings_held", "meetings_cancelled", "to_celebrate",
                  "worrying", "private_note"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}),
            "rating": forms.RadioSelect(choices=[(i, str(i)) for i in range(1, 6)]),
            "to_celebrate": forms.Textarea(attrs={"rows": 2}),
            "worrying": forms.Textarea(attrs={"rows": 2}),
            "private_note": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "private_note": _("Only you (the match's MEA) can read this."),
            # The dashboard counts the meetings the pair logs in the portal (meetings app); these two
            # stay for what the pair tells the MEA about meetings they did not log there.
            "meetings_held": _("Meetings they mention that are not logged in the portal (the dashboard counts logged ones)."),
            "meetings_cancelled": _("Cancellations they mention that are not logged in the portal."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["situations"] = _situations_field()
        self.order_fields([*self.Meta.fields[:7], "situations", "private_note"])


class SelfCheckInForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("How is your mentoring going? (1 hard – 5 great)"), coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)], widget=forms.RadioSelect,
    )
    meetings_held = forms.IntegerField(label=_("Meetings held lately"), min_value=0, max_value=100, required=False)
    meetings_cancelled = forms.IntegerField(label=_("Meetings cancelled lately"), min_value=0, max_value=100, required=False)
    to_celebrate = forms.CharField(label=_("Something to celebrate"), required=False, max_length=2000,
                                   widget=forms.Textarea(attrs={"rows": 2}))
    worrying = forms.CharField(label=_("Anything worrying you"), required=False, max_length=2000,
                               widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["situations"] = _situations_field()


class MEAAssignForm(forms.Form):
    mea = forms.ModelChoiceField(label=_("MEA"), queryset=None, empty_label=None)

    def __init__(self, *args, candidates, loads: dict[int, int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mea"].queryset = candidates
        self.fields["mea"].label_from_instance = lambda u: _("%(name)s (%(n)d active matches)") % {
            "name": u.display_name, "n": loads.get(u.pk, 0)
        }


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["what", "happened_on"]
        widgets = {"happened_on": forms.DateInput(attrs={"type": "date"})}


class AskForm(forms.Form):
    respondent = forms.ChoiceField(label=_("Ask"), choices=[("mentor", _("the mentor")), ("mentee", _("the mentee"))])


class MEAProfileForm(forms.ModelForm):
    class Meta:
        model = MEAProfile
        fields = ["how_to_reach"]


class PulseForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How is your mentoring going? (1 hard – 5 great)"), coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)], widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("One sentence for your MEA (optional)"), required=False, max_length=300,
                              help_text=_("Only your MEA reads it."))
    worried = forms.BooleanField(label=_("I am worried about someone's safety"), required=False,
                                 help_text=_("We will show you how to get help now and how to tell the right people."))


class ClosingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Looking back, how was your mentoring? (1 hard – 5 great)"), coerce=int,
        choices=[(i, str(i)) for i in range(1, 6)], widget=forms.RadioSelect,
    )
    comment = forms.CharField(label=_("Anything you want the program to know (optional)"), required=False,
                              max_length=300)


class ProgramSurveyForm(forms.Form):
    score = forms.TypedChoiceField(coerce=int, choices=[(i, str(i)) for i in range(11)], widget=forms.RadioSelect)

    def __init__(self, *args, role: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["score"].label = (
            _("How likely are you to recommend being mentored here to a friend? (0 not at all – 10 certainly)")
            if role == "mentee" else
            _("How likely are you to recommend mentoring here to a friend? (0 not at all – 10 certainly)"))
