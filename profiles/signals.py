"""What the people app tells the apps above it, without importing them.

`role_granted` (sent with `user` and `role`): a role was granted, inside the
transaction that granted it. matches.waiting stores since when a new mentee waits.
"""

from django.dispatch import Signal

role_granted = Signal()
