"""Chat board and toolkit views: thin, every object read through `visible_to` (404 outside scope).

The insights pages are in insights_views.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matches.models import Match
from profiles.access import role_required
from profiles.models import Role, Topic

from . import selectors, services
from .forms import ContactForm, MessageForm, PostForm, ReplyForm, ReportForm, ResourceForm, SaveToMatchForm
from .models import Block, ChatMessage, ChatPost, ChatReport, ChatThread, Resource, SavedResource
from .services import CommunityError
from .toolkit import QUESTIONS_WAY, SUGGESTED_QUESTIONS, WAYS_OF_MENTORING

# --- Chat board ------------------------------------------------------------------


@login_required
def board(request):
    kind = request.GET.get("kind", "")
    return render(request, "community/chatpost_list.html", {
        "posts": selectors.board_posts(request.user, kind)[:200],
        "kind": kind if kind in ChatPost.Kind.values else "",
        "kinds": ChatPost.Kind.choices,
        "my_posts": selectors.my_posts(request.user)[:50],
        "threads": selectors.my_threads(request.user)[:50],
    })


@login_required
def post_create(request):
    form = PostForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            post = services.post_create(author=request.user, **form.cleaned_data)
        except CommunityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Your post is on the board."))
            return redirect("community:post_detail", pk=post.pk)
    return render(request, "community/chatpost_form.html", {"form": form})


def _post(request, pk) -> ChatPost:
    return get_object_or_404(ChatPost.objects.visible_to(request.user).select_related("author__profile", "group"), pk=pk)


@login_required
def post_detail(request, pk):
    post = _post(request, pk)
    is_author = post.author_id == request.user.pk
    ctx = {"post": post, "is_author": is_author}
    if is_author:
        ctx["threads"] = ChatThread.objects.visible_to(request.user).filter(post=post).select_related("replier__profile")
    else:
        ctx["my_thread"] = ChatThread.objects.visible_to(request.user).filter(post=post, replier=request.user).first()
        if post.is_live and ctx["my_thread"] is None:
            ctx["reply_form"] = ReplyForm()
    return render(request, "community/chatpost_detail.html", ctx)


@login_required
@require_POST
def post_close(request, pk):
    post = _post(request, pk)
    try:
        services.post_close(post=post, by=request.user)
    except CommunityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your post is closed. Conversations already started continue."))
    return redirect("community:post_detail", pk=post.pk)


@login_required
@require_POST
def post_reply(request, pk):
    post = _post(request, pk)
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a few words to the author."))
        return redirect("community:post_detail", pk=post.pk)
    try:
        thread = services.reply_to_author(post=post, replier=request.user, **form.cleaned_data)
    except CommunityError as exc:
        messages.error(request, str(exc))
        return redirect("community:post_detail", pk=post.pk)
    messages.success(request, _("Your reply went to the author only."))
    return redirect("community:thread_detail", pk=thread.pk)


def _thread(request, pk) -> ChatThread:
    return get_object_or_404(
        ChatThread.objects.visible_to(request.user).select_related(
            "post__group", "author__profile", "replier__profile"
        ),
        pk=pk,
    )


CONTACT_DETAIL = {
    "phone": lambda u: getattr(getattr(u, "profile", None), "phone", ""),
    "text": lambda u: getattr(getattr(u, "profile", None), "phone", ""),
    "email": lambda u: u.email,
    "web": lambda u: getattr(getattr(u, "profile", None), "discord", ""),
    "in_person": lambda u: "",
}


@login_required
def thread_detail(request, pk):
    thread = _thread(request, pk)
    other = thread.other(request.user)
    agreed = bool(thread.contact_agreed_at)
    return render(request, "community/chatthread_detail.html", {
        "thread": thread,
        "other": other,
        "chat_messages": thread.messages.select_related("sender__profile"),
        "message_form": MessageForm(),
        "contact_form": ContactForm(initial={"contact_method": thread.contact_method or None}),
        "can_agree": bool(thread.contact_method) and not agreed and thread.contact_proposed_by_id != request.user.pk,
        # Contact details only once both agreed on how to talk.
        "other_detail": CONTACT_DETAIL[thread.contact_method](other) if agreed else "",
        "my_detail": CONTACT_DETAIL[thread.contact_method](request.user) if agreed else "",
    })


@login_required
@require_POST
def thread_message(request, pk):
    thread = _thread(request, pk)
    form = MessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a message first."))
    else:
        try:
            services.message_send(thread=thread, sender=request.user, body=form.cleaned_data["body"])
        except CommunityError as exc:
            messages.error(request, str(exc))
    return redirect("community:thread_detail", pk=thread.pk)


@login_required
@require_POST
def thread_contact(request, pk):
    thread = _thread(request, pk)
    try:
        if request.POST.get("agree"):
            services.contact_agree(thread=thread, by=request.user)
            messages.success(request, _("You agreed on how to talk."))
        else:
            form = ContactForm(request.POST)
            if not form.is_valid():
                raise CommunityError(_("Choose one of the ways to talk."))
            services.contact_propose(thread=thread, by=request.user, method=form.cleaned_data["contact_method"])
            messages.success(request, _("Suggestion sent. Your details are shown once you both agree."))
    except CommunityError as exc:
        messages.error(request, str(exc))
    return redirect("community:thread_detail", pk=thread.pk)


# --- Blocks ----------------------------------------------------------------------


@login_required
@require_POST
def block_post_author(request, pk):
    post = _post(request, pk)
    return _block(request, post.author)


@login_required
@require_POST
def block_thread_other(request, pk):
    thread = _thread(request, pk)
    return _block(request, thread.other(request.user))


def _block(request, other):
    try:
        services.block_create(blocker=request.user, blocked=other)
    except CommunityError as exc:
        messages.error(request, str(exc))
        return redirect("community:board")
    messages.success(request, _("Blocked. You no longer see each other's posts or messages."))
    return redirect("community:blocks")


@login_required
def blocks(request):
    return render(request, "community/block_list.html", {
        "blocks": Block.objects.visible_to(request.user).select_related("blocked__profile"),
    })


@login_required
@require_POST
def block_remove(request, pk):
    block = get_object_or_404(Block.objects.visible_to(request.user), pk=pk)
    services.block_remove(blocker=request.user, block_id=block.pk)
    messages.success(request, _("Unblocked."))
    return redirect("community:blocks")


# --- Reports ---------------------------------------------------------------------


def _report_form(request, target_kwargs, template_ctx, back):
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            made = services.report_create(reporter=request.user, **form.cleaned_data, **target_kwargs)
        except CommunityError as exc:
            messages.error(request, str(exc))
        else:
            if made.safety_concern:  # a safety report: its page has the guidance for it
                messages.success(request, _("Thank you. Program staff have your report now."))
                return redirect("escalations:my_report", pk=made.safety_concern.pk)
            messages.success(request, _("Thank you. The group's coordinator will look at it."))
            return back
    return render(request, "community/chatreport_form.html", {"form": form, **template_ctx})


@login_required
def report_post(request, pk):
    post = _post(request, pk)
    if post.author_id == request.user.pk:
        raise Http404
    return _report_form(request, {"post": post}, {"post": post}, redirect("community:board"))


@login_required
def report_message(request, pk):
    message = get_object_or_404(
        ChatMessage.objects.visible_to(request.user).exclude(sender=request.user).select_related("thread__post"), pk=pk
    )
    return _report_form(request, {"message": message}, {"reported_message": message},
                        redirect("community:thread_detail", pk=message.thread_id))


@role_required(Role.COORDINATOR, Role.STAFF)
def report_list(request):
    return render(request, "community/chatreport_list.html", {"reports": selectors.reports_to_handle(request.user)[:200]})


def _report(request, pk) -> ChatReport:
    return get_object_or_404(
        ChatReport.objects.visible_to(request.user).select_related(
            "group", "reporter__profile", "post__author__profile", "message__sender__profile"
        ),
        pk=pk,
    )


@login_required
def report_detail(request, pk):
    report = _report(request, pk)
    handles = request.user.is_program_staff or report.group_id in request.user.coordinated_group_ids
    return render(request, "community/chatreport_detail.html", {"report": report, "handles": handles})


@login_required
@require_POST
def report_resolve(request, pk):
    report = _report(request, pk)
    try:
        services.report_resolve(report=report, by=request.user, close_post=bool(request.POST.get("close_post")))
    except CommunityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Marked as handled."))
    return redirect("community:report_detail", pk=report.pk)


# --- Toolkit ---------------------------------------------------------------------


@login_required
def toolkit(request):
    topic = request.GET.get("topic", "")
    matches = selectors.my_active_matches(request.user)
    curator = request.user.is_program_staff or bool(request.user.coordinated_group_ids)
    return render(request, "community/toolkit.html", {
        "ways": WAYS_OF_MENTORING,
        "questions": SUGGESTED_QUESTIONS,
        "questions_way": QUESTIONS_WAY,
        "resources": selectors.library(request.user, topic, include_archived=curator)[:300],
        "topics": Topic.objects.filter(resources__isnull=False).distinct(),
        "topic": topic,
        "save_form": SaveToMatchForm(matches=matches) if matches else None,
        "saved": selectors.saved_for_matches(request.user, matches) if matches else [],
        "curator": curator,
    })


@login_required
def resource_detail(request, pk):
    resource = get_object_or_404(Resource.objects.visible_to(request.user).select_related("group"), pk=pk)
    matches = selectors.my_active_matches(request.user)
    return render(request, "community/resource_detail.html", {
        "resource": resource,
        "save_form": SaveToMatchForm(matches=matches) if matches and resource.status == Resource.Status.PUBLISHED else None,
        "can_curate": services.can_curate(request.user, resource.group),
    })


@role_required(Role.COORDINATOR, Role.STAFF)
def resource_create(request):
    return _resource_form(request, None)


@role_required(Role.COORDINATOR, Role.STAFF)
def resource_edit(request, pk):
    resource = get_object_or_404(Resource.objects.visible_to(request.user), pk=pk)
    if not services.can_curate(request.user, resource.group):
        raise Http404
    return _resource_form(request, resource)


def _resource_form(request, resource):
    form = ResourceForm(request.POST or None, instance=resource, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data.get(k) for k in ("title", "url", "body", "group")}
        try:
            # The form wrote its values onto `resource`; the service re-applies them under its checks.
            saved = services.resource_save(by=request.user, data=data, topics=form.cleaned_data["topics"],
                                           resource=Resource.objects.get(pk=resource.pk) if resource else None)
        except CommunityError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("The resource is in the library."))
            return redirect("community:resource_detail", pk=saved.pk)
    return render(request, "community/resource_form.html", {"form": form, "resource": resource})


@role_required(Role.COORDINATOR, Role.STAFF)
@require_POST
def resource_status(request, pk):
    resource = get_object_or_404(Resource.objects.visible_to(request.user), pk=pk)
    status = request.POST.get("status", "")
    try:
        if status not in Resource.Status.values:
            raise CommunityError(_("Unknown status."))
        services.resource_set_status(resource=resource, by=request.user, status=status)
    except CommunityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("community:resource_detail", pk=resource.pk)


@login_required
@require_POST
def resource_save(request, pk):
    resource = get_object_or_404(Resource.objects.visible_to(request.user), pk=pk)
    matches = selectors.my_active_matches(request.user)
    form = SaveToMatchForm(request.POST, matches=matches)
    if not matches or not form.is_valid():
        messages.error(request, _("Choose one of your active matches."))
        return redirect("community:resource_detail", pk=resource.pk)
    match = get_object_or_404(Match.objects.visible_to(request.user), pk=form.cleaned_data["match"])
    try:
        services.resource_save_to_match(resource=resource, match=match, by=request.user)
    except CommunityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Saved to your match. Your mentor or mentee sees it too."))
    return redirect("community:match_resources", pk=match.pk)


@login_required
def match_resources(request, pk):
    match = get_object_or_404(
        Match.objects.visible_to(request.user).select_related("mentor__profile", "mentee__profile"), pk=pk
    )
    return render(request, "community/savedresource_list.html", {
        "match": match,
        "saved": SavedResource.objects.visible_to(request.user).filter(match=match)
        .select_related("resource", "saved_by__profile"),
        "can_remove": match.involves(request.user),
    })


@login_required
@require_POST
def saved_remove(request, pk):
    saved = get_object_or_404(SavedResource.objects.visible_to(request.user).select_related("match"), pk=pk)
    try:
        services.resource_unsave(saved=saved, by=request.user)
    except CommunityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Removed from your match."))
    return redirect("community:match_resources", pk=saved.match_id)
