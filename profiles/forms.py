from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Profile, time_zone_choices


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
