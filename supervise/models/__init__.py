"""Models, one module per aggregate; importing this package registers every mapper."""

from supervise.models.calendar import CalendarDay
from supervise.models.catalog import Category, LimitClass, RoutingRule, category_co_units
from supervise.models.org import Area, Enterprise, LiaisonPair, Unit, UnitKind
from supervise.models.ticket import (
    FINAL_STATES,
    OPEN_STATES,
    Attachment,
    ExtensionRequest,
    Outcome,
    Rating,
    RedactionTerm,
    Source,
    State,
    SupervisionOrder,
    Ticket,
    TicketEvent,
    ticket_co_units,
)
from supervise.models.user import UNIT_ROLES, Role, User

__all__ = [
    "FINAL_STATES", "OPEN_STATES", "UNIT_ROLES", "Area", "Attachment", "CalendarDay", "Category",
    "Enterprise", "ExtensionRequest", "LiaisonPair", "LimitClass", "Outcome", "Rating",
    "RedactionTerm", "Role", "RoutingRule", "Source", "State", "SupervisionOrder", "Ticket",
    "TicketEvent", "Unit", "UnitKind", "User", "category_co_units", "ticket_co_units",
]
