"""Unit evaluation (评议): the people's congress has deputies, committee members and service users
score the units evaluated on published criteria and comment on each unit's report (履职报告).

An evaluator has no account: a personal link whose token is stored only as its hash. A vote is one
per evaluator and unit (a unique constraint, so a double click cannot make two). The evaluator of a
vote is kept for that rule only: no page shown to a unit or the public reads it. A unit answers each
comment with its rectification (:class:`UnitAnswer`). The public texts (comments and answers masked)
are written when the results are published and when an answer comes after that.
"""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models.org import Unit
from supervise.models.user import User

DRAFT, OPEN, CLOSED, PUBLISHED = "draft", "open", "closed", "published"
EVALUATION_STATES = (DRAFT, OPEN, CLOSED, PUBLISHED)
DEPUTY, COMMITTEE, SERVICE_USER = "deputy", "committee", "service_user"
EVALUATOR_KINDS = (DEPUTY, COMMITTEE, SERVICE_USER)


class Evaluation(db.Model):
    """One evaluation event: its units, its published criteria, its evaluators."""

    __tablename__ = "evaluations"
    __table_args__ = (Index("ix_evaluations_state_year", "state", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    year: Mapped[int]
    state: Mapped[str] = mapped_column(String(10), default=DRAFT)  # draft | open | closed | published
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]

    created_by: Mapped[User] = relationship()
    criteria: Mapped[list["EvaluationCriterion"]] = relationship(
        back_populates="evaluation", order_by="EvaluationCriterion.position", cascade="all, delete-orphan"
    )
    reports: Mapped[list["UnitReport"]] = relationship(
        back_populates="evaluation", order_by="UnitReport.position", cascade="all, delete-orphan"
    )


class EvaluationCriterion(db.Model):
    """A published criterion: what evaluators score (0–100) and its weight in the combined score."""

    __tablename__ = "evaluation_criteria"

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(60))
    description: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int]  # percent; the weights of an evaluation add up to 100

    evaluation: Mapped[Evaluation] = relationship(back_populates="criteria")


class UnitReport(db.Model):
    """A unit evaluated, and its report (履职报告): text and/or one uploaded file."""

    __tablename__ = "unit_reports"
    __table_args__ = (UniqueConstraint("evaluation_id", "unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    public_text: Mapped[str | None] = mapped_column(Text)  # masked, written at publication
    filename: Mapped[str | None] = mapped_column(String(200))
    stored_name: Mapped[str | None] = mapped_column(String(80))
    content_type: Mapped[str | None] = mapped_column(String(100))
    size: Mapped[int | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[datetime | None]

    evaluation: Mapped[Evaluation] = relationship(back_populates="reports")
    unit: Mapped[Unit] = relationship()

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Evaluator(db.Model):
    """A person invited to evaluate: name and contact are for the office only; the link's token is
    stored as its hash. ``finished_at``: every unit scored, the link no longer works."""

    __tablename__ = "evaluators"
    __table_args__ = (Index("ix_evaluators_evaluation_kind", "evaluation_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("evaluations.id"))
    kind: Mapped[str] = mapped_column(String(20))  # deputy | committee | service_user
    name: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str | None] = mapped_column(String(10))  # sms | email, when the link was sent
    address: Mapped[str | None] = mapped_column(String(120))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    invited_at: Mapped[datetime] = mapped_column(default=now)
    finished_at: Mapped[datetime | None]

    evaluation: Mapped[Evaluation] = relationship()


class Vote(db.Model):
    """One evaluator's scores of one unit and their comment; never shown with who cast it."""

    __tablename__ = "evaluation_votes"
    __table_args__ = (UniqueConstraint("evaluator_id", "report_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluator_id: Mapped[int] = mapped_column(ForeignKey("evaluators.id"))
    report_id: Mapped[int] = mapped_column(ForeignKey("unit_reports.id"), index=True)
    comment: Mapped[str] = mapped_column(Text, default="")
    public_comment: Mapped[str | None] = mapped_column(Text)  # masked, written at publication
    cast_at: Mapped[datetime] = mapped_column(default=now)

    report: Mapped[UnitReport] = relationship()
    scores: Mapped[list["VoteScore"]] = relationship(back_populates="vote", cascade="all, delete-orphan")
    answer: Mapped["UnitAnswer | None"] = relationship(back_populates="vote", uselist=False)


class VoteScore(db.Model):
    """A vote's score (0–100) on one criterion."""

    __tablename__ = "evaluation_scores"
    __table_args__ = (UniqueConstraint("vote_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("evaluation_votes.id"))
    criterion_id: Mapped[int] = mapped_column(ForeignKey("evaluation_criteria.id"), index=True)
    score: Mapped[int]

    vote: Mapped[Vote] = relationship(back_populates="scores")


class UnitAnswer(db.Model):
    """The unit's answer to one comment: what it rectified or will rectify."""

    __tablename__ = "evaluation_answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("evaluation_votes.id"), unique=True)
    text: Mapped[str] = mapped_column(Text)
    public_text: Mapped[str | None] = mapped_column(Text)  # masked, once the results are published
    answered_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime] = mapped_column(default=now)

    vote: Mapped[Vote] = relationship(back_populates="answer")
    answered_by: Mapped[User] = relationship()
