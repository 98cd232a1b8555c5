from allauth.account.adapter import DefaultAccountAdapter

from .services import email_queue, profile_for


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        """Route allauth's emails (verification, reset) through our outbox, so
        a slow or failing SMTP server never loses a sign-up or breaks the page."""
        message = self.render_mail(template_prefix, email, context)
        html = next((body for body, mime in getattr(message, "alternatives", []) if mime == "text/html"), "")
        email_queue(to=email, subject=message.subject, body_text=message.body, body_html=html)

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            profile_for(user)
        return user
