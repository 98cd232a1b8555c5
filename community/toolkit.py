"""The ways of mentoring and the suggested questions, in the seed's words (002, "What is mentorship?").

Static content, translated like any other string: it changes with the program's
guide, not with data.
"""

from django.utils.translation import gettext_lazy as _

WAYS_OF_MENTORING = [
    ("connecting", _("Connecting"), _(
        "Deep listening, engagement, and awareness helps reveal where the mentee is in their healing process, "
        "and give them things to ask about in meetings. Connection could happen in person (if possible), or via "
        "phone, text, or web app — whatever is mutually agreeable to both."
    )),
    ("supporting", _("Supporting"), _(
        "Providing emotional support in the form of non-judgemental encouragement and understanding for the mentee. "
        "For example, simple compassion for a mentee being overly hard on themselves. Mentoring support does not "
        "replace professional support such as therapy, but occurs in a supportive context of group meetings, "
        "professionals, family, friends, etc."
    )),
    ("learning", _("Learning"), _(
        "Sharing practical healing strategies is a two-way benefit of mentoring. For example, sharing and discussing "
        "any of the healing resources below. Mentoring isn’t about advice, but finding things that may serve our "
        "journey in the other and leaving the rest."
    )),
    ("sharing", _("Sharing"), _(
        "Offering personal healing stories and perspectives, perhaps in response to mentee concerns. Mentoring isn’t "
        "about imposing personal views but discerning what might be useful for the mentee, and offering perspectives "
        "(e.g., “This is my story, does any of it resonate for you?”). Mentor sharing from a vantage point of relative "
        "stability and wholeness offers hope and perspective in a time of mentee vulnerability."
    )),
    ("questioning", _("Questioning"), _(
        "Asking helpful questions, while honoring the mentee’s unique journey and personal decisions. Questions could "
        "be about self-care, establishing healthy boundaries, or simply asking what the mentee needs most right now."
    )),
    ("celebrating", _("Celebrating"), _(
        "Recognize, acknowledge and celebrate mentee progress, since they may not see their own process in the "
        "non-linear healing path."
    )),
    ("reciprocating", _("Reciprocating"), _(
        "The mentoring relationship rewards both mentor and mentee by cultivating meaning, hope, support and "
        "wholehearted connection in navigating a challenging healing journey together. Mentees receive precious "
        "support and mentors may get inspiration, purpose, gratitude, and an invaluable perspective on how far they "
        "have come."
    )),
]

SUGGESTED_QUESTIONS = [
    _("What do you need in terms of support at this stage of your healing?"),
    _("Would you like me to just listen, or respond with some thoughts?"),
    _("Is there anything I can do that will be of benefit to you right now?"),
    _("What do you think a healthy, wise, compassionate, adult would do in your situation?"),
]

# The way of mentoring the suggested questions belong to.
QUESTIONS_WAY = "questioning"


def way_for_stage(*, days_together: int, checkins_done: int, celebrating: bool = False) -> tuple[str, str, str]:
    """The way of mentoring that fits where a match is now: (slug, name, the guide's words).

    New matches start by connecting; after the first check-in, supporting and
    questioning; a settled match shares and learns; something to celebrate is
    always worth celebrating.
    """
    if celebrating:
        slug = "celebrating"
    elif checkins_done == 0 and days_together < 30:
        slug = "connecting"
    elif checkins_done <= 1:
        slug = "supporting"
    elif checkins_done == 2:
        slug = "questioning"
    else:
        slug = "sharing" if checkins_done % 2 else "learning"
    for way in WAYS_OF_MENTORING:
        if way[0] == slug:
            return way
    return WAYS_OF_MENTORING[0]
