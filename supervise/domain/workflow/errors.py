"""Why a transition did not happen: one typed error per reason, each with a message for the user.

Every channel maps them the same way (``web.refused`` for the portals, the API's problem JSON):
:class:`NotAllowed` is the actor's part (403), :class:`WrongState` and :class:`Stale` the ticket's
state (409), :class:`Invalid` the data (a form error or 422, with a message per field).
"""

from typing import Any

from flask_babel import lazy_gettext as _l


class TransitionError(Exception):
    """A transition that may not happen; ``str(err)`` is a message for the user."""

    def __init__(self, message: Any):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return str(self.message)


class NotAllowed(TransitionError):
    """The actor has no part on the ticket that may make this action."""

    def __init__(self, message: Any = None):
        super().__init__(message or _l("You may not do that on this ticket."))


class WrongState(TransitionError):
    """The ticket is not in a state where the action can be made (or the action is unknown)."""

    def __init__(self, message: Any = None):
        super().__init__(message or _l("This ticket is no longer in a state where that can be done."))


class Invalid(TransitionError):
    """The data is missing, of the wrong shape, or refused by the action's rules.

    ``errors`` maps a field's name to its message; a refusal that is not about one field (e.g. "there
    is no extension request waiting") has the message under ``""``.
    """

    def __init__(self, message: Any, field: str = "", errors: dict[str, Any] | None = None):
        super().__init__(message)
        self.errors: dict[str, Any] = errors if errors is not None else {field: message}

    @classmethod
    def of(cls, errors: dict[str, Any]) -> "Invalid":
        """One error for several fields; its message is the first field's."""
        first = next(iter(errors.values()))
        return cls(first, errors=errors)


class Stale(TransitionError):
    """Someone else changed the ticket since the actor's page was drawn."""

    def __init__(self) -> None:
        super().__init__(_l("Someone else changed this ticket a moment ago. Reload it and try again."))


#: The name the channels have used so far; kept so that ``except StaleTicket`` reads as before.
StaleTicket = Stale
