"""Campaigns (专项活动): a quarter's drive to find enterprises' problems, by visits, questionnaires and forums.

Every problem a campaign finds is a ticket tagged with it (``Ticket.campaign_id``); these rows keep the
rest: whom the campaign targets, who visits, and what each visit, answer and forum recorded.
"""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models.catalog import enum_column
from supervise.models.org import Enterprise, Unit
from supervise.models.user import User


class CampaignState(str, enum.Enum):
    DRAFT = "draft"  # being prepared: not visible to visitors, enterprises or the public
    OPEN = "open"  # visits, answers and forums are recorded
    CLOSED = "closed"  # finished: its tickets are still handled, nothing new is recorded


#: Enterprise size tags (规模): targets may be chosen by them.
SIZES = ("large", "medium", "small", "micro")

campaign_units = Table(
    "campaign_units",
    db.metadata,
    Column("campaign_id", ForeignKey("campaigns.id"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
)

campaign_cadres = Table(
    "campaign_cadres",
    db.metadata,
    Column("campaign_id", ForeignKey("campaigns.id"), primary_key=True),
    Column("user_id", ForeignKey("users.id"), primary_key=True),
    Index("ix_campaign_cadres_user", "user_id", "campaign_id"),  # "my campaigns"
)


class Campaign(db.Model):
    """One campaign: its quarter and theme, the enterprises it targets, its visitors and questionnaire."""

    __tablename__ = "campaigns"
    __table_args__ = (Index("ix_campaigns_period", "year", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    year: Mapped[int]
    quarter: Mapped[int]
    theme: Mapped[str] = mapped_column(String(120), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[CampaignState] = mapped_column(enum_column(CampaignState), default=CampaignState.DRAFT)
    # Targets: every enterprise, or those matching every non-empty list below.
    target_all: Mapped[bool] = mapped_column(default=True)
    target_area_ids: Mapped[list | None] = mapped_column(JSON)
    target_industries: Mapped[list | None] = mapped_column(JSON)
    target_sizes: Mapped[list | None] = mapped_column(JSON)
    questions: Mapped[list | None] = mapped_column(JSON)  # the questionnaire: a few questions, in order
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    units: Mapped[list[Unit]] = relationship(secondary=campaign_units, order_by="Unit.sort, Unit.id")
    cadres: Mapped[list[User]] = relationship(secondary=campaign_cadres, order_by="User.id")

    @property
    def period_label(self) -> str:
        return f"{self.year}年第{self.quarter}季度"

    def __str__(self) -> str:
        return self.name


class CampaignVisit(db.Model):
    """A visitor's record of one visit to a targeted enterprise; its problems are tickets."""

    __tablename__ = "campaign_visits"
    __table_args__ = (
        Index("ix_campaign_visits_visitor", "campaign_id", "visitor_id", "enterprise_id"),
        Index("ix_campaign_visits_enterprise", "campaign_id", "enterprise_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # the visitor's unit, if any
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    visited_on: Mapped[date]
    people_met: Mapped[str] = mapped_column(String(200))
    no_problem: Mapped[bool] = mapped_column(default=False)
    problem_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=now)

    campaign: Mapped[Campaign] = relationship()
    visitor: Mapped[User] = relationship()
    unit: Mapped[Unit | None] = relationship()
    enterprise: Mapped[Enterprise] = relationship()


class CampaignAnswer(db.Model):
    """An enterprise's answer to the campaign's questionnaire, given online once."""

    __tablename__ = "campaign_answers"
    __table_args__ = (UniqueConstraint("campaign_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answers: Mapped[dict] = mapped_column(JSON)  # question -> answer
    problem_count: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=now)

    enterprise: Mapped[Enterprise] = relationship()


class CampaignForum(db.Model):
    """A forum (座谈会) held for the campaign, typed in by staff; its problems are tickets."""

    __tablename__ = "campaign_forums"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    held_on: Mapped[date]
    place: Mapped[str] = mapped_column(String(120))
    attendees: Mapped[str] = mapped_column(Text, default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    problem_count: Mapped[int] = mapped_column(default=0)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
