"""Messages of a complaint's way in: filing, acceptance or decline, dispatch, signing and returns."""

from flask_babel import gettext as _

from supervise.domain.messages import (
    ENTERPRISE,
    SUPERVISOR,
    Reader,
    Text,
    about,
    day,
    due,
    lines,
    note_line,
    renders,
    subject,
    unit_name,
)
from supervise.models import Ticket, TicketEvent


@renders("submit")
def submitted(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    if reader.side == SUPERVISOR:
        return Text(
            subject(ticket, _("New complaint to accept")),
            _(
                "%(company)s filed %(about)s under %(category)s. Accept or decline it by %(due)s.",
                company=ticket.enterprise.name,
                about=about(ticket),
                category=ticket.category.name,
                due=due(ticket.accept_due),
            ),
        )
    return Text(
        subject(ticket, _("Complaint received")),
        _(
            "Your complaint %(about)s was received on %(day)s. The business-environment office decides by "
            "%(due)s whether to accept it, and you will be told.",
            about=about(ticket),
            day=day(event.at),
            due=due(ticket.accept_due),
        ),
    )


def _to_the_unit(ticket: Ticket, event: TicketEvent) -> Text:
    """The unit's message when a ticket is sent to it (acceptance, dispatch, re-dispatch)."""
    return Text(
        subject(ticket, _("New ticket for your unit")),
        lines(
            _(
                "The business-environment office sent %(about)s to your unit. Sign for it by %(sign_due)s "
                "(or return it with the reason if it is not yours); it must be handled by %(due)s.",
                about=about(ticket),
                sign_due=due(ticket.sign_due),
                due=due(ticket.handle_due),
            ),
            note_line(event),
        ),
    )


def _handled_by(ticket: Ticket) -> str:
    return _(
        "It is handled by %(unit)s, which must handle it by %(due)s; you will be told when the unit signs for it.",
        unit=unit_name(ticket),
        due=due(ticket.handle_due),
    )


@renders("accept")
def accepted(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    if reader.side != ENTERPRISE:
        return _to_the_unit(ticket, event)
    if ticket.lead_unit is None:
        next_step = _("The business-environment office is choosing the unit to handle it; you will be told which.")
    else:
        next_step = _handled_by(ticket)
    return Text(
        subject(ticket, _("Complaint accepted")),
        lines(
            _("Your complaint %(about)s was accepted on %(day)s.", about=about(ticket), day=day(event.at)),
            next_step,
            note_line(event),
        ),
    )


@renders("dispatch")
def dispatched(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    if reader.side != ENTERPRISE:
        return _to_the_unit(ticket, event)
    return Text(
        subject(ticket, _("Handling unit chosen")),
        lines(
            _(
                "Your complaint %(about)s was sent to %(unit)s on %(day)s.",
                about=about(ticket),
                unit=unit_name(ticket),
                day=day(event.at),
            ),
            _handled_by(ticket),
        ),
    )


@renders("decline")
def declined(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    from supervise.domain.workflow import DECLINE_REASONS

    reason = (event.data or {}).get("reason") or ticket.decline_reason
    return Text(
        subject(ticket, _("Complaint not accepted")),
        lines(
            _(
                "The business-environment office does not accept your complaint %(about)s. Reason: %(reason)s.",
                about=about(ticket),
                reason=DECLINE_REASONS.get(reason, reason),
            ),
            note_line(event, _("Explanation by the office")),
            _("If you have new facts, you may file a new complaint."),
        ),
    )


@renders("sign")
def signed(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Complaint being handled")),
        _(
            "%(unit)s signed for your complaint %(about)s on %(day)s and is handling it; it must be handled "
            "by %(due)s. You will receive its reply.",
            unit=unit_name(ticket),
            about=about(ticket),
            day=day(event.at),
            due=due(ticket.handle_due),
        ),
    )


@renders("return")
def returned(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Ticket returned by the unit")),
        lines(
            _("%(unit)s returned %(about)s as not its own.", unit=unit_name(ticket), about=about(ticket)),
            note_line(event, _("Reason")),
            _("Basis: %(basis)s", basis=(event.data or {}).get("basis", "")),
            _("Dispatch it to another unit, or reject the return."),
        ),
    )


@renders("reject_return")
def return_rejected(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Return rejected")),
        lines(
            _("The business-environment office rejected your unit's return of %(about)s.", about=about(ticket)),
            note_line(event, _("Reason")),
            _("Sign for it by %(due)s.", due=due(ticket.sign_due)),
        ),
    )
