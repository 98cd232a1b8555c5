from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse

from profiles.joining_views import accept_from_session
from profiles.program import program_settings
from profiles.services import profile_for

from .services import email_queue


@dataclass(frozen=True)
class ProgramSite:
    """What allauth's emails call the site ("Hello from {{ current_site.name }}!"): the program."""

    name: str
    domain: str


def program_site() -> ProgramSite:
    return ProgramSite(name=program_settings().program_name, domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Route allauth's emails (verification, reset) through our outbox, so
        a slow or failing SMTP server never loses a sign-up or breaks the page."""
        context = {"email": email, **context, "current_site": program_site()}
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), "")
        # secret: these mails carry a confirmation key, a reset key or a sign-in code;
        # the body is blanked once the mail server accepted it.
        email_queue(to=email, subject=message.subject, body_text=message.body, body_html=html, secret=True)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profile_for(user, time_zone=form.cleaned_data.get("time_zone", ""))
            # Signed up from an invitation's link: in the group with the role at once.
            accept_from_session(request, user)
        return user

    def get_login_redirect_url(self, request):
        # Signed in from an invitation's link: accept it next.
        if request.session.get("invitation_id"):
            return reverse("people:invitation_accept")
        return super().get_login_redirect_url(request)
