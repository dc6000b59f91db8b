"""Who may see which tickets. Every list and every loader asks these functions."""

from sqlalchemy import ColumnElement, Select, false, select, true

from supervise.domain import co_copies
from supervise.extensions import db
from supervise.models import (
    LiaisonPair,
    LicenceReview,
    Role,
    Ticket,
    User,
    Verification,
    ticket_co_units,
)


def paired_enterprise_ids(cadre: User) -> list[int]:
    return list(db.session.scalars(select(LiaisonPair.enterprise_id).where(LiaisonPair.cadre_id == cadre.id)))


def ticket_scope(user: User | None) -> ColumnElement[bool]:
    """A WHERE clause limiting tickets to those ``user`` may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return false()
    if user.role == Role.SUPERVISOR:
        return true()
    if user.is_unit_staff and user.unit_id:
        co = select(ticket_co_units.c.ticket_id).where(ticket_co_units.c.unit_id == user.unit_id)
        return (Ticket.lead_unit_id == user.unit_id) | Ticket.id.in_(co)
    if user.role == Role.ENTERPRISE and user.enterprise_id:
        if user.is_verified:
            return Ticket.enterprise_id == user.enterprise_id
        # An account not yet shown to speak for its company sees only what it filed itself, never what
        # staff, a cadre or Open311 filed for the same credit code.
        return (Ticket.enterprise_id == user.enterprise_id) & (Ticket.filed_by_id == user.id)
    if user.role == Role.CADRE:
        pairs = select(LiaisonPair.enterprise_id).where(LiaisonPair.cadre_id == user.id)
        return Ticket.enterprise_id.in_(pairs)
    return false()


def scope_parts(
    user: User | None, condition: ColumnElement[bool] | None = None
) -> list[tuple[Select, ColumnElement[int]]]:
    """:func:`ticket_scope` as parts whose union it is, each a query of the ids of the tickets meeting
    ``condition`` (a clause on tickets; None: all) with the column to order it by: a unit's "lead
    unit or co-handling" is the tickets it leads and those it co-handles, two index ranges each walked
    newest first (an OR of the two would leave no index to the planner); the co-handled part reads
    the copies of state and due date kept on the co-handling rows (:mod:`co_copies`)."""
    signed_in = user is not None and getattr(user, "is_authenticated", False)
    if signed_in and user.role != Role.SUPERVISOR and user.is_unit_staff and user.unit_id:
        lead = select(Ticket.id).where(Ticket.lead_unit_id == user.unit_id)
        return [
            (lead if condition is None else lead.where(condition), Ticket.id),
            (co_copies.co_handled(user.unit_id, condition), ticket_co_units.c.ticket_id),
        ]
    query = select(Ticket.id).where(ticket_scope(user))
    return [(query if condition is None else query.where(condition), Ticket.id)]


def parties(user: User | None, ticket: Ticket) -> frozenset[str]:
    """The parts ``user`` plays on ``ticket``: supervisor, unit, co_unit, enterprise; system if None."""
    if user is None:
        return frozenset({"system"})
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    found = set()
    if user.role == Role.SUPERVISOR:
        found.add("supervisor")
    if user.is_unit_staff and user.unit_id:
        # Through the relationship: right after a dispatch the foreign key is not flushed yet.
        lead_id = ticket.lead_unit.id if ticket.lead_unit is not None else None
        if user.unit_id == lead_id:
            found.add("unit")
        elif any(u.id == user.unit_id for u in ticket.co_units):
            found.add("co_unit")
    if (
        user.role == Role.ENTERPRISE
        and user.enterprise_id == ticket.enterprise_id
        and (user.is_verified or ticket.filed_by_id == user.id)
    ):
        found.add("enterprise")
    if user.role == Role.CADRE and ticket.enterprise_id in paired_enterprise_ids(user):
        found.add("enterprise")
    return frozenset(found)


def enterprise_accounts_following(ticket: Ticket) -> ColumnElement[bool]:
    """A WHERE clause on users: the enterprise accounts that may follow ``ticket`` (its company's
    verified accounts, and the account that filed it), as :func:`parties` decides for one user."""
    mine = User.verification == Verification.VERIFIED
    if ticket.filed_by_id is not None:
        mine = mine | (User.id == ticket.filed_by_id)
    return (User.role == Role.ENTERPRISE) & (User.enterprise_id == ticket.enterprise_id) & mine


def may_see_licence(user: User | None, review: LicenceReview) -> bool:
    """A business licence is shown to the supervisors who review it and to the account that uploaded it."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.role == Role.SUPERVISOR or review.user_id == user.id


def can_view(user: User | None, ticket: Ticket) -> bool:
    return bool(parties(user, ticket) - {"system"})


def can_file_for(user: User, enterprise_id: int) -> bool:
    """Enterprise staff file for their company, cadres for paired companies, supervisors for anyone."""
    if user.role == Role.ENTERPRISE:
        return user.enterprise_id == enterprise_id
    if user.role == Role.CADRE:
        return enterprise_id in paired_enterprise_ids(user)
    return user.role == Role.SUPERVISOR
