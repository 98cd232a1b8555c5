from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from . import services
from .models import Notice


@login_required
def notice_list(request):
    notices = Notice.objects.visible_to(request.user)[:100]
    return render(request, "notifications/notice_list.html", {"notifications": notices})


@login_required
@require_POST
def notice_open(request, pk):
    notice = get_object_or_404(Notice.objects.visible_to(request.user), pk=pk)
    services.notices_mark_read(request.user, [notice.pk])
    if notice.url and url_has_allowed_host_and_scheme(notice.url, allowed_hosts={request.get_host()}):
        return redirect(notice.url)
    return redirect("notifications:list")


@login_required
@require_POST
def notices_read_all(request):
    services.notices_mark_read(request.user)
    return redirect("notifications:list")
