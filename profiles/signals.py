"""What the people app tells the apps above it, without importing them.

Each is sent inside the transaction that made the change, so what a receiver
writes (an outbox row) commits or rolls back with it.

- `role_granted` (`user`, `role`): a role was granted. matches.waiting stores
  since when a new mentee waits.
- `invitation_sent` (`invitation`, `token`): an invitation was made or sent again;
  `token` is its link's secret, never stored. support.joining emails the link.
- `join_requested` (`join_request`, `coordinators`): someone asked to join a group;
  support.joining tells its coordinators.
- `join_decided` (`join_request`, `approved`): a coordinator answered; support.joining
  tells the person.
"""

from django.dispatch import Signal

role_granted = Signal()
invitation_sent = Signal()
join_requested = Signal()
join_decided = Signal()
