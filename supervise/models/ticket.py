"""The ticket aggregate: the complaint, its timeline and what hangs off it.

State changes go through ``supervise.domain.workflow`` only; nothing here moves a ticket.
"""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Column, DateTime, ForeignKey, Index, String, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from supervise.domain.clock import now
from supervise.domain.mail import normalize_email
from supervise.extensions import db
from supervise.models.catalog import Category, LimitClass, enum_column
from supervise.models.org import Area, Enterprise, Unit
from supervise.models.user import User


class State(str, enum.Enum):
    SUBMITTED = "submitted"  # 待受理
    AWAITING_DISPATCH = "awaiting_dispatch"  # 待派单
    DISPATCHED = "dispatched"  # 待签收
    RETURNED = "returned"  # 退单审核
    IN_PROGRESS = "in_progress"  # 办理中
    AWAITING_MATERIAL = "awaiting_material"  # 待补充材料 (handling clock paused)
    REPLIED = "replied"  # 待审核
    AWAITING_RATING = "awaiting_rating"  # 待评价
    RATING_REVIEW = "rating_review"  # 评价复核 (bad rating before the supervisor)
    CLOSED = "closed"  # 已办结
    DECLINED = "declined"  # 不予受理
    MERGED = "merged"  # 已并单
    FORWARDED = "forwarded"  # 已跨域转办 (handed to another zone's platform)


class Source(str, enum.Enum):
    ONLINE = "online"
    HOTLINE = "hotline"
    HALL = "hall"
    VISIT = "visit"  # a liaison cadre's visit
    CAMPAIGN = "campaign"
    PROVINCIAL = "provincial"  # 省级反馈
    SELF_INSPECTION = "self_inspection"  # 自查
    MEDIA = "media"
    API = "api"


class Outcome(str, enum.Enum):
    RESOLVED = "resolved"
    PARTLY = "partly"
    EXPLAINED = "explained"  # explained, cannot be resolved


class Rating(int, enum.Enum):
    VERY_SATISFIED = 5
    SATISFIED = 4
    BASICALLY_SATISFIED = 3
    DISSATISFIED = 2
    VERY_DISSATISFIED = 1

    @property
    def is_bad(self) -> bool:
        return self.value <= 2

    @property
    def is_satisfied(self) -> bool:
        return self.value >= 3


ticket_co_units = Table(
    "ticket_co_units",
    db.metadata,
    Column("ticket_id", ForeignKey("tickets.id"), primary_key=True),
    Column("unit_id", ForeignKey("units.id"), primary_key=True),
    # Copies of the ticket's state and handling due date, kept by a session hook
    # (supervise.domain.co_copies): the co-handled half of the workbench's counts and lists is read
    # from this table alone.
    Column("state", enum_column(State)),
    Column("handle_due", DateTime),
    # A unit's co-handled tickets, newest first (the workbench's "lead unit or co-handling" scope).
    Index("ix_ticket_co_units_unit", "unit_id", "ticket_id"),
    # Its co-handled tickets by state and due date: the timed counts (overdue, due soon) as index-only
    # ranges over open tickets, and the state tabs' lists.
    Index("ix_ticket_co_units_unit_state_due", "unit_id", "state", "handle_due", "ticket_id"),
)

# The console's "to publish" queue, newest first, as two partial indexes (see workflow.oversight's
# awaiting_publication and result_awaiting_publication): the backlog is listed without a scan.
AWAITING_PUBLICATION = text(
    "publish_consent AND published_at IS NULL AND state NOT IN ('submitted', 'declined', 'merged', 'forwarded')"
)
RESULT_AWAITING_PUBLICATION = text("state = 'closed' AND published_at IS NOT NULL AND result_published_at IS NULL")
# The states in which the handling clock runs (domain.clocks.HANDLING; a test holds the two equal).
HANDLING_CLOCK_RUNS = text("state IN ('dispatched', 'in_progress', 'returned')")
# The open states as the likely-duplicate indexes name them: PostgreSQL takes a partial index only for a
# query naming the same list, domain.duplicates.OPEN_VALUES (tests hold the two equal).
OPEN_FOR_DUPLICATES = text(
    "state IN ('awaiting_dispatch', 'awaiting_material', 'awaiting_rating', 'dispatched', 'in_progress', "
    "'rating_review', 'replied', 'returned', 'submitted')"
)


class Ticket(db.Model):
    __tablename__ = "tickets"
    __table_args__ = (
        # Public list: newest published first, keyset on (published_at, id).
        Index("ix_tickets_published", "published_at", "id"),
        Index("ix_tickets_published_category", "category_id", "published_at", "id"),
        Index("ix_tickets_published_unit", "lead_unit_id", "published_at", "id"),
        # Results feeds (overall, per unit, per category): newest published result first.
        Index("ix_tickets_result_published", "result_published_at", "id"),
        Index("ix_tickets_result_published_unit", "lead_unit_id", "result_published_at", "id"),
        Index("ix_tickets_result_published_category", "category_id", "result_published_at", "id"),
        # Measures recompute one (unit, category, month received) cell at a time.
        Index("ix_tickets_stats_cell", "lead_unit_id", "category_id", "created_at"),
        # Staff lists and counts (workbench tabs, console queues, enterprise portal), newest first.
        Index("ix_tickets_unit_id", "lead_unit_id", "id"),
        Index("ix_tickets_unit_state_id", "lead_unit_id", "state", "id"),
        Index("ix_tickets_unit_state_due", "lead_unit_id", "state", "handle_due", "id"),
        Index("ix_tickets_state_id", "state", "id"),
        Index("ix_tickets_state_due", "state", "handle_due"),
        Index("ix_tickets_enterprise_newest", "enterprise_id", "id"),
        Index(
            "ix_tickets_awaiting_publication",
            "id",
            postgresql_where=AWAITING_PUBLICATION,
            sqlite_where=AWAITING_PUBLICATION,
        ),
        Index(
            "ix_tickets_result_awaiting_publication",
            "id",
            postgresql_where=RESULT_AWAITING_PUBLICATION,
            sqlite_where=RESULT_AWAITING_PUBLICATION,
        ),
        Index("ix_tickets_state_created", "state", "created_at"),
        # The console's overdue queue, newest first: the tickets whose handling clock runs, by id with
        # their due date, so the walk from the newest reads the index alone (most of the newest are
        # not late yet: at 1M it passes ~39,000 entries in 2 ms, where the tickets' own rows took 70).
        Index(
            "ix_tickets_handling_newest",
            "id",
            postgresql_include=["handle_due"],
            postgresql_where=HANDLING_CLOCK_RUNS,
            sqlite_where=HANDLING_CLOCK_RUNS,
        ),
        Index("ix_tickets_created", "created_at", "id"),  # Open311 date ranges, newest first
        # Likely duplicates: the same company's tickets in one category around a date (domain.duplicates).
        Index("ix_tickets_company_category", "enterprise_id", "category_id", "created_at"),
        # ... and open tickets with the very same title (a queue's count stops at the limit in it).
        Index(
            "ix_tickets_open_title",
            "title",
            postgresql_where=OPEN_FOR_DUPLICATES,
            sqlite_where=OPEN_FOR_DUPLICATES,
        ),
        # A campaign's problems counted by unit, class and state (domain.campaign_figures).
        Index("ix_tickets_campaign", "campaign_id", "lead_unit_id", "category_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tracking_no: Mapped[str | None] = mapped_column(String(20), unique=True)
    retrieval_code: Mapped[str] = mapped_column(String(12))
    # One form render = one key: a double click files one complaint.
    submission_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    version: Mapped[int] = mapped_column(default=1)

    source: Mapped[Source] = mapped_column(enum_column(Source), default=Source.ONLINE)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id"), index=True)
    filed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    answers: Mapped[dict | None] = mapped_column(JSON)  # the category's intake questions, answered
    contact_name: Mapped[str] = mapped_column(String(40), default="")
    contact_mobile: Mapped[str] = mapped_column(String(20), default="")
    contact_email: Mapped[str | None] = mapped_column(String(120))
    publish_consent: Mapped[bool] = mapped_column(default=True)

    state: Mapped[State] = mapped_column(enum_column(State), default=State.SUBMITTED, index=True)
    lead_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    limit_class: Mapped[LimitClass] = mapped_column(enum_column(LimitClass), default=LimitClass.STANDARD)
    handle_days: Mapped[int] = mapped_column(default=15)
    decline_reason: Mapped[str | None] = mapped_column(String(30))
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"))
    # Filed here by another zone's platform (跨域转办 received): shown as the ticket's origin.
    origin_peer_id: Mapped[int | None] = mapped_column(ForeignKey("peers.id"))
    # Found by a campaign (专项活动): reported with it (晒问题、晒结果).
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"))

    created_at: Mapped[datetime] = mapped_column(default=now)
    accepted_at: Mapped[datetime | None]
    dispatched_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    approved_at: Mapped[datetime | None]  # reply approved and sent to the enterprise
    closed_at: Mapped[datetime | None]
    paused_at: Mapped[datetime | None]  # material requested; the handling clock is stopped

    accept_due: Mapped[datetime | None]
    sign_due: Mapped[datetime | None]
    handle_due: Mapped[datetime | None] = mapped_column(index=True)
    rate_due: Mapped[datetime | None]

    reopen_count: Mapped[int] = mapped_column(default=0)
    return_count: Mapped[int] = mapped_column(default=0)
    extension_count: Mapped[int] = mapped_column(default=0)
    # Set once when first overdue; a ticket that was ever overdue stays "not on time".
    overdue_at: Mapped[datetime | None]

    reply_outcome: Mapped[Outcome | None] = mapped_column(enum_column(Outcome))
    reply_text: Mapped[str | None] = mapped_column(Text)

    rating: Mapped[Rating | None] = mapped_column(db.Enum(Rating, native_enum=False, length=30))
    rating_solved: Mapped[bool | None]
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[datetime | None]
    # The first rating ever given, kept through reopens (首次满意率): ``rating`` is the latest round's.
    first_rating: Mapped[Rating | None] = mapped_column(db.Enum(Rating, native_enum=False, length=30))

    # Disclosure (晒问题、晒结果): only these moderated texts ever reach the public.
    published_at: Mapped[datetime | None]
    public_title: Mapped[str | None] = mapped_column(String(120))
    public_summary: Mapped[str | None] = mapped_column(Text)
    public_reply: Mapped[str | None] = mapped_column(Text)
    result_published_at: Mapped[datetime | None]
    # The public texts as search terms (Chinese bigrams and words), maintained by domain.search;
    # indexed with GIN on PostgreSQL and FTS5 on SQLite (see the migration).
    search_doc: Mapped[str | None] = mapped_column(Text)

    enterprise: Mapped[Enterprise] = relationship()
    filed_by: Mapped[User | None] = relationship()
    category: Mapped[Category] = relationship()
    area: Mapped[Area | None] = relationship()
    lead_unit: Mapped[Unit | None] = relationship()
    co_units: Mapped[list[Unit]] = relationship(secondary=ticket_co_units)
    merged_into: Mapped["Ticket | None"] = relationship(remote_side=[id])
    origin_peer = relationship("Peer")
    forwarding = relationship("Forwarding", back_populates="ticket", uselist=False)
    events: Mapped[list["TicketEvent"]] = relationship(
        back_populates="ticket", order_by="TicketEvent.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list["Attachment"]] = relationship(
        back_populates="ticket", order_by="Attachment.id", cascade="all, delete-orphan"
    )
    extension_requests: Mapped[list["ExtensionRequest"]] = relationship(
        back_populates="ticket", order_by="ExtensionRequest.id", cascade="all, delete-orphan"
    )
    supervision_orders: Mapped[list["SupervisionOrder"]] = relationship(
        back_populates="ticket", order_by="SupervisionOrder.id", cascade="all, delete-orphan"
    )
    redaction_terms: Mapped[list["RedactionTerm"]] = relationship(
        back_populates="ticket", order_by="RedactionTerm.id", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @validates("contact_email")
    def _valid_contact_email(self, key: str, value: str | None) -> str | None:
        return normalize_email(value)

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def pending_extension(self) -> "ExtensionRequest | None":
        return next((r for r in self.extension_requests if r.status == "pending"), None)

    @property
    def open_orders(self) -> list["SupervisionOrder"]:
        return [o for o in self.supervision_orders if o.answered_at is None]

    def __repr__(self) -> str:
        return f"<Ticket {self.tracking_no} {self.state.value}>"


class TicketEvent(db.Model):
    """One step on a ticket's timeline. Events are appended, never edited or deleted."""

    __tablename__ = "ticket_events"
    __table_args__ = (Index("ix_ticket_events_at", "at"),)  # the API's updated_since

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[datetime] = mapped_column(default=now)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # None: the system
    action: Mapped[str] = mapped_column(String(30))
    from_state: Mapped[State | None] = mapped_column(enum_column(State))
    to_state: Mapped[State | None] = mapped_column(enum_column(State))
    note: Mapped[str] = mapped_column(Text, default="")
    public: Mapped[bool] = mapped_column(default=False)
    data: Mapped[dict | None] = mapped_column(JSON)

    ticket: Mapped[Ticket] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class Attachment(db.Model):
    """An uploaded file, stored outside static files and served only to those allowed."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("ticket_events.id"))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    released: Mapped[bool] = mapped_column(default=False)  # shown on the public page
    created_at: Mapped[datetime] = mapped_column(default=now)

    ticket: Mapped[Ticket] = relationship(back_populates="attachments")
    event: Mapped[TicketEvent | None] = relationship()


class ExtensionRequest(db.Model):
    __tablename__ = "extension_requests"
    __table_args__ = (Index("ix_extension_requests_status", "status", "ticket_id"),)  # the pending ones

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    requested_due: Mapped[date]
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | granted | refused
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=now)

    ticket: Mapped[Ticket] = relationship(back_populates="extension_requests")
    requested_by: Mapped[User | None] = relationship(foreign_keys=[requested_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])


class SupervisionOrder(db.Model):
    """督办单: the supervisor's formal order on an open ticket; the unit answers by its deadline."""

    __tablename__ = "supervision_orders"
    __table_args__ = (Index("ix_supervision_orders_open", "answered_at", "ticket_id"),)  # the unanswered ones

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    level: Mapped[str] = mapped_column(String(10))  # general | key | listed (一般/重点/挂牌)
    deadline: Mapped[date] = mapped_column(index=True)  # the orders due in a quarter (settlement)
    note: Mapped[str] = mapped_column(Text)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=now)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    ticket: Mapped[Ticket] = relationship(back_populates="supervision_orders")
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])


class RedactionTerm(db.Model):
    """A word the supervisor wants masked in this ticket's public texts (a name, a nickname…)."""

    __tablename__ = "redaction_terms"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    term: Mapped[str] = mapped_column(String(100))
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=now)

    ticket: Mapped[Ticket] = relationship(back_populates="redaction_terms")
