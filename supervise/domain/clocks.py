"""A ticket's clocks and the state groups they hang on: the one place that says which states are open,
handled or publishable, which deadline a ticket answers to in each state, whether it is late, the colour
of its warning, and when the enterprise's time to rate is over.

Each rule that is asked both of one ticket and of the database is written twice side by side, from the
same pieces (the clock's states and its due-date column): a Python predicate (:meth:`Clock.is_late`)
and a WHERE clause (:meth:`Clock.late_clause`); tests/test_clocks.py checks they agree in every state.

Not to be confused with :mod:`supervise.domain.clock`, the platform's one notion of "now".
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_

from supervise.domain import deadlines
from supervise.domain.calendar import WorkingCalendar, load_calendar
from supervise.domain.clock import now
from supervise.models import State, Ticket

S = State

# ---------------------------------------------------------------- state groups

# A forwarded ticket is handled by another zone's platform: every local clock stops, as at a merge.
FINAL_STATES = frozenset({S.CLOSED, S.DECLINED, S.MERGED, S.FORWARDED})
OPEN_STATES = frozenset(State) - FINAL_STATES
# Waiting for a unit: not yet accepted, or accepted with no routing rule matched.
BEFORE_DISPATCH = frozenset({S.SUBMITTED, S.AWAITING_DISPATCH})
# The handling clock runs: it starts at dispatch (not at signing), pauses while material is awaited and
# stops at the reply.
HANDLING = frozenset({S.DISPATCHED, S.RETURNED, S.IN_PROGRESS})
# Signed for and being worked on (the clock runs, or is paused while material is awaited).
AT_WORK = frozenset({S.IN_PROGRESS, S.AWAITING_MATERIAL})
# Sent to the unit and not returned: the unit reports monthly progress on these.
WITH_THE_UNIT = AT_WORK | {S.DISPATCHED}
# The unit has replied: the reply is reviewed, rated, or its rating reviewed.
AFTER_REPLY = frozenset({S.REPLIED, S.AWAITING_RATING, S.RATING_REVIEW})
# The supervisor may publish the problem (晒问题) once the ticket was accepted and is neither declined,
# merged into another nor forwarded to another zone (whose platform publishes it, if anyone does).
PUBLISHABLE = frozenset(State) - {S.SUBMITTED, S.DECLINED, S.MERGED, S.FORWARDED}


# ---------------------------------------------------------------- the clocks


@dataclass(frozen=True)
class Clock:
    """One of a ticket's deadlines: the column holding its due date, the states in which it applies
    (its date is shown) and those in which it runs (it can be late and raise warnings)."""

    key: str  # accept | sign | handle | rate
    due: str  # the Ticket attribute holding the due date
    applies_in: frozenset[State]
    runs_in: frozenset[State]
    # The time limit a warning colour is measured against; None: this clock shows no colour.
    limit_days: Callable[[Ticket], int] | None = None

    def due_of(self, ticket: Ticket) -> datetime | None:
        """The ticket's due date on this clock (None before the clock was started)."""
        return getattr(ticket, self.due)

    def is_late(self, ticket: Ticket, at: datetime) -> bool:
        """Late on this clock at ``at``: it runs in the ticket's state and its due date has passed."""
        return self.late(ticket.state, self.due_of(ticket), at)

    def late(self, state: State, due: datetime | None, at: datetime) -> bool:
        """:meth:`is_late` on plain values (for rows that are not Ticket objects, as in the bench)."""
        return state in self.runs_in and due is not None and due < at

    def late_clause(self, at: datetime) -> ColumnElement[bool]:
        """:meth:`is_late` as a WHERE clause; negating it selects exactly the tickets that are not late."""
        due = getattr(Ticket, self.due)
        return and_(Ticket.state.in_(self.runs_in), due.is_not(None), due < at)


ACCEPT = Clock(
    "accept", "accept_due", frozenset({S.SUBMITTED}), frozenset({S.SUBMITTED}), lambda t: deadlines.ACCEPT_DAYS
)
SIGN = Clock("sign", "sign_due", frozenset({S.DISPATCHED}), frozenset({S.DISPATCHED}))
# The handling deadline is shown while the ticket is open, even where its clock is paused or stopped.
HANDLE = Clock("handle", "handle_due", OPEN_STATES, HANDLING, lambda t: t.handle_days)
# Rating has no colour: the enterprise gets a reminder, and the ticket closes unrated once it is late.
RATE = Clock("rate", "rate_due", frozenset({S.AWAITING_RATING}), frozenset({S.AWAITING_RATING}))
CLOCKS = (ACCEPT, SIGN, HANDLE, RATE)

# The deadline a ticket answers to in each state: the date lists show and, while it runs, the clock
# whose warning colour the ticket wears. A dispatched ticket answers to its handling deadline, which
# runs from dispatch; signing has its own alert (``sign_overdue``).
DEADLINE_OF_STATE: dict[State, Clock | None] = {
    S.SUBMITTED: ACCEPT,
    S.AWAITING_DISPATCH: HANDLE,  # not started yet: it starts at dispatch
    S.DISPATCHED: HANDLE,
    S.RETURNED: HANDLE,
    S.IN_PROGRESS: HANDLE,
    S.AWAITING_MATERIAL: HANDLE,  # paused
    S.REPLIED: HANDLE,  # stopped at the reply
    S.AWAITING_RATING: RATE,
    S.RATING_REVIEW: HANDLE,  # stopped at the reply
    S.CLOSED: None,
    S.DECLINED: None,
    S.MERGED: None,
    S.FORWARDED: None,
}


def deadline_of(ticket: Ticket) -> Clock | None:
    """The clock ``ticket`` answers to in its state (None once it is closed, declined or merged)."""
    return DEADLINE_OF_STATE[ticket.state]


def due_date(ticket: Ticket) -> datetime | None:
    """The due date of the deadline ``ticket`` answers to now: the one a list of tickets shows."""
    clock = deadline_of(ticket)
    return clock.due_of(ticket) if clock else None


def deadlines_in_force(ticket: Ticket) -> set[str]:
    """The keys of the clocks whose due date applies to ``ticket`` in its state and is set: the
    deadlines a ticket page lists (accept, sign, handle, rate)."""
    return {c.key for c in CLOCKS if ticket.state in c.applies_in and c.due_of(ticket) is not None}


# ---------------------------------------------------------------- overdue


def is_overdue(ticket: Ticket, at: datetime) -> bool:
    """Late now on a running handling clock (a clock paused for material, or stopped at the reply, is
    not late). The same rule as :func:`overdue_clause`."""
    return HANDLE.is_late(ticket, at)


def overdue_clause(at: datetime) -> ColumnElement[bool]:
    """Tickets late on a running handling clock, as a WHERE clause. The same rule as :func:`is_overdue`."""
    return HANDLE.late_clause(at)


def mark_overdue(ticket: Ticket, at: datetime) -> bool:
    """Keep the deadline a late ticket missed in ``overdue_at``, once: a ticket ever late stays "not on
    time" whatever happens to its deadline later. True when it was recorded now."""
    if ticket.overdue_at is not None or not is_overdue(ticket, at):
        return False
    ticket.overdue_at = ticket.handle_due
    return True


def was_overdue(ticket: Ticket, at: datetime) -> bool:
    """Was or is ``ticket`` late on its handling deadline: recorded late, late now on the running clock,
    or replied after the deadline. What the public pages show as "overdue" (and "not on time")."""
    if ticket.overdue_at is not None or is_overdue(ticket, at):
        return True
    return ticket.replied_at is not None and ticket.handle_due is not None and ticket.replied_at > ticket.handle_due


# ---------------------------------------------------------------- warning colours


def yellow_horizon(cal: WorkingCalendar, at: datetime) -> datetime:
    """Handling deadlines before this moment are yellow (at most two working days left) or worse."""
    return datetime.combine(cal.add_working_days(at.date(), deadlines.YELLOW_REMAINING_DAYS + 1), datetime.min.time())


def due_soon_clause(cal: WorkingCalendar, at: datetime) -> ColumnElement[bool]:
    """Tickets whose running handling clock shows yellow: due, but within two working days."""
    return and_(Ticket.state.in_(HANDLING), Ticket.handle_due >= at, Ticket.handle_due < yellow_horizon(cal, at))


def warning(ticket: Ticket, cal: WorkingCalendar | None = None, at: datetime | None = None) -> str | None:
    """The warning colour (yellow, orange, red) of the clock now running on ``ticket``: acceptance while
    submitted, handling while dispatched, in progress or returned; None when no such clock runs."""
    clock = deadline_of(ticket)
    if clock is None or clock.limit_days is None or ticket.state not in clock.runs_in:
        return None
    cal, at = cal or load_calendar(), at or now()
    return deadlines.warning_level(cal, clock.due_of(ticket), clock.limit_days(ticket), at)


def overdue_level(ticket: Ticket, cal: WorkingCalendar, at: datetime) -> str | None:
    """What the public pages say about a ticket's lateness: ``red`` (严重超期) while its running clock
    shows red, ``orange`` (已超期) when it is or was late otherwise, None when it never was."""
    if not was_overdue(ticket, at):
        return None
    return "red" if warning(ticket, cal, at) == "red" else "orange"


# ---------------------------------------------------------------- rating


def rating_time_over(ticket: Ticket, at: datetime | None = None) -> bool:
    """The enterprise's time to rate has passed: the ticket may (and the schedule will) close unrated."""
    return RATE.is_late(ticket, at or now())
