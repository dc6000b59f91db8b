"""A blocker (堵点、卡点、难点) followed up: with one click it becomes a ticket filed for the project's
enterprise and routed like any other (through intake and the state machine), and a supervision order
(督办) goes out on that ticket; the blocker is cleared when its ticket closes resolved, or by a
supervisor."""

from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from supervise.domain import intake, workflow
from supervise.domain.clock import now as clock_now
from supervise.domain.projects.register import ProjectError
from supervise.domain.projects.reports import BLOCKER_LABELS
from supervise.extensions import db
from supervise.models import Category, Outcome, Role, Source, State, Ticket, TicketEvent, User
from supervise.models.project import Blocker

#: The channel a blocker's ticket is filed through (its own namespace; no client key is sent).
CHANNEL = "project"


def _supervisor(actor: User) -> None:
    if actor.role != Role.SUPERVISOR:
        raise ProjectError(_l("Only the supervision office follows up blockers."))


def to_ticket(blocker: Blocker, category: Category, actor: User, at: datetime | None = None) -> Ticket:
    """File the blocker as a ticket for the project's enterprise (source: self-inspection), accept it
    so the routing rules choose its unit (or it waits for dispatch), and link it to the blocker.
    Does not commit. Raises :class:`ProjectError` (or intake's error) and changes nothing."""
    _supervisor(actor)
    if blocker.ticket_id is not None:
        raise ProjectError(_l("This blocker is followed up as a ticket already."))
    if blocker.state != "open":
        raise ProjectError(_l("This blocker has been cleared."))
    project = blocker.project
    at = at or clock_now()
    kind = BLOCKER_LABELS[blocker.kind]
    complaint = intake.Complaint(
        enterprise=project.enterprise,
        category=category,
        title=f"【重点项目】{project.name}：{str(kind).split(' ')[0]}"[:200],
        description=f"{blocker.report.month} 月报：{blocker.text}",
        source=Source.SELF_INSPECTION,
        contact_name=project.secretary.name,
        contact_mobile=project.secretary.mobile or "",
        contact_email=project.secretary.email,
        publish_consent=False,
    )
    ticket, _created = intake.file_complaint(complaint, actor, at=at)
    workflow.perform(ticket, "accept", actor, at=at, note=_l("A key project's blocker, followed up."))
    blocker.ticket = ticket
    db.session.flush()
    return ticket


def issue_order(blocker: Blocker, level: str, deadline: date, note: str, actor: User, at: datetime | None = None):
    """A supervision order (督办) on the blocker's ticket, through the state machine's ``issue_order``.
    Does not commit."""
    _supervisor(actor)
    if blocker.ticket is None:
        raise ProjectError(_l("Turn the blocker into a ticket first."))
    return workflow.perform(blocker.ticket, "issue_order", actor, at=at, level=level, deadline=deadline, note=note)


def clear(blocker: Blocker, actor: User | None, at: datetime | None = None) -> None:
    """The blocker is cleared (by a supervisor, or by the system when its ticket closed resolved)."""
    if actor is not None:
        _supervisor(actor)
    if blocker.state == "cleared":
        return
    blocker.state, blocker.cleared_at, blocker.cleared_by = "cleared", at or clock_now(), actor


def on_event_recorded(event: TicketEvent) -> None:
    """A ticket that follows a blocker closed resolved: the blocker is cleared (a receiver of
    ``workflow.event_recorded``, listed in ``subscribers``)."""
    if event.to_state != State.CLOSED or event.from_state == State.CLOSED:
        return
    ticket = event.ticket
    if ticket is None or ticket.id is None or ticket.reply_outcome != Outcome.RESOLVED or ticket.rating_solved is False:
        return
    with db.session.no_autoflush:
        blocker = db.session.scalar(select(Blocker).where(Blocker.ticket_id == ticket.id))
    if blocker is not None:
        clear(blocker, None, event.at)
