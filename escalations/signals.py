"""What the escalation router tells the apps above it, without importing them.

`concern_changed` (sent with `match_id`): a report was raised or changed its
status, inside the transaction that changed it. support.need keeps the
dashboards' stored need score up to date from it.
"""

from django.dispatch import Signal

concern_changed = Signal()
