"""Organisation: units that handle tickets, the zone's areas, enterprises and liaison pairs."""

import enum
from datetime import datetime

from sqlalchemy import ColumnElement, ForeignKey, String, Text, UniqueConstraint, and_
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from supervise.domain.clock import now
from supervise.domain.mail import normalize_email
from supervise.extensions import db


class UnitKind(str, enum.Enum):
    OFFICE = "office"  # the business-environment office (营商办) and its superiors
    DEPARTMENT = "department"
    STREET = "street"  # town / street office
    UTILITY = "utility"


class Unit(db.Model):
    """A department, street office or utility that handles tickets; units form a hierarchy."""

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    short_name: Mapped[str | None] = mapped_column(String(40))
    kind: Mapped[UnitKind] = mapped_column(
        db.Enum(UnitKind, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    active: Mapped[bool] = mapped_column(default=True)
    sort: Mapped[int] = mapped_column(default=0)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="Unit.sort")

    @hybrid_property
    def handles_tickets(self) -> bool:
        """Tickets may be dispatched to it: an active unit, not the office that supervises them."""
        return self.active and self.kind != UnitKind.OFFICE

    @handles_tickets.inplace.expression
    @classmethod
    def _handles_tickets_expression(cls) -> ColumnElement[bool]:
        return and_(cls.active.is_(True), cls.kind != UnitKind.OFFICE)

    def __str__(self) -> str:
        return self.name


class Area(db.Model):
    """A street, town or park of the zone; routing rules may depend on it."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    sort: Mapped[int] = mapped_column(default=0)

    def __str__(self) -> str:
        return self.name


class Enterprise(db.Model):
    """A registered company; several users may act for it."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    # The industry gives the public label, e.g. "某制造业企业"; never the name.
    industry: Mapped[str] = mapped_column(String(30), default="")
    contact_name: Mapped[str] = mapped_column(String(40))
    contact_mobile: Mapped[str] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(120))
    # The contact was taken down by staff, a cadre or an Open311 client, not typed by a self-registering
    # applicant: only such a contact may receive a one-time code that verifies an account.
    contact_on_record: Mapped[bool] = mapped_column(default=False)
    address: Mapped[str | None] = mapped_column(String(200))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    size: Mapped[str | None] = mapped_column(String(10))  # large | medium | small | micro (campaign targets)
    aliases: Mapped[str] = mapped_column(Text, default="")  # redaction terms, one per line
    created_at: Mapped[datetime] = mapped_column(default=now)

    area: Mapped[Area | None] = relationship()

    @validates("email")
    def _valid_email(self, key: str, value: str | None) -> str | None:
        return normalize_email(value)

    @property
    def public_label(self) -> str:
        return f"某{self.industry}企业" if self.industry else "某企业"

    def redaction_terms(self) -> list[str]:
        return self.terms_of(self.name, self.aliases)

    @staticmethod
    def terms_of(name: str, aliases: str | None) -> list[str]:
        """The names to mask for an enterprise called ``name`` with ``aliases`` (one per line)."""
        terms = [name, *(line.strip() for line in (aliases or "").splitlines())]
        return [t for t in terms if t]

    def __str__(self) -> str:
        return self.name


class LiaisonPair(db.Model):
    """A liaison cadre (包联干部) paired with an enterprise they visit and file for."""

    __tablename__ = "liaison_pairs"
    __table_args__ = (UniqueConstraint("cadre_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cadre_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=now)

    enterprise: Mapped[Enterprise] = relationship()
