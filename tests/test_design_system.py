"""The project's few styles on top of Bootstrap (issue 19, docs/DESIGN_SYSTEM.md): served from
static/ with no CDN, tiers and states each with their own colour, and pages that use them."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from escalations.tests.factories import ConcernFactory
from matches.tests.factories import MatchFactory

BASE = Path(settings.BASE_DIR)
APP_CSS = (BASE / "static" / "css" / "app.css").read_text()


def test_no_template_loads_a_style_script_or_font_from_another_site():
    found = []
    for path in sorted((BASE / "templates").rglob("*.html")):
        for tag in re.findall(r"<(?:link|script|img|iframe)\b[^>]*>", path.read_text()):
            if re.search(r"""(?:src|href)=["'](?:https?:)?//""", tag):
                found.append(f"{path.relative_to(BASE)}: {tag}")
    assert not found, found
    assert "@import" not in APP_CSS and "url(http" not in APP_CSS and "url(//" not in APP_CSS


def _colours(selector: str) -> tuple[str, str]:
    rule = re.search(re.escape(selector) + r"[^{]*\{([^}]*)\}", APP_CSS)
    assert rule, f"app.css has no {selector}"
    background = re.search(r"background:\s*([^;!]+)", rule.group(1)).group(1).strip()
    colour = re.search(r"(?<!-)color:\s*([^;!]+)", rule.group(1)).group(1).strip()
    return background, colour


def test_each_tier_and_state_has_a_colour_of_its_own_and_people_have_cards():
    tiers = {_colours(f".tier-{n}") for n in (1, 2, 3)}
    states = {_colours(f".state-{s}") for s in ("ok", "due", "late")}
    assert len(tiers) == 3 and len(states) == 3
    assert ".person-card" in APP_CSS and ".next-step" in APP_CSS


@pytest.mark.django_db
def test_the_staff_home_colours_each_report_by_its_tier_and_a_missed_deadline_as_late(client, group, staff_user, mea):
    match = MatchFactory(group=group, mea=mea)
    ConcernFactory(match=match, tier=3, kind="emergency", escalated_to_staff=True,
                   ack_deadline=timezone.now() - timedelta(minutes=5))
    ConcernFactory(match=match, tier=2, kind="monitor", escalated_to_staff=True,
                   ack_deadline=timezone.now() + timedelta(hours=5))
    client.force_login(staff_user)
    html = client.get(reverse("escalations:staff_home")).content.decode()
    assert 'class="badge tier-3' in html and 'class="badge tier-2' in html
    assert 'class="badge state-late">overdue<' in html
