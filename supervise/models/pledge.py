"""Liaison pledges (包联 亮身份、亮承诺): a cadre's public card and pledge, the visits to the paired
enterprises, the enterprises' yearly rating of the service, and a chief service officer's projects."""

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models.org import Enterprise, Unit
from supervise.models.ticket import Ticket
from supervise.models.user import User


class CadreCard(db.Model):
    """Who a liaison cadre is and what they promise (亮身份、亮承诺); public once a supervisor publishes it."""

    __tablename__ = "cadre_cards"
    __table_args__ = (
        # the public list: published cards of a unit, in id order (keyset)
        Index("ix_cadre_cards_published_unit", "published", "unit_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("users.id"), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    title: Mapped[str] = mapped_column(String(60), default="")  # position, e.g. 副局长
    pledge: Mapped[str] = mapped_column(Text, default="")  # 承诺
    # The number the paired enterprises may call; shown to them, never to the public.
    phone: Mapped[str] = mapped_column(String(20), default="")
    published: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(default=now)

    cadre: Mapped[User] = relationship()
    unit: Mapped[Unit | None] = relationship()


class CadreProject(db.Model):
    """A key project a chief service officer (首席服务官) serves: the simple list kept until the
    key-project register exists (see :func:`supervise.domain.pledges.served_projects`)."""

    __tablename__ = "cadre_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    stage: Mapped[str] = mapped_column(String(60), default="")  # e.g. 主体施工, 设备安装
    sort: Mapped[int] = mapped_column(default=0)


class VisitWay(str, enum.Enum):
    ON_SITE = "on_site"
    PHONE = "phone"
    ONLINE = "online"


class VisitLog(db.Model):
    """A cadre's visit to a paired enterprise, with what was found; a problem filed as a ticket links it."""

    __tablename__ = "visit_logs"
    __table_args__ = (
        # a cadre's visits by date: this year's count, by month, and "no visit this quarter"
        Index("ix_visit_logs_cadre_date", "cadre_id", "visited_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    visited_on: Mapped[date]
    way: Mapped[VisitWay] = mapped_column(
        db.Enum(VisitWay, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e])
    )
    summary: Mapped[str] = mapped_column(Text)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))  # the problem found, filed
    created_at: Mapped[datetime] = mapped_column(default=now)

    enterprise: Mapped[Enterprise] = relationship()
    ticket: Mapped[Ticket | None] = relationship()


class ServiceRating(db.Model):
    """An enterprise's yearly rating of its cadre's service: once per enterprise, cadre and year."""

    __tablename__ = "service_ratings"
    __table_args__ = (UniqueConstraint("cadre_id", "enterprise_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    year: Mapped[int]
    score: Mapped[int]  # 1-5, checked by the domain
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    rated_at: Mapped[datetime] = mapped_column(default=now)

    enterprise: Mapped[Enterprise] = relationship()
