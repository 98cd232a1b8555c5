"""One date and time style everywhere (portal, admin, emails), issue 19.

Dates read as "Tue 5 Jan 2027" and moments as "Tue 5 Jan 2027, 14:00 EST": the
weekday helps people plan, the day before the month is unambiguous, and the
time zone is named because a deadline without one is a guess. Times are shown in
the reader's own time zone (profiles.timezones activates it per request and
per email). Templates use `|date:"DATE_FORMAT"` or `|date:"DATETIME_FORMAT"`
(or print the value, which uses the same format).
"""

DATE_FORMAT = "D j M Y"
DATETIME_FORMAT = "D j M Y, H:i T"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i T"
MONTH_DAY_FORMAT = "j M"
YEAR_MONTH_FORMAT = "M Y"
