"""Models, one module per aggregate; importing this package registers every mapper."""

from supervise.models.alerts import AlertEvent, AlertSubscription
from supervise.models.api import ApiKey, ApiToken
from supervise.models.calendar import CalendarChange, CalendarDay
from supervise.models.campaign import Campaign, CampaignAnswer, CampaignForum, CampaignState, CampaignVisit
from supervise.models.catalog import Category, LimitClass, RoutingRule, category_co_units
from supervise.models.counts import EVERYWHERE, TicketCount
from supervise.models.duty import DutyAlert
from supervise.models.forwarding import Forwarding, Peer
from supervise.models.notification import JobRun, Notification, OutboxMessage, TicketAlert, month_key
from supervise.models.org import Area, Enterprise, LiaisonPair, Unit, UnitKind
from supervise.models.publication import PublicGeneration
from supervise.models.reply_template import ReplyTemplate
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
    "DutyAlert",
    "EVERYWHERE",
    "TicketCount",
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
    "CalendarChange",
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
    "ReplyTemplate",
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
    "Campaign",
    "CampaignAnswer",
    "CampaignForum",
    "CampaignState",
    "CampaignVisit",
]
