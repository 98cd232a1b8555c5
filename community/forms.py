from datetime import date, timedelta

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalations.wording import safety_choices
from profiles.models import SupportGroup, Topic

from .models import ChatMessage, ChatPost, ChatReport, ContactMethod, Resource


class PostForm(forms.ModelForm):
    class Meta:
        model = ChatPost
        fields = ["kind", "group", "title", "body"]
        widgets = {"kind": forms.RadioSelect, "body": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "title": _("For example: “Happy to talk with anyone new to co-parenting”."),
            "body": _("Only members of the group see it. Do not share private details here: "
                      "people reply to you privately."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        groups = SupportGroup.objects.filter(memberships__user=user)
        self.fields["group"].queryset = groups
        self.fields["group"].empty_label = None
        self.fields["kind"].choices = ChatPost.Kind.choices


class ReplyForm(forms.Form):
    body = forms.CharField(label=_("Your message to the author"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    contact_method = forms.ChoiceField(
        label=_("How would you like to talk?"), required=False,
        choices=[("", _("Let's decide together"))] + ContactMethod.choices,
        help_text=_("The author agrees or suggests another way. Your details are shown only once you both agree."),
    )


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=ChatMessage._meta.get_field("body").max_length,
                           widget=forms.Textarea(attrs={"rows": 3}))


class ContactForm(forms.Form):
    contact_method = forms.ChoiceField(label=_("Suggest a way to talk"), choices=ContactMethod.choices)


class ReportForm(forms.ModelForm):
    situation = forms.ChoiceField(
        label=_("If it worries you for someone's safety: what is happening?"), required=False,
        widget=forms.RadioSelect, choices=safety_choices,
        help_text=_("A safety report goes to program staff at once, like any report of someone in danger."))

    class Meta:
        model = ChatReport
        fields = ["reason", "situation", "note"]
        widgets = {"reason": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"note": _("Optional. Only the people who handle the report read it.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = ChatReport.Reason.choices

    def clean(self):
        data = super().clean()
        if data.get("reason") == ChatReport.Reason.UNSAFE and not data.get("situation"):
            self.add_error("situation", _("Choose what is happening, so the right people are told."))
        if data.get("reason") != ChatReport.Reason.UNSAFE:
            data["situation"] = ""
        return data


class ResourceForm(forms.ModelForm):
    url = forms.URLField(label=_("link"), max_length=500, required=False, assume_scheme="https")

    class Meta:
        model = Resource
        fields = ["title", "url", "body", "topics", "group"]
        widgets = {"topics": forms.CheckboxSelectMultiple, "body": forms.Textarea(attrs={"rows": 5})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].queryset = Topic.objects.all()
        if user.is_program_staff:
            self.fields["group"].queryset = SupportGroup.objects.all()
            self.fields["group"].empty_label = _("Every group")
        else:
            self.fields["group"].queryset = SupportGroup.objects.filter(pk__in=user.coordinated_group_ids)
            self.fields["group"].required = True
            self.fields["group"].empty_label = None
            self.fields["group"].help_text = _("The group whose members see it.")

    def clean(self):
        data = super().clean()
        if not (data.get("url") or "").strip() and not (data.get("body") or "").strip():
            raise forms.ValidationError(_("Give a link, a text, or both."))
        return data


class SaveToMatchForm(forms.Form):
    match = forms.TypedChoiceField(label=_("Save to my match"), coerce=int)

    def __init__(self, *args, matches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["match"].choices = [(m.pk, _("with %(name)s") % {"name": m.other_name}) for m in matches]


class InsightsFilterForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=SupportGroup.objects.none(), required=False,
                                   empty_label=_("All my groups"))
    # The calendar's ends would overflow the month arithmetic: a sensible span instead of a 500.
    FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)
    _in_span = [
        MinValueValidator(FIRST_DAY, message=_("Choose a date in the years 2000 to 2100.")),
        MaxValueValidator(LAST_DAY, message=_("Choose a date in the years 2000 to 2100.")),
    ]
    start = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            validators=_in_span)
    end = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          validators=_in_span)

    MAX_DAYS = 366 * 5

    def __init__(self, *args, groups, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups

    @staticmethod
    def default_range(end=None, start=None):
        """Twelve whole months before the current one, to today."""
        end = end or timezone.localdate()
        start = start or (end.replace(day=1) - timedelta(days=335)).replace(day=1)
        return start, end

    def resolved(self) -> dict:
        """The filters to use: the valid ones asked for, or the defaults when none or bad ones were given."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data
        start, end = self.default_range()
        return {"group": None, "start": start, "end": end}

    def clean(self):
        data = super().clean()
        start, end = self.default_range(data.get("end"), data.get("start"))
        if start > end:
            raise forms.ValidationError(_("The start date must be before the end date."))
        if (end - start).days > self.MAX_DAYS:
            raise forms.ValidationError(_("Choose a range of five years or less."))
        data["start"], data["end"] = start, end
        return data
