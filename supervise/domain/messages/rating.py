"""Messages of the rating: the enterprise's rating, a reopen, an upheld appeal."""

from flask_babel import gettext as _

from supervise import labels
from supervise.domain.messages import (
    ENTERPRISE,
    SUPERVISOR,
    Reader,
    Text,
    about,
    due,
    lines,
    note_line,
    renders,
    subject,
    unit_name,
)
from supervise.models import Rating, Ticket, TicketEvent


@renders("rate")
def rated(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    data = event.data or {}
    rating = Rating(int(data["rating"])) if data.get("rating") else None
    next_step = ""
    if rating is not None and rating.is_bad:
        next_step = (
            _("Decide whether the unit handles it again or its handling is upheld.")
            if reader.side == SUPERVISOR
            else _("The business-environment office reviews the rating; you will be told its decision.")
        )
    return Text(
        subject(ticket, _("Rated by the enterprise")),
        lines(
            _(
                "The enterprise rated %(about)s: %(rating)s; problem solved: %(solved)s.",
                about=about(ticket),
                rating=labels.RATING.get(rating, "") if rating else "",
                solved=_("yes") if data.get("solved") else _("no"),
            ),
            note_line(event, _("Comment")),
            next_step,
        ),
    )


@renders("reopen")
def reopened(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    if reader.side == ENTERPRISE:
        first = _(
            "After your rating, your complaint %(about)s is handled again by %(unit)s, which must handle it by "
            "%(due)s. You will receive its new reply.",
            about=about(ticket),
            unit=unit_name(ticket),
            due=due(ticket.handle_due),
        )
    else:
        first = _(
            "%(about)s is reopened after the enterprise's rating: handle it again by %(due)s.",
            about=about(ticket),
            due=due(ticket.handle_due),
        )
    return Text(subject(ticket, _("Reopened for re-handling")), lines(first, note_line(event, _("What to handle"))))


@renders("uphold")
def upheld(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    if reader.side == ENTERPRISE:
        first = _(
            "The business-environment office reviewed your rating of %(about)s and found the handling by "
            "%(unit)s sufficient; the complaint is closed.",
            about=about(ticket),
            unit=unit_name(ticket),
        )
    else:
        first = _(
            "The business-environment office upheld your unit's handling of %(about)s; the ticket is closed.",
            about=about(ticket),
        )
    return Text(subject(ticket, _("Closed after review")), lines(first, note_line(event, _("Reason"))))
