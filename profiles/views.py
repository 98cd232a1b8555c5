from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import services
from .forms import ProfileForm, TimeZoneForm
from .models import Profile
from .timezones import remember_zone


@login_required
def profile_detail(request, pk=None):
    if pk is None:
        profile = services.profile_for(request.user)
    else:
        profile = get_object_or_404(
            Profile.objects.visible_to(request.user).select_related("user").prefetch_related("topics"), pk=pk
        )
    groups = profile.user.memberships.select_related("group")
    return render(request, "profiles/profile_detail.html", {"profile": profile, "memberships": groups})


@login_required
def profile_edit(request):
    profile = services.profile_for(request.user)
    form = ProfileForm(request.POST or None, instance=profile)
    if request.method == "POST":
        if form.is_valid():
            form.save()
            remember_zone(request, profile.time_zone)
            messages.success(request, _("Your profile is saved."))
            return redirect("profiles:me")
        messages.error(request, _("Please correct the highlighted fields."))
    return render(request, "profiles/profile_form.html", {"form": form})


@login_required
@require_POST
def time_zone_set(request):
    """The layout's offer ("your browser says Europe/London"): the profile takes that zone, then back to the page."""
    form = TimeZoneForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    if not form.is_valid():
        messages.error(request, _("That time zone is not one we know; choose yours on your profile."))
        return redirect("profiles:edit")
    zone = form.cleaned_data["time_zone"]
    profile = services.profile_for(request.user)
    profile.time_zone = zone
    profile.save(update_fields=["time_zone", "updated_at"])
    remember_zone(request, zone)
    messages.success(request, _("Times are now shown in %(zone)s, and reminders follow it.") % {
        "zone": zone.replace("_", " ")})
    return redirect(back or "profiles:me")
