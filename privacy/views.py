"""Member privacy pages: download my data, ask for erasure; coordinators complete erasures."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import services
from .models import ErasureRequest


class ErasureConfirmForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("I understand that my account will be closed and my personal details removed."),
        required=True,
    )


@login_required
def home(request):
    open_request = ErasureRequest.objects.filter(user=request.user).open().first()
    return render(
        request, "privacy/home.html", {"open_request": open_request, "form": ErasureConfirmForm()}
    )


@login_required
@never_cache
def export(request):
    """Everything the program holds about me, as a JSON download."""
    response = HttpResponse(services.export_json(request.user), content_type="application/json; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="my-mentorship-data-{stamp}.json"'
    return response


@login_required
@require_POST
def erasure_request_create(request):
    form = ErasureConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please tick the box to confirm you want your data erased."))
        return redirect("privacy:home")
    services.erasure_request(request.user)
    messages.success(
        request, _("Your request is recorded. A coordinator will complete it and your account will then be closed.")
    )
    return redirect("privacy:home")


@login_required
@require_POST
def erasure_request_withdraw(request, pk):
    get_object_or_404(ErasureRequest.objects.filter(user=request.user), pk=pk)
    try:
        services.erasure_withdraw(request.user, pk)
    except ValidationError as exc:
        messages.error(request, services.erasure_error_message(exc))
    else:
        messages.success(request, _("Your erasure request is withdrawn."))
    return redirect("privacy:home")


def _completer_scope(user):
    if not (user.is_program_staff or user.coordinated_group_ids):
        raise Http404
    return ErasureRequest.objects.visible_to(user).exclude(user=user)


@login_required
def erasure_request_list(request):
    requests = _completer_scope(request.user).open().select_related("user", "user__profile")[:200]
    return render(request, "privacy/erasurerequest_list.html", {"requests": requests})


@login_required
@require_POST
def erasure_request_complete(request, pk):
    get_object_or_404(_completer_scope(request.user), pk=pk)
    try:
        services.erasure_complete(pk, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, services.erasure_error_message(exc))
    else:
        messages.success(request, _("The member's personal data is erased and their account closed."))
    return redirect("privacy:erasure_requests")
