"""The staff pages for ``bench.load`` (issue 10): the unit workbench and each tab, the console's queues
and "all tickets", the enterprise portal, the notification centre and the registers (the quarter's
settlement), each driven logged in.

Each page's user gets a login session of its own, opened in the database as the login page would
(``User.open_session``) and carried in a session cookie signed with the bench's ``SECRET_KEY``: no
form, no rate limit in the way. The users are the demo staff of ``bench.generate``: the handler of
the unit with the most tickets, a supervisor, and the enterprise account with the most tickets.
"""

from datetime import date

from sqlalchemy import func, select

from supervise.domain.measures.periods import Period

UNIT_TABS = ("all", "to_sign", "in_progress", "due_soon", "overdue", "replied", "closed", "orders")
CONSOLE_QUEUES = (
    "to_accept",
    "dispatch_queue",
    "returns",
    "extensions",
    "replies",
    "ratings",
    "orders",
    "overdue",
    "to_publish",
    "all",
)
# bench.load starts gunicorn with it (production wants 32 bytes or more).
SECRET_KEY = "bench-secret-key-not-for-production-use"
#: A staff page passes at 1M with at least this share of the bare endpoint's throughput (issue 10).
THROUGHPUT_TARGET = 0.25


def is_staff(key: str) -> bool:
    return key.startswith(("unit_", "console_")) or key in ("enterprise", "notifications")


def _cookie(app, user) -> str:
    from supervise.extensions import db

    session_id = user.open_session()
    db.session.commit()
    signed = app.session_interface.get_signing_serializer(app).dumps({"_user_id": session_id, "_fresh": True})
    return f"{app.config['SESSION_COOKIE_NAME']}={signed}"


def _users(db):
    """The handler of the busiest unit, a supervisor, the enterprise account with the most tickets."""
    from supervise.models import Role, Ticket, User

    busiest = select(Ticket.lead_unit_id).group_by(Ticket.lead_unit_id).order_by(func.count().desc()).limit(1)
    handler = db.session.scalars(
        select(User).where(User.role == Role.HANDLER, User.unit_id == busiest.scalar_subquery()).limit(1)
    ).one()
    supervisor = db.session.scalars(select(User).where(User.role == Role.SUPERVISOR).order_by(User.id).limit(1)).one()
    accounts = select(User.enterprise_id).where(User.role == Role.ENTERPRISE, User.active.is_(True))
    company = (
        select(Ticket.enterprise_id)
        .where(Ticket.enterprise_id.in_(accounts))
        .group_by(Ticket.enterprise_id)
        .order_by(func.count().desc())
        .limit(1)
    )
    enterprise = db.session.scalars(
        select(User)
        .where(User.role == Role.ENTERPRISE, User.enterprise_id == company.scalar_subquery())
        .order_by(User.id)
        .limit(1)
    ).one()
    return handler, supervisor, enterprise


def staff_pages(database_url: str) -> list[tuple[str, str, str]]:
    """(key, path, cookie) for each staff page on ``database_url``."""
    from supervise import create_app
    from supervise.extensions import db
    from supervise.models import Campaign, Settlement

    app = create_app("production", SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY=SECRET_KEY)
    with app.app_context():
        handler, supervisor, enterprise = _users(db)
        campaign = db.session.scalar(select(func.max(Campaign.id)))
        settled = db.session.execute(
            select(Settlement.year, Settlement.quarter).order_by(Settlement.id.desc()).limit(1)
        ).first()
        unit, console, portal = _cookie(app, handler), _cookie(app, supervisor), _cookie(app, enterprise)
        notes = _cookie(app, handler)
        db.session.remove()
    pages = [(f"unit_{tab}", f"/unit/?tab={tab}", unit) for tab in UNIT_TABS]
    pages += [(f"console_{queue}", f"/console/?tab={queue}", console) for queue in CONSOLE_QUEUES]
    pages += [("enterprise", "/my/", portal), ("notifications", "/notifications/", notes)]
    # the registers (bench.registers fills them): the key projects, a campaign, the current quarter's
    # settlement preview (scored live from the measure cells) and the last settled quarter
    quarter = Period.containing(date.today())
    pages += [("console_projects", "/console/projects", console), ("console_campaigns", "/console/campaigns", console)]
    if campaign is not None:
        pages += [("console_campaign", f"/console/campaigns/{campaign}", console)]
    pages += [("console_settlement", f"/console/quarters/{quarter.value}", console)]
    if settled is not None:
        last = Period("quarter", settled.year, settled.quarter)
        pages += [("console_settled", f"/console/quarters/{last.value}", console)]
    return pages
