"""Messages about a merge (并单), for the filer of the complaint merged into another
(:mod:`supervise.domain.workflow.merging`)."""

from flask_babel import gettext as _

from supervise.domain.messages import Reader, Text, about, due, lines, renders, subject
from supervise.models import Ticket, TicketEvent


def _into(event: TicketEvent) -> str:
    return (event.data or {}).get("into") or ""


@renders("merge")
def merged(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    if not _into(event):  # the surviving ticket's own "merged from" record
        return Text(
            subject(ticket, _("Complaints merged")),
            lines(_("Another complaint was merged into %(about)s.", about=about(ticket))),
        )
    return Text(
        subject(ticket, _("Complaint merged")),
        _(
            "Your complaint %(about)s is handled together with complaint %(no)s. Follow its handling from "
            "your own complaint's page: you will be told of its reply, and you can rate it there.",
            about=about(ticket),
            no=_into(event),
        ),
    )


@renders("merged_reply")
def merged_reply(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    return Text(
        subject(ticket, _("Reply received")),
        lines(
            _(
                "Complaint %(no)s, with which your complaint %(about)s is handled, has been replied to:",
                no=_into(event),
                about=about(ticket),
            ),
            (event.note or "").strip(),
            _("You can rate this reply on your complaint's page."),
        ),
    )


@renders("merged_reopened")
def merged_reopened(ticket: Ticket, event: TicketEvent, reader: Reader) -> Text:
    new_due = (event.data or {}).get("due")
    return Text(
        subject(ticket, _("Handled again")),
        lines(
            _(
                "Complaint %(no)s, with which your complaint %(about)s is handled, is being handled again: "
                "the reply did not settle it.",
                no=_into(event),
                about=about(ticket),
            ),
            _("New deadline: %(due)s.", due=due(new_due)) if new_due else "",
            _("You will be told of the new reply, and you can rate it on your complaint's page."),
        ),
    )
