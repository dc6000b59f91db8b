"""The quarter's settlement (一季一结账): a versioned scoring scheme, the site tour's scores, and the
frozen scorecards with their recorded adjustments.

A settlement copies every figure it scored into its scorecards: later changes to tickets, projects or
the scheme never alter a settled quarter; a correction is an :class:`Adjustment` with its reason and
author.
"""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models.org import Unit
from supervise.models.user import User

SCORE = Numeric(6, 2)


class ScoringScheme(db.Model):
    """The weights of one quarter's scoring; editing them writes the next version, never changes one."""

    __tablename__ = "scoring_schemes"
    __table_args__ = (UniqueConstraint("year", "quarter", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    quarter: Mapped[int]
    version: Mapped[int]
    weights: Mapped[dict] = mapped_column(JSON)  # figure key -> weight (a whole number of points)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    created_by: Mapped[User | None] = relationship()


class SiteTourScore(db.Model):
    """A score the evaluation group gave a unit on the quarter's site tour (一季一拉练), per site visited."""

    __tablename__ = "site_tour_scores"
    # also the index of a quarter's scores per unit
    __table_args__ = (UniqueConstraint("year", "quarter", "unit_id", "site"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    quarter: Mapped[int]
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    site: Mapped[str] = mapped_column(String(120))  # the project or site visited
    score: Mapped[Decimal] = mapped_column(SCORE)  # 0–100
    note: Mapped[str] = mapped_column(Text, default="")
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    entered_at: Mapped[datetime] = mapped_column(default=now)

    unit: Mapped[Unit] = relationship()


class Settlement(db.Model):
    """A settled quarter: who settled it, when, with which scheme version."""

    __tablename__ = "settlements"
    __table_args__ = (UniqueConstraint("year", "quarter"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int]
    quarter: Mapped[int]
    scheme_id: Mapped[int] = mapped_column(ForeignKey("scoring_schemes.id"))
    settled_at: Mapped[datetime] = mapped_column(default=now)
    settled_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # the figures' definitions and weights as they stood (the public page shows these, not today's)
    definitions: Mapped[list] = mapped_column(JSON)

    scheme: Mapped[ScoringScheme] = relationship()
    settled_by: Mapped[User | None] = relationship()
    scorecards: Mapped[list["Scorecard"]] = relationship(
        back_populates="settlement", order_by="Scorecard.rank", cascade="all, delete-orphan"
    )
    carried: Mapped[list["CarriedProblem"]] = relationship(
        back_populates="settlement", order_by="CarriedProblem.id", cascade="all, delete-orphan"
    )


class Scorecard(db.Model):
    """One unit's frozen score in a settled quarter: the figures as measured, their points, the adjustments."""

    __tablename__ = "scorecards"
    __table_args__ = (
        UniqueConstraint("settlement_id", "unit_id"),
        Index("ix_scorecards_unit", "unit_id", "settlement_id"),  # a unit's history across quarters
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    unit_name: Mapped[str] = mapped_column(String(100))  # as named when settled
    figures: Mapped[dict] = mapped_column(JSON)  # key -> {"value": measured, "points": 0–100 or null}
    score: Mapped[Decimal] = mapped_column(SCORE)  # from the figures, as settled
    adjusted: Mapped[Decimal] = mapped_column(SCORE)  # score plus the adjustments
    rank: Mapped[int]

    settlement: Mapped[Settlement] = relationship(back_populates="scorecards")
    unit: Mapped[Unit] = relationship()
    adjustments: Mapped[list["Adjustment"]] = relationship(
        back_populates="scorecard", order_by="Adjustment.id", cascade="all, delete-orphan"
    )


class Adjustment(db.Model):
    """A correction to a settled scorecard: points added or taken, with the reason and who decided it."""

    __tablename__ = "scorecard_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("scorecards.id"), index=True)
    points: Mapped[Decimal] = mapped_column(SCORE)
    reason: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(default=now)

    scorecard: Mapped[Scorecard] = relationship(back_populates="adjustments")
    author: Mapped[User] = relationship()


class CarriedProblem(db.Model):
    """A problem overdue or unresolved when the quarter was settled, carried into the next with its unit."""

    __tablename__ = "settlement_carried_problems"

    id: Mapped[int] = mapped_column(primary_key=True)
    settlement_id: Mapped[int] = mapped_column(ForeignKey("settlements.id"), index=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    tracking_no: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))  # staff only: the notice is internal
    unit_name: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(20))
    overdue: Mapped[bool] = mapped_column(default=False)

    settlement: Mapped[Settlement] = relationship(back_populates="carried")
