"""Emergency guidance: what to do now, per kind of emergency, and the numbers to call.

Written for a frightened person who is not a professional, in the spirit of the
public guidance of the 988 Suicide & Crisis Lifeline (#BeThe1To: ask, be there,
keep them safe, help them connect), SAMHSA, the National Domestic Violence
Hotline and the Childhelp National Child Abuse Hotline. Nothing here is advice
of our own invention: call the people whose job this is, keep yourself safe, and
do the few things those services ask of anyone who is with a person in crisis.

The numbers are the program's (settings, United States defaults) unless the
group has its own (GroupEmergencyNumbers). `emergency_numbers()` with no group
reads no database, so the public /help/ page renders with everything down.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from profiles.program import program_row_cached, program_settings

from .models import GroupEmergencyNumbers
from .routing import About

NUMBER_FIELDS = ("emergency", "crisis_call", "crisis_text", "crisis_chat_url", "crisis_name",
                 "dv_call", "dv_text", "dv_text_word", "child_call")


def program_numbers() -> dict[str, str]:
    """The program's numbers: the one place that reads them. Staff set them in the program
    settings (profiles.program); a blank field keeps the environment's value. Read from
    the row this process last loaded, never from the database (/help/ renders with it down)."""
    row = program_row_cached()
    staff_set = {"emergency": row.emergency_services, "crisis_call": row.crisis_line, "crisis_text": row.crisis_text,
                 "dv_call": row.dv_hotline, "dv_text": row.dv_text, "child_call": row.child_abuse_hotline}
    return {**_environment_numbers(), **{key: value for key, value in staff_set.items() if value}}


def _environment_numbers() -> dict[str, str]:
    return {
        "emergency": settings.EMERGENCY_SERVICES,
        "crisis_name": settings.CRISIS_LINE_NAME,
        "crisis_call": settings.CRISIS_LINE,
        "crisis_text": settings.CRISIS_TEXT,
        "crisis_chat_url": settings.CRISIS_CHAT_URL,
        "dv_name": settings.DV_HOTLINE_NAME,
        "dv_call": settings.DV_HOTLINE,
        "dv_text": settings.DV_TEXT,
        "dv_text_word": settings.DV_TEXT_WORD,
        "child_name": settings.CHILD_ABUSE_HOTLINE_NAME,
        "child_call": settings.CHILD_ABUSE_HOTLINE,
    }


def emergency_numbers(group=None) -> dict[str, str]:
    """The numbers for a group (a SupportGroup, its id, or None for the program's own).
    A group's blank fields fall back to the program's."""
    numbers = program_numbers()
    if group is None:
        return numbers
    group_id = getattr(group, "pk", group)
    own = GroupEmergencyNumbers.objects.filter(group_id=group_id).first()
    if own is not None:
        numbers.update({name: getattr(own, name) for name in NUMBER_FIELDS if getattr(own, name)})
    return numbers


def program_list() -> list[dict]:
    """The numbers staff listed in the program settings (profiles.program), as buttons, when they
    changed the default list: shown beside the guidance on report pages (never on /help/, which
    reads no database)."""
    numbers = program_settings().emergency_numbers
    if numbers == settings.EMERGENCY_NUMBERS:
        return []
    return [{"href": f"{'sms' if n['kind'] == 'text' else 'tel'}:{_tel(n['number'])}", "kind": n["kind"],
             "label": (_("Text %(label)s (%(n)s)") if n["kind"] == "text" else _("Call %(label)s (%(n)s)"))
             % {"label": n["label"], "n": n["number"]}} for n in numbers]


def _tel(number: str) -> str:
    return re.sub(r"[^0-9+*#]", "", number)


def _line(key: str, n: dict[str, str]) -> dict | None:
    """One button: its link (tel:/sms: first, a chat link last) and its words."""
    if key == "emergency" and n["emergency"]:
        return {"href": f"tel:{_tel(n['emergency'])}", "kind": "call",
                "label": _("Call emergency services (%(n)s)") % {"n": n["emergency"]}}
    if key == "crisis_call" and n["crisis_call"]:
        return {"href": f"tel:{_tel(n['crisis_call'])}", "kind": "call",
                "label": _("Call the %(name)s (%(n)s)") % {"name": n["crisis_name"], "n": n["crisis_call"]}}
    if key == "crisis_text" and n["crisis_text"]:
        return {"href": f"sms:{_tel(n['crisis_text'])}", "kind": "text",
                "label": _("Text the %(name)s (%(n)s)") % {"name": n["crisis_name"], "n": n["crisis_text"]}}
    if key == "crisis_chat" and n["crisis_chat_url"]:
        return {"href": n["crisis_chat_url"], "kind": "chat",
                "label": _("Chat online with the %(name)s") % {"name": n["crisis_name"]}}
    if key == "dv_call" and n["dv_call"]:
        return {"href": f"tel:{_tel(n['dv_call'])}", "kind": "call",
                "label": _("Call the %(name)s (%(n)s)") % {"name": n["dv_name"], "n": n["dv_call"]}}
    if key == "dv_text" and n["dv_text"]:
        body = f"?&body={n['dv_text_word']}" if n["dv_text_word"] else ""
        words = (_("Text %(word)s to %(n)s (%(name)s)") % {"word": n["dv_text_word"], "n": n["dv_text"], "name": n["dv_name"]}
                 if n["dv_text_word"] else _("Text the %(name)s (%(n)s)") % {"name": n["dv_name"], "n": n["dv_text"]})
        return {"href": f"sms:{_tel(n['dv_text'])}{body}", "kind": "text", "label": words}
    if key == "child_call" and n["child_call"]:
        return {"href": f"tel:{_tel(n['child_call'])}", "kind": "call",
                "label": _("Call the %(name)s (%(n)s)") % {"name": n["child_name"], "n": n["child_call"]}}
    return None


@dataclass(frozen=True)
class Guide:
    key: str
    title: str  # the situation, in the reader's words
    lead: str  # the one thing to do first
    lines: tuple[str, ...]  # the buttons, in order
    steps: tuple[str, ...]  # what to do while help comes ({emergency}, {crisis} filled in)


GUIDES: dict[str, Guide] = {g.key: g for g in (
    Guide("self", _("You are thinking of hurting yourself, or you are not safe"),
          _("You do not have to get through this alone. Reach the crisis line now: it is free, confidential and open day "
            "and night."),
          ("crisis_call", "crisis_text", "crisis_chat", "emergency"),
          (_("Call or text {crisis} now, or chat online. You can say exactly how you feel."),
           _("If you have hurt yourself, or are about to, call {emergency}."),
           _("If you can, put distance between you and anything you could use to hurt yourself."),
           _("Go where other people are, or ask someone you trust to come and stay with you."))),
    Guide("self_harm", _("Someone is about to hurt themselves"),
          _("If they have hurt themselves or may do it now, call emergency services first."),
          ("emergency", "crisis_call", "crisis_text", "crisis_chat"),
          (_("Stay with them, or stay on the phone with them. Do not leave them alone."),
           _("Ask them directly: \u201cAre you thinking about killing yourself?\u201d Asking does not put the idea in "
             "their head."),
           _("If you can do it safely, move away anything they could use to hurt themselves (medicines, weapons, "
             "sharp objects)."),
           _("Call or text {crisis} with them. The counselor can guide you too."),
           _("Listen without judging. Do not promise to keep it a secret."))),
    Guide("abuse", _("Someone is abusing a partner or a child"),
          _("If someone is being hurt right now, call emergency services. Say where you are and that someone is being "
            "hurt."),
          ("emergency", "dv_call", "dv_text", "child_call"),
          (_("Do not step in or confront the person yourself. Keep yourself safe."),
           _("If a child is being hurt or is at risk, call the child abuse hotline: they will tell you how to report "
             "it where the child lives."),
           _("The domestic violence hotline talks with anyone worried about someone, day and night, free and "
             "confidential."),
           _("Write down what you saw or heard, and when, while you remember it."))),
    Guide("harm_others", _("Someone is planning to hurt another person"),
          _("If they may act soon, call emergency services now. Tell them who may be in danger and where, if you know."),
          ("emergency", "crisis_call", "crisis_text"),
          (_("Do not confront them or try to stop them on your own. Keep yourself safe, and leave if you feel "
             "threatened."),
           _("Do not promise to keep it a secret."),
           _("If they are in distress and no one is in immediate danger, the crisis line ({crisis}) can help."))),
    Guide("psychosis", _("Someone is having a psychotic break"),
          _("If they or anyone else may get hurt, call emergency services. Say it is a mental health crisis."),
          ("emergency", "crisis_call", "crisis_text"),
          (_("If no one is in immediate danger, call {crisis}: they can talk you through it and may send a crisis team "
             "where one exists."),
           _("Stay calm. Speak slowly, in short and simple sentences."),
           _("Do not argue with what they see or believe. You can say that it feels real to them."),
           _("Give them space: do not touch them or block their way without asking."),
           _("If you can do it safely, move away anything that could be used to hurt someone."))),
    Guide("thoughts", _("Someone has thoughts of suicide and a plan"),
          _("Thoughts of suicide with a plan can turn urgent. You can call, text or chat with the crisis line now, about "
            "someone else too. If they may act now, call emergency services."),
          ("crisis_call", "crisis_text", "crisis_chat", "emergency"),
          (_("Ask them directly about suicide, and listen."),
           _("Call or text {crisis} together with them, or on your own to ask what to do."),
           _("Do not promise to keep it a secret."))),
    Guide("self_thoughts", _("You are having thoughts of suicide"),
          _("You can call, text or chat with the crisis line right now. It is free, confidential and open day and night."),
          ("crisis_call", "crisis_text", "crisis_chat", "emergency"),
          (_("If you feel you might act on these thoughts, call {emergency} or {crisis} now."),
           _("If you can, ask someone you trust to be with you."))),
    Guide("self_abused", _("Someone is hurting you"),
          _("If you are in danger right now, call emergency services."),
          ("emergency", "dv_call", "dv_text"),
          (_("The domestic violence hotline can help you plan how to stay safe, day and night, free and confidential."),
           _("If you can, go to a safe place or to people you trust."))),
)}

# The kinds listed on the public guidance page, in its order.
PUBLIC_KINDS = ("self", "self_harm", "abuse", "harm_others", "psychosis")

# Situation -> guide, for a report about someone else and for one about oneself.
FOR_OTHERS = {"actively_suicidal": "self_harm", "abusing_someone": "abuse", "hurting_someone": "harm_others",
              "decompensation": "psychosis", "suicidal_thoughts_plan": "thoughts"}
FOR_SELF = {"actively_suicidal": "self", "suicidal_thoughts_plan": "self_thoughts", "victim_of_abuse": "self_abused"}
_ORDER = ("self", "self_harm", "abuse", "harm_others", "psychosis", "thoughts", "self_thoughts", "self_abused")


def render_guide(guide: Guide, numbers: dict[str, str]) -> dict:
    fill = {"emergency": numbers["emergency"], "crisis": numbers["crisis_call"] or numbers["crisis_text"]}
    return {
        "key": guide.key, "title": str(guide.title), "lead": str(guide.lead),
        "lines": [line for line in (_line(k, numbers) for k in guide.lines) if line],
        "steps": [str(step).format(**fill) for step in guide.steps],
    }


def guides_for(situations: list[str], about: str) -> list[Guide]:
    """The guidance for what was reported, most urgent first (none for situations that need none)."""
    table = FOR_SELF if about == About.SELF else FOR_OTHERS
    keys = {table[s] for s in situations if s in table}
    return [GUIDES[k] for k in _ORDER if k in keys]


def guidance_for(situations: list[str], about: str, numbers: dict[str, str]) -> list[dict]:
    return [render_guide(g, numbers) for g in guides_for(situations, about)]


def public_page() -> dict:
    """What the public /help/ page lists, in the reader's language: the same for every reader
    until staff change a number, so built once per language and numbers (the key), not per request."""
    return _public_page(get_language(), tuple(program_numbers().items()))


@lru_cache(maxsize=16)
def _public_page(language: str, numbers: tuple) -> dict:
    numbers = dict(numbers)
    return {"lines": all_lines(numbers), "guides": [render_guide(GUIDES[k], numbers) for k in PUBLIC_KINDS]}


def all_lines(numbers: dict[str, str]) -> list[dict]:
    """Every number, emergency services first (the top of the public page)."""
    keys = ("emergency", "crisis_call", "crisis_text", "dv_call", "dv_text", "child_call", "crisis_chat")
    return [line for line in (_line(k, numbers) for k in keys) if line]
