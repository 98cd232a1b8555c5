from django import forms
from django.utils.translation import gettext_lazy as _

from profiles.models import SupportGroup, Topic

from .models import MenteePreference, MentorApplication, Quality


class MentorApplicationForm(forms.ModelForm):
    qualities = forms.MultipleChoiceField(
        label=_("Which of these qualities do you have? Not all are required."),
        choices=Quality.choices, widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one quality.")},
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics and experiences you can speak to"), queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple, required=False,
    )

    class Meta:
        model = MentorApplication
        fields = ["group", "months_in_group", "qualities", "topics", "experiences", "capacity"]
        labels = {"group": _("Group"), "capacity": _("How many mentees at once")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        groups = SupportGroup.objects.filter(memberships__user=user)
        self.fields["group"].queryset = groups
        # A member of one group applies in it: nothing to choose.
        if len(groups) == 1:
            self.fields["group"].empty_label = None
            self.fields["group"].initial = groups[0].pk
        self.fields["capacity"].min_value = 1
        self.fields["capacity"].widget.attrs.update(min=1, max=10)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("decline", _("Decline"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note to the applicant"), widget=forms.Textarea(attrs={"rows": 2}),
                           required=False, max_length=2000)


class MentorStatusForm(forms.Form):
    action = forms.ChoiceField(label=_("Action"), choices=[("pause", _("Pause")), ("resume", _("Resume")),
                                                           ("retire", _("Retire"))])


class CapacityForm(forms.Form):
    capacity = forms.IntegerField(label=_("Mentees at once"), min_value=1, max_value=10)


class MenteePreferenceForm(forms.ModelForm):
    topics = forms.ModelMultipleChoiceField(
        label=_("Topics I'd like to talk about"), queryset=Topic.objects.all(),
        widget=forms.CheckboxSelectMultiple, required=False,
    )

    class Meta:
        model = MenteePreference
        fields = ["preferred_gender", "gender_required", "topics", "note"]
        help_texts = {"gender_required": _("Leave unticked to keep it a soft preference: contrasting "
                                           "experiences can help too.")}

    def clean(self):
        data = super().clean()
        if data.get("gender_required") and not data.get("preferred_gender"):
            self.add_error("gender_required", _("Choose a gender first."))
        return data


class CoordinatorProposeForm(forms.Form):
    mentee = forms.IntegerField(label=_("Mentee"), widget=forms.HiddenInput)
    mentor = forms.IntegerField(label=_("Mentor"), widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Why this pair"), required=False, max_length=1000)


class AcceptForm(forms.Form):
    confirm_not_close = forms.BooleanField(
        label=_("I confirm we are not close friends or romantic partners."), required=True,
        error_messages={"required": _("Please confirm you are not close friends or romantic partners: "
                                      "the program asks this of every pair.")},
    )


class ProposalStartForm(AcceptForm):
    reason = forms.CharField(label=_("Why you think this could work (optional)"), required=False,
                             max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    field_order = ["reason", "confirm_not_close"]


class MatchEndForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you ending it? (private: only coordinators see this)"), max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    gratitude_note = forms.CharField(
        label=_("A note of thanks to the other person (optional; they will read it)"), required=False,
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
    )
    rating = forms.TypedChoiceField(
        label=_("How well suited was this pairing?"), coerce=int, empty_value=None, required=False,
        choices=[("", _("Prefer not to say")), *[(i, str(i)) for i in range(1, 6)]],
    )
