"""What each published measure means: its label, its explanation and the cell counters it divides."""

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

MIN_TICKETS_FOR_RANKING = 5
GROUPINGS = ("unit", "area", "category")

# The counters of a cell, in the order of StatsCell (handling_days is summed in Python: it needs the calendar).
COUNTERS = (
    "received",
    "accepted",
    "dispatched",
    "signed",
    "signed_on_time",
    "replied",
    "replied_on_time",
    "closed",
    "rated",
    "satisfied",
    "first_rated",
    "first_satisfied",
    "solved_answered",
    "solved",
    "reopened",
    "returned",
    "handling_days",
    "open_overdue",
    "open_overdue_red",
    "published",
    "forwarded",
)
SQL_COUNTERS = tuple(c for c in COUNTERS if c != "handling_days")


@dataclass(frozen=True)
class Measure:
    """A published measure: a count, or a ratio of two cell counters, with its definition."""

    key: str
    label: Any
    description: Any
    numerator: str
    denominator: str | None = None  # None: a plain count
    kind: str = "count"  # count | rate | average

    def value(self, counts: dict[str, int]) -> int | float | None:
        """The measure for these counts; None when there is nothing to measure (a zero denominator)."""
        top = counts.get(self.numerator, 0)
        if self.denominator is None:
            return top
        bottom = counts.get(self.denominator, 0)
        return top / bottom if bottom else None

    def display(self, counts: dict[str, int]) -> str:
        """The value as shown on the page and in the CSV: 80.0%, 3.5, 12 or a dash."""
        return format_value(self, self.value(counts))


MEASURES: list[Measure] = [
    Measure(
        "received",
        _l("Received"),
        _l(
            "Complaints received in the period, counted in the month they were filed, whatever became of them "
            "(declined and merged complaints included). A complaint merged into another counts once, here, in "
            "its own month, unit and category; its handling (signing, reply, time taken, reopening) is counted "
            "on the ticket it was merged into and not again."
        ),
        "received",
    ),
    Measure(
        "closed",
        _l("Closed"),
        _l(
            "Complaints received in the period whose handling is finished: rated, closed after a rating review, "
            "or closed unrated seven days after the reply. Declined and merged complaints are not counted."
        ),
        "closed",
    ),
    Measure(
        "on_time_signing",
        _l("On-time signing rate"),
        _l("Tickets the unit signed for within one working day of dispatch, divided by the tickets it signed for."),
        "signed_on_time",
        "signed",
        "rate",
    ),
    Measure(
        "on_time_completion",
        _l("On-time completion rate"),
        _l(
            "Tickets the unit replied to by the handling deadline (granted extensions and time waiting for "
            "material count; a ticket that was ever overdue is never on time), divided by the tickets replied to."
        ),
        "replied_on_time",
        "replied",
        "rate",
    ),
    Measure(
        "resolution",
        _l("Resolution rate"),
        _l(
            "Tickets the enterprise itself said were solved when it rated the result, divided by the tickets "
            "where it answered that question."
        ),
        "solved",
        "solved_answered",
        "rate",
    ),
    Measure(
        "first_satisfaction",
        _l("First-round satisfaction rate"),
        _l(
            "The first rating each complaint was given, before any re-handling: very satisfied, satisfied or "
            "basically satisfied, divided by the complaints rated at least once. A rating of dissatisfied that "
            "led to a reopen stays here as dissatisfied."
        ),
        "first_satisfied",
        "first_rated",
        "rate",
    ),
    Measure(
        "satisfaction",
        _l("Final satisfaction rate"),
        _l(
            "The latest rating of each complaint (after re-handling, if it was reopened): very satisfied, "
            "satisfied or basically satisfied, divided by the complaints whose latest round is rated; a "
            "complaint reopened and not rated again is not counted. The filer of a complaint merged into "
            "another rates the reply to the ticket it was merged into: that rating counts once, as its own "
            "complaint's, here and in the first-round rate."
        ),
        "satisfied",
        "rated",
        "rate",
    ),
    Measure(
        "reopen",
        _l("Reopen rate"),
        _l(
            "Tickets reopened for re-handling after a bad rating (at least once), divided by the tickets "
            "dispatched to a unit."
        ),
        "reopened",
        "dispatched",
        "rate",
    ),
    Measure(
        "return",
        _l("Return rate"),
        _l("Tickets a unit returned as not its own (at least once), divided by the tickets dispatched to a unit."),
        "returned",
        "dispatched",
        "rate",
    ),
    Measure(
        "handling_days",
        _l("Average handling time (working days)"),
        _l(
            "Working days from the last dispatch to the unit's reply, weekends and public holidays excluded, "
            "averaged over the tickets replied to."
        ),
        "handling_days",
        "replied",
        "average",
    ),
    Measure(
        "open_overdue",
        _l("Open overdue"),
        _l(
            "Tickets received in the period that are still being handled and past their handling deadline "
            "(a clock paused while waiting for material is not late), as of the last refresh."
        ),
        "open_overdue",
    ),
    Measure(
        "forwarded",
        _l("Forwarded to other zones"),
        _l(
            "Complaints received in the period that the supervisor forwarded to another zone's platform: "
            "they count under no local unit."
        ),
        "forwarded",
    ),
]
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
RANKING_ORDER = ("satisfaction", "on_time_completion", "resolution")
RANKING_RULE = _l(
    "Only units with at least %(n)d complaints received in the period are ranked. Units are ordered by "
    "satisfaction rate, then on-time completion rate, then resolution rate (higher first); a rate with "
    "nothing to measure yet comes last, and units with equal rates share a rank.",
    n=MIN_TICKETS_FOR_RANKING,
)
ATTRIBUTION = _l(
    "A complaint counts in the month it was received and under the unit that leads it now: when the "
    "supervisor re-dispatches a ticket, it moves to the new unit's figures. The figures are kept up to date "
    "within a few minutes of every change."
)


def format_value(measure: Measure, value: int | float | None) -> str:
    if value is None:
        return "—"
    if measure.kind == "rate":
        return f"{value * 100:.1f}%"
    if measure.kind == "average":
        return f"{value:.1f}"
    return str(value)
