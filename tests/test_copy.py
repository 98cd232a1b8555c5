"""Copy reads the same everywhere (issue 19): role names are capitalised as people say
them ("MEA", never "mea" or "Mea") in every template and every translatable string."""

import re
from pathlib import Path

from django.conf import settings

BASE = Path(settings.BASE_DIR)
LOWER_MEA = re.compile(r"(?<![\w/.:'\"-])(mea|Mea|meas|Meas|MEAS)(?![\w/.:'\"=-])")
# The CSV importer names the column's literal values, which are lower case on purpose.
ALLOWED = {"unknown role “%(role)s” (mentee, mentor, mea or coordinator)"}


def _visible_text(template: str) -> str:
    """A template's words a person reads: no tags other than translations, no variables, no HTML."""
    text = re.sub(r"{%\s*(?!translate|blocktranslate)[^%]*%}", "", template)
    text = re.sub(r"{{[^}]*}}", "", text)
    return re.sub(r"<[^>]*>", "", text)


def test_templates_say_mea_in_capitals():
    found = []
    for path in sorted((BASE / "templates").rglob("*")):
        if path.suffix in {".html", ".txt"}:
            for m in LOWER_MEA.finditer(_visible_text(path.read_text())):
                found.append(f"{path.relative_to(BASE)}: {m.group(0)!r}")
    assert not found, found


def test_translatable_strings_say_mea_in_capitals():
    found = []
    for path in sorted(BASE.glob("*/**/*.py")):
        parts = path.relative_to(BASE).parts
        if parts[0] in {".venv", "tests", "bench"} or "tests" in parts or "migrations" in parts:
            continue
        for m in re.finditer(r"""_\(\s*(?:"([^"]*)"|'([^']*)')""", path.read_text()):
            text = m.group(1) or m.group(2)
            if LOWER_MEA.search(text) and text not in ALLOWED:
                found.append(f"{path.relative_to(BASE)}: {text!r}")
    assert not found, found


def test_templates_show_dates_in_the_one_style():
    """Dates and times go through DATE_FORMAT or DATETIME_FORMAT ("Tue 5 Jan 2027, 14:00 EST",
    mentorship/formats/en/formats.py) or read as a duration (timesince): never a format of their own."""
    found = []
    for path in sorted((BASE / "templates").rglob("*")):
        if path.suffix in {".html", ".txt"}:
            for m in re.finditer(r"\|(date|time)\b(:\s*\"([^\"]*)\")?", path.read_text()):
                if m.group(3) not in {"DATE_FORMAT", "DATETIME_FORMAT"} and m.group(0) != "|date":  # bare: DATE_FORMAT
                    found.append(f"{path.relative_to(BASE)}: {m.group(0)}")
    assert not found, found
