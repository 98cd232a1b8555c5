from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import GOAL_PROMPT, MEETING_MINUTES, Goal, Meeting


class MeetingForm(forms.Form):
    """A meeting's time, entered in the proposer's own time zone (given as `zone`)."""

    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TimeField(label=_("Time"), widget=forms.TimeInput(attrs={"type": "time"}))
    minutes = forms.TypedChoiceField(
        label=_("Length"), coerce=int, initial=60,
        choices=[(m, _("%(n)d minutes") % {"n": m}) for m in MEETING_MINUTES],
    )
    how = forms.ChoiceField(label=_("How"), choices=Meeting.How.choices, initial=Meeting.How.VIDEO,
                            help_text=_("Whatever is mutually agreeable."))
    where = forms.CharField(label=_("Where, or how to join (optional)"), max_length=200, required=False,
                            help_text=_("A place, a phone number or a video link. Both of you see it."))

    def __init__(self, *args, zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.zone = zone
        self.fields["time"].help_text = _("In your time zone (%(zone)s); the other person sees it in theirs.") % {
            "zone": zone.key}

    def clean(self):
        data = super().clean()
        day, at = data.get("day"), data.get("time")
        if day is None or at is None:
            return data
        try:
            starts_at = datetime.combine(day, at, tzinfo=self.zone)
        except (OverflowError, ValueError):
            self.add_error("day", _("Choose a real day."))
            return data
        if starts_at <= timezone.now():
            self.add_error("time", _("Choose a time that has not passed yet."))
        elif starts_at.year > timezone.now().year + 2:
            self.add_error("day", _("Choose a day within the next two years."))
        data["starts_at"] = starts_at
        return data

    def initial_from(self, meeting: Meeting) -> None:
        local = timezone.localtime(meeting.starts_at, self.zone)
        self.initial.update(day=local.date(), time=local.time().replace(second=0, microsecond=0),
                            minutes=meeting.minutes, how=meeting.how, where=meeting.where)


class GoalForm(forms.Form):
    text = forms.CharField(label=GOAL_PROMPT, max_length=300,
                           help_text=_("A goal for the two of you, in your own words. Only you two and your MEA read it."))


class GoalProgressForm(forms.Form):
    progress = forms.TypedChoiceField(label=_("How far along"), coerce=int, choices=Goal.Progress.choices)
    celebration = forms.CharField(label=_("A word to celebrate (optional)"), max_length=200, required=False)
