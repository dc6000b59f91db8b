"""Messages of the handling: extensions, material, the reply and its review, supervision orders."""

from flask_babel import gettext as _

from supervise import labels
from supervise.domain.messages import (
    ENTERPRISE,
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
from supervise.models import Outcome, Ticket, TicketEvent


def _new_due(event: TicketEvent) -> str:
    return due((event.data or {}).get("new_due"))


@renders("request_extension")
def extension_requested(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Extension requested")),
        lines(
            _(
                "%(unit)s asks to extend %(about)s from %(old)s to %(new)s.",
                unit=unit_name(ticket),
                about=about(ticket),
                old=due(ticket.handle_due),
                new=_new_due(event),
            ),
            note_line(event, _("Reason")),
            _("Grant or refuse the extension."),
        ),
    )


@renders("grant_extension")
def extension_granted(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    if reader.side == ENTERPRISE:
        first = _(
            "At the request of %(unit)s, the business-environment office extended the handling of your "
            "complaint %(about)s: it must now be handled by %(new)s.",
            unit=unit_name(ticket),
            about=about(ticket),
            new=_new_due(event),
        )
    else:
        first = _(
            "The extension of %(about)s is granted: it must now be handled by %(new)s.",
            about=about(ticket),
            new=_new_due(event),
        )
    return Text(subject(ticket, _("Extension granted")), lines(first, note_line(event)))


@renders("refuse_extension")
def extension_refused(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Extension refused")),
        lines(
            _(
                "The extension of %(about)s is refused: it must still be handled by %(due)s.",
                about=about(ticket),
                due=due(ticket.handle_due),
            ),
            note_line(event, _("Reason")),
        ),
    )


@renders("request_material")
def material_requested(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    if reader.contact:
        how = _(
            "Send it to %(unit)s, or add it on the complaint's page with your company's account. The handling "
            "deadline is paused until the material arrives.",
            unit=unit_name(ticket),
        )
    else:
        how = _("Add it on the complaint's page. The handling deadline is paused until the material arrives.")
    return Text(
        subject(ticket, _("Material needed")),
        lines(
            _(
                "%(unit)s asks you to add material to your complaint %(about)s.",
                unit=unit_name(ticket),
                about=about(ticket),
            ),
            note_line(event, _("Material needed")),
            how,
        ),
    )


@renders("provide_material")
def material_provided(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Material added")),
        lines(
            _("The enterprise added material to %(about)s.", about=about(ticket)),
            note_line(event, _("Material")),
            _("The handling deadline runs again: handle it by %(due)s.", due=due(ticket.handle_due)),
        ),
    )


def _outcome(ticket: Ticket) -> str:
    return str(labels.OUTCOME.get(ticket.reply_outcome, "")) if isinstance(ticket.reply_outcome, Outcome) else ""


@renders("reply")
def replied(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Reply to review")),
        lines(
            _(
                "%(unit)s replied to %(about)s (%(outcome)s).",
                unit=unit_name(ticket),
                about=about(ticket),
                outcome=_outcome(ticket),
            ),
            note_line(event, _("Reply")),
            _("Review the reply: send it to the enterprise, or back to the unit."),
        ),
    )


@renders("approve_reply")
def reply_sent(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Reply to your complaint")),
        lines(
            _(
                "%(unit)s replied to your complaint %(about)s on %(day)s. Outcome: %(outcome)s.",
                unit=unit_name(ticket),
                about=about(ticket),
                day=day(event.at),
                outcome=_outcome(ticket),
            ),
            note_line(event, _("Reply")),
            _(
                "Please rate the result by %(due)s: say how satisfied you are and whether the problem was solved.",
                due=due(ticket.rate_due),
            ),
        ),
    )


@renders("send_back")
def sent_back(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Reply sent back")),
        lines(
            _("The business-environment office sent your reply to %(about)s back.", about=about(ticket)),
            note_line(event, _("What the reply lacks")),
            _("Reply again by %(due)s.", due=due(ticket.handle_due)),
        ),
    )


@renders("issue_order")
def order_issued(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    from supervise.domain.workflow import ORDER_LEVELS

    data = event.data or {}
    return Text(
        subject(ticket, _("Supervision order")),
        lines(
            _(
                "The business-environment office issued a supervision order (%(level)s) on %(about)s.",
                level=ORDER_LEVELS.get(data.get("level"), data.get("level")),
                about=about(ticket),
            ),
            note_line(event, _("To do")),
            _("Answer it by %(deadline)s.", deadline=due(data.get("deadline"))),
        ),
    )


@renders("answer_order")
def order_answered(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Supervision order answered")),
        lines(
            _("%(unit)s answered the supervision order on %(about)s.", unit=unit_name(ticket), about=about(ticket)),
            note_line(event, _("Answer")),
        ),
    )
