from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Profile
from .program import time_zone_names


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(time_zone_names())]


class ProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)

    class Meta:
        model = Profile
        fields = [
            "display_name", "pronouns", "gender", "gender_self_described", "time_zone", "bio", "topics",
            "availability", "connect_in_person", "connect_phone", "connect_text", "connect_web", "phone", "discord",
        ]
        widgets = {
            "bio": forms.Textarea(attrs={"rows": 4}),
            "topics": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.helper = FormHelper()
        self.helper.add_input(Submit("save", _("Save profile")))

    def clean(self):
        data = super().clean()
        if data.get("connect_phone") or data.get("connect_text"):
            if not data.get("phone"):
                self.add_error("phone", _("Add a phone number so people can call or text you."))
        if not any(data.get(f) for f in ("connect_in_person", "connect_phone", "connect_text", "connect_web")):
            raise forms.ValidationError(_("Choose at least one way you like to connect."))
        return data


class SignupTimeZoneForm(forms.Form):
    """Added to allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS): the zone the browser reports,
    filled in by static/js/time_zone.js. Hidden, so nobody can correct it: a blank or unknown
    name is dropped, and the profile starts in the program's zone instead."""

    time_zone = forms.CharField(required=False, max_length=64,
                                widget=forms.HiddenInput(attrs={"data-browser-time-zone": ""}))

    def clean_time_zone(self) -> str:
        name = self.cleaned_data["time_zone"]
        return name if name in time_zone_names() else ""

    def signup(self, request, user) -> None:
        """allauth calls this after saving the user; the adapter's save_user has made the profile already."""


class TimeZoneForm(forms.Form):
    """One field: the zone offered on every page when the browser's differs from the profile's."""

    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices)
    next = forms.CharField(required=False, widget=forms.HiddenInput)
