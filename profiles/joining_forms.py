"""Forms for invitations, requests to join and orientation."""

import csv
import io

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from .joining import Invitation
from .joining_services import roles_inviter_may_give
from .models import Membership, SupportGroup

MAX_ROWS = 200
MAX_UPLOAD = 200_000  # bytes: a CSV of a few hundred addresses


class InvitationForm(forms.Form):
    group = forms.ModelChoiceField(label=_("Group"), queryset=SupportGroup.objects.none())
    role = forms.ChoiceField(label=_("Role"), choices=Invitation.Role.choices)
    addresses = forms.CharField(
        label=_("Email addresses"), required=False, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One address, or several: one a line. A line may add a role after a comma "
                    "(“sam@example.org, mentor”); otherwise the role above."),
    )
    csv_file = forms.FileField(label=_("Or a CSV file (email, and optionally role)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        groups = SupportGroup.objects.all() if user.is_program_staff else SupportGroup.objects.filter(
            pk__in=user.coordinated_group_ids)
        self.fields["group"].queryset = groups
        if not user.is_program_staff:
            self.fields["role"].choices = [c for c in Invitation.Role.choices if c[0] != Invitation.Role.COORDINATOR]

    def clean(self):
        data = super().clean()
        text = data.get("addresses") or ""
        upload = data.get("csv_file")
        if upload:
            if upload.size > MAX_UPLOAD:
                raise ValidationError({"csv_file": _("That file is too large for a list of addresses.")})
            try:
                text += "\n" + upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise ValidationError({"csv_file": _("Save the file as CSV (UTF-8) and try again.")}) from None
        rows = [row for row in csv.reader(io.StringIO(text)) if any(cell.strip() for cell in row)]
        if not rows:
            raise ValidationError({"addresses": _("Enter at least one email address.")})
        if len(rows) > MAX_ROWS:
            raise ValidationError({"addresses": _("At most %(n)d addresses at once.") % {"n": MAX_ROWS}})
        data["rows"] = rows
        return data

    def preview(self) -> list[dict]:
        """One entry per row: address, role, and the error that stops it (or None)."""
        group, default_role = self.cleaned_data["group"], self.cleaned_data["role"]
        allowed = roles_inviter_may_give(self.user, group)
        labels = dict(Invitation.Role.choices)
        pending = set(Invitation.objects.pending().filter(group=group).values_list("email", "role"))
        members = {e.lower() for e in Membership.objects.filter(group=group).values_list("user__email", flat=True)}
        seen, out = set(), []
        for row in self.cleaned_data["rows"]:
            email = row[0].strip().lower()
            if email in ("email", "e-mail", "address"):  # a header line
                continue
            role = (row[1].strip().lower() if len(row) > 1 and row[1].strip() else default_role)
            error = None
            try:
                validate_email(email)
            except ValidationError:
                error = _("not an email address")
            if error is None and role not in labels:
                error = _("unknown role “%(role)s” (mentee, mentor, mea or coordinator)") % {"role": role}
            elif error is None and role not in allowed:
                error = _("you cannot invite with this role")
            elif error is None and (email, role) in seen:
                error = _("listed twice")
            elif error is None and (email, role) in pending:
                error = _("already invited (resend it from the list below)")
            elif error is None and email in members and role == Invitation.Role.MENTEE:
                error = _("already a member of this group")
            seen.add((email, role))
            out.append({"email": email, "role": role, "role_label": labels.get(role, role), "error": error})
        return out


class JoinCodeForm(forms.Form):
    code = forms.CharField(label=_("Join code"), max_length=12,
                           help_text=_("The code a coordinator gave you for their group."))

    def clean_code(self):
        code = self.cleaned_data["code"].strip().upper()
        group = SupportGroup.objects.filter(join_code=code).first()
        if group is None:
            raise ValidationError(_("No group has this code. Check it with your coordinator."))
        self.group = group
        return code
