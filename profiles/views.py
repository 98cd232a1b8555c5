from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from . import services
from .forms import ProfileForm
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
