"""Write-side use cases outside the ticket state machine (Indico's ``operations.py``).

Each function takes the acting user (None for the platform itself: the seed, a command, an API client
without an account), checks the rule it owns, changes the session and **does not commit**: the caller
(a view, a command, the seed) commits once and only then enqueues jobs. A refused write raises
:class:`OperationError` (or a subclass) with a message for the user and, when it is about one field,
the field's name.

- :mod:`.users`: creating accounts (staff by an administrator or the command line, a colleague by a
  verified enterprise user, the demo's accounts);
- :mod:`.enterprises`: registering a company (staff intake, Open311, self-registration) and its aliases;
- :mod:`.filing`: filing a complaint from any channel (console intake, enterprise portal, Open311, seed);
- :mod:`.units`: saving a unit.
"""

from typing import Any


class OperationError(Exception):
    """A write the rules refuse; ``field`` names the form field it is about, if any."""

    def __init__(self, message: Any, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
