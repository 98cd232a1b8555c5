"""What the matching app tells the apps above it, without importing them.

`match_changed` (sent with `match_ids`): a match started, ended or changed its
people, inside the transaction that changed it. support.need keeps the
dashboards' stored need score up to date from it.
"""

from django.dispatch import Signal

match_changed = Signal()
