"""Models, one module per aggregate; importing this package registers every mapper."""

from supervise.models.alerts import AlertEvent, AlertSubscription
from supervise.models.api import ApiKey, ApiToken
from supervise.models.calendar import CalendarDay
from supervise.models.catalog import Category, LimitClass, RoutingRule, category_co_units
from supervise.models.forwarding import Forwarding, Peer
from supervise.models.notification import JobRun, Notification, OutboxMessage, TicketAlert, month_key
from supervise.models.org import Area, Enterprise, LiaisonPair, Unit, UnitKind
from supervise.models.publication import PublicGeneration
from supervise.models.stats import NO_UNIT, StatsCell, StatsDirty
from supervise.models.ticket import (
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
from supervise.models.user import UNIT_ROLES, Role, User, UserSession, Verification, VerificationMethod, hash_secret
from supervise.models.verification import Invitation, LicenceReview, VerificationCode

__all__ = [
    "AlertEvent",
    "AlertSubscription",
    "Forwarding",
    "Peer",
    "ApiKey",
    "ApiToken",
    "hash_secret",
    "NO_UNIT",
    "StatsCell",
    "StatsDirty",
    "Area",
    "Attachment",
    "CalendarDay",
    "Category",
    "Enterprise",
    "ExtensionRequest",
    "JobRun",
    "LiaisonPair",
    "LimitClass",
    "Notification",
    "OutboxMessage",
    "Outcome",
    "PublicGeneration",
    "Rating",
    "RedactionTerm",
    "Role",
    "RoutingRule",
    "Source",
    "State",
    "SupervisionOrder",
    "Ticket",
    "TicketAlert",
    "TicketEvent",
    "UNIT_ROLES",
    "Unit",
    "UnitKind",
    "User",
    "UserSession",
    "category_co_units",
    "month_key",
    "ticket_co_units",
    "Invitation",
    "LicenceReview",
    "Verification",
    "VerificationCode",
    "VerificationMethod",
]
