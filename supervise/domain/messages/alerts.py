"""Messages of the periodic supervision: warnings, late deadlines and reminders."""

from flask_babel import gettext as _

from supervise.domain.messages import Reader, Text, about, due, renders, subject
from supervise.models import Ticket, TicketEvent


def _due(event: TicketEvent) -> str:
    return due((event.data or {}).get("due"))


@renders("alert_yellow")
def yellow(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Deadline near")),
        _(
            "%(about)s must be handled by %(due)s: two working days or fewer remain. Reply in time, or ask for "
            "an extension with the reason.",
            about=about(ticket),
            due=_due(event),
        ),
    )


@renders("alert_orange")
def orange(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Overdue")),
        _(
            "%(about)s is overdue: it had to be handled by %(due)s. Reply as soon as possible.",
            about=about(ticket),
            due=_due(event),
        ),
    )


@renders("alert_red")
def red(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Seriously overdue")),
        _(
            "%(about)s is seriously overdue: it had to be handled by %(due)s. It is shown as seriously overdue "
            "on the public statistics until it is replied to.",
            about=about(ticket),
            due=_due(event),
        ),
    )


@renders("alert_sign_overdue")
def sign_overdue(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Not signed for in time")),
        _(
            "%(about)s was not signed for by %(due)s. Sign for it now, or return it with the reason.",
            about=about(ticket),
            due=_due(event),
        ),
    )


@renders("alert_accept_overdue")
def accept_overdue(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Not accepted in time")),
        _("%(about)s was not accepted or declined by %(due)s.", about=about(ticket), due=_due(event)),
    )


@renders("alert_order_overdue")
def order_overdue(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Supervision order not answered in time")),
        _("The supervision order on %(about)s was not answered by %(due)s.", about=about(ticket), due=_due(event)),
    )


@renders("alert_rating_reminder")
def rating_reminder(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Reminder to rate")),
        _(
            "Please rate the result of your complaint %(about)s by %(due)s; after that day it is closed "
            "without a rating.",
            about=about(ticket),
            due=_due(event),
        ),
    )


@renders("alert_monthly_report")
def monthly_report(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Monthly progress report due")),
        _(
            "%(about)s has been with your unit for more than a month: post a progress note this month.",
            about=about(ticket),
        ),
    )
