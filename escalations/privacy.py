"""The member's reports in their export; erasure keeps every report and its history.

What a member gets follows Concern.objects.visible_to and the reporter's own
report page:
- reports they made: what they reported (situations and their details), the
  status, what happens next and the public history (never handler notes,
  the outcome text or routing reasons, which the reporter's page does not
  show either), and any debrief offered to them;
- reports about them: nothing, not even that one exists. visible_to never
  shows a report to the person it names; a report of abuse or harassment
  disclosed to its subject could put the reporter at risk. A request for
  those is for program staff to weigh by hand, not a download;
- as a handler (MEA or staff): what they did and when, on which report
  number, without anyone's text; the debriefs they follow up; and the
  notices sent to them (which never held report text).

Erasure first hands to staff every report routed to them as the MEA that
staff do not have yet and that is not resolved (an erased account cannot
answer it), unassigns them from unresolved reports (staff pick them up
again), and gives debriefs they were to follow up to staff. It keeps reports, their events, notices and debriefs (safeguarding
records, other people's report text included): only the member's name,
email and contact details inside report text, handler notes and outcomes
become "[former member]", and notices addressed to their email address are
re-addressed to the erased account's placeholder address. The audit and
access trails of reports stay (their values are scrubbed afterwards by
privacy.services).
"""


from privacy.services import erasure_actor

from .models import Concern, ConcernEvent, Debrief
from .services import concern_escalate

COVERS = (
    "escalations.Concern.reporter", "escalations.Concern.routed_to_mea", "escalations.Concern.assigned_to",
    "escalations.ConcernEvent.actor", "escalations.Debrief.person",
    "escalations.Debrief.owner",
)
EXEMPT: dict[str, str] = {
    "escalations.Concern.subject": (
        "The person a report is about is never told of it, even in their own export: telling them could "
        "endanger the reporter. Erasure anonymises the account itself, so the link then names nobody."
    ),
}


# Free text erasure scrubs of the member's identifiers in every row, and the rest with why
# (privacy/registry.py).
SCRUBBED_TEXT = ("escalations.Concern.details", "escalations.Concern.outcome", "escalations.ConcernEvent.note")
TEXT_KEPT = {
    **{f"escalations.GroupEmergencyNumbers.{name}": "Emergency numbers and services set by staff."
       for name in ("emergency", "crisis_call", "crisis_text", "crisis_chat_url", "crisis_name", "dv_call", "dv_text",
                    "dv_text_word", "child_call")},
}

def export(user) -> dict:
    reports = Concern.objects.filter(reporter=user).prefetch_related("events").order_by("created_at", "pk")
    debriefs = {d.concern_id: d for d in Debrief.objects.filter(person=user)}
    return {
        "reports_made": [
            {"id": c.pk, "match_id": c.match_id, "about": c.about, "situations": c.situation_labels,
             "details": c.details, "source": c.source, "status": c.status, "what_happens_next": c.next_step(),
             "created_at": c.created_at, "acknowledged_at": c.acknowledged_at, "resolved_at": c.resolved_at,
             "history": [{"what": e.what, "at": e.created_at} for e in c.events.all() if e.what in ConcernEvent.PUBLIC],
             "debrief": (
                 {"status": debriefs[c.pk].status, "due_on": debriefs[c.pk].due_on, "done_at": debriefs[c.pk].done_at}
                 if c.pk in debriefs else None
             )}
            for c in reports
        ],
        "reports_handled": {
            "routed_to_me_as_mea": list(Concern.objects.filter(routed_to_mea=user).values_list("pk", flat=True)),
            "assigned_to_me": list(Concern.objects.filter(assigned_to=user).values_list("pk", flat=True)),
            "my_actions": [
                {"report_id": e.concern_id, "what": e.what, "at": e.created_at}
                for e in ConcernEvent.objects.filter(actor=user).exclude(concern__reporter=user).order_by("created_at", "pk")
            ],
            "debriefs_i_follow_up": [
                {"report_id": d.concern_id, "status": d.status, "due_on": d.due_on}
                for d in Debrief.objects.filter(owner=user).exclude(person=user)
            ],
        },
    }


def erase(user) -> None:
    held = Concern.objects.filter(routed_to_mea=user, escalated_to_staff=False).exclude(status=Concern.Status.RESOLVED)
    for concern in held:
        concern_escalate(concern, None, "The MEA it was routed to left the program.")
    # Unassigned on their timeline (handlers read who holds a report there, not in the history).
    unassigned = list(Concern.objects.filter(assigned_to=user).exclude(status=Concern.Status.RESOLVED)
                      .values_list("pk", flat=True))
    Concern.objects.filter(pk__in=unassigned).update(assigned_to=None)
    ConcernEvent.objects.bulk_create([
        ConcernEvent(concern_id=pk, actor=erasure_actor(), what=ConcernEvent.What.ASSIGNED,
                     note="Unassigned: the staff member left the program.")
        for pk in unassigned
    ])
    Debrief.objects.filter(owner=user, status__in=[Debrief.Status.OFFERED, Debrief.Status.ACCEPTED]).update(owner=None)
