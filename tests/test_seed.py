"""The reference and demo data: a year of tickets that shows every state, source and account."""

import sqlite3
import subprocess
import sys

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from supervise import seed
from supervise.domain import credit_code
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import (
    Area,
    CalendarDay,
    Category,
    Enterprise,
    ExtensionRequest,
    Role,
    RoutingRule,
    Source,
    State,
    SupervisionOrder,
    Ticket,
    Unit,
    UnitKind,
    User,
)
from supervise.models.project import Blocker, MonthlyReport, Project
from tests.conftest import ROOT, service_env

TICKET_TIMES = (
    "created_at",
    "accepted_at",
    "dispatched_at",
    "signed_at",
    "replied_at",
    "approved_at",
    "closed_at",
    "rated_at",
    "published_at",
    "result_published_at",
)


@pytest.fixture
def demo(app):
    seed.load_reference()
    logins = seed.load_demo(tickets=120)
    db.session.commit()
    return logins


def _tickets() -> list[Ticket]:
    return list(db.session.scalars(select(Ticket).options(selectinload(Ticket.events)).order_by(Ticket.id)))


def test_the_reference_data_has_the_zone_units_areas_and_category_tree(app):
    seed.load_reference()
    db.session.commit()
    kinds = {u.kind for u in db.session.scalars(select(Unit))}
    assert kinds == set(UnitKind)
    root = db.session.scalar(select(Unit).where(Unit.name == "高新区管委会"))
    assert root.parent is None and len(root.children) >= 15
    assert {a.name for a in db.session.scalars(select(Area))} >= {"东风街道", "紫贞街道", "团山镇", "米庄镇"}
    tops = db.session.scalars(select(Category).where(Category.parent_id.is_(None))).all()
    assert {c.name for c in tops} == {"行政审批", "行政监管", "政务服务", "公共服务", "承诺兑现", "政策落实"}
    concrete = db.session.scalars(select(Category).where(Category.parent_id.is_not(None))).all()
    assert len(concrete) >= 15 and all(c.questions for c in concrete)
    assert any(c.default_lead_unit is None for c in concrete)


def test_the_demo_reaches_every_state_and_every_source(demo):
    # The key projects' blockers and the campaigns' problems add their own tickets to the 120 asked for.
    followed = set(db.session.scalars(select(Blocker.ticket_id).where(Blocker.ticket_id.is_not(None))))
    tickets = _tickets()
    assert len([t for t in tickets if t.id not in followed and t.campaign_id is None]) == 120
    assert len({t.state for t in tickets if t.campaign_id is not None}) >= 5
    # Forwarding needs a second zone's platform, which the demo does not have.
    assert {t.state for t in tickets} == set(State) - {State.FORWARDED}
    assert {t.source for t in tickets} == set(Source)
    closed = [t for t in tickets if t.state == State.CLOSED]
    assert len(closed) > len(tickets) / 2
    assert any(t.reopen_count for t in closed)
    assert any(t.published_at for t in tickets) and any(t.result_published_at for t in closed)
    assert any(not t.publish_consent for t in tickets)
    assert {r.status for r in db.session.scalars(select(ExtensionRequest))} == {"pending", "granted", "refused"}
    orders = db.session.scalars(select(SupervisionOrder)).all()
    assert any(o.answered_at for o in orders) and any(o.answered_at is None for o in orders)


def test_demo_enterprises_have_valid_credit_codes(demo):
    enterprises = db.session.scalars(select(Enterprise)).all()
    assert len(enterprises) >= 40
    assert all(credit_code.is_valid(e.credit_code) and e.credit_code.startswith("91420600") for e in enterprises)


def test_every_demo_ticket_starts_with_its_submission_keeps_time_order_and_nothing_is_in_the_future(demo):
    moment = now()
    for ticket in _tickets():
        events = ticket.events
        assert events[0].action == "submit" and events[0].at == ticket.created_at
        assert [e.at for e in events] == sorted(e.at for e in events), ticket.tracking_no
        assert all(e.at <= moment for e in events)
        assert all(getattr(ticket, name) is None or getattr(ticket, name) <= moment for name in TICKET_TIMES)
    assert all(
        r.created_at <= moment and (r.decided_at or moment) <= moment
        for r in db.session.scalars(select(ExtensionRequest))
    )
    assert all(
        o.issued_at <= moment and (o.answered_at or moment) <= moment
        for o in db.session.scalars(select(SupervisionOrder))
    )


def test_public_texts_of_demo_tickets_name_neither_the_enterprise_nor_its_people(demo):
    published = [t for t in _tickets() if t.published_at]
    assert published
    for ticket in published:
        text = ticket.public_title + ticket.public_summary + (ticket.public_reply or "")
        assert ticket.enterprise.name not in text and ticket.enterprise.contact_name not in text
        assert ticket.publish_consent


def test_demo_logins_list_one_user_per_role_and_each_can_log_in(demo, app):
    assert demo == seed.demo_logins()
    assert sorted(role for role, _, _ in demo) == sorted(r.value for r in Role)
    for role, username, name in demo:
        user = User.by_username(username)
        assert user.role.value == role and user.name == name
        response = app.test_client().post("/auth/login", data={"username": username, "password": seed.DEMO_PASSWORD})
        assert response.status_code == 302, username


def test_seeding_again_prints_every_units_handler_and_leader(demo, app):
    result = app.test_cli_runner().invoke(args=["seed"])
    assert result.exit_code == 0 and "Demo logins" in result.output
    staffed = db.session.scalars(select(User).where(User.role.in_((Role.HANDLER, Role.LEADER)))).all()
    assert len({u.unit_id for u in staffed}) > 6
    for user in staffed:
        assert user.username in result.output and user.unit.name in result.output


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_production_install_creates_no_account_and_then_the_readme_administrator(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed", "--no-demo"])
    assert result.exit_code == 0 and "Demo logins" not in result.output
    assert count(User) == 0
    assert count(Unit) and count(Area) and count(Category) and count(RoutingRule) and count(CalendarDay)

    result = runner.invoke(
        args=["create-user", "admin", "--role", "admin", "--name", "管理员", "--password", "Admin-pass-2026"]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    admin = User.by_username("admin")
    assert admin.role == Role.ADMIN and admin.check_password("Admin-pass-2026")
    assert not admin.check_password(seed.DEMO_PASSWORD) and count(User) == 1


def test_the_demo_seed_prints_one_login_per_role(app):
    result = app.test_cli_runner().invoke(args=["seed", "--tickets", "20"])
    assert result.exit_code == 0 and f"password for all: {seed.DEMO_PASSWORD}" in result.output
    for role in Role:
        assert f"  {role.value:<12} " in result.output


def test_make_runs_seed_without_redis_delivers_every_message_before_the_command_ends(tmp_path):
    """``flask seed`` on the embedded defaults (SQLite, no Redis) as ``make run`` calls it: its jobs'
    thread does not write beside the seed (no locked database, no failed job), and the command waits
    for it, so the server it starts next has no message waiting for the relay's lease."""
    database = tmp_path / "demo.sqlite3"
    env = service_env(f"sqlite:///{database}", "", tmp_path, SUPERVISE_ENV="development")
    for command in (["db", "upgrade"], ["seed", "--tickets", "20"]):
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "wsgi", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
    assert "failed" not in done.stderr and "locked" not in done.stderr, done.stderr[-3000:]
    with sqlite3.connect(database) as connection:
        statuses = dict(connection.execute("SELECT status, count(*) FROM outbox_messages GROUP BY status"))
    mails = (tmp_path / "mail.jsonl").read_text().splitlines()
    assert set(statuses) == {"sent"} and len(mails) > 100


def test_demo_enterprise_accounts_are_verified_and_one_registration_awaits_review(demo):
    from supervise.models import LicenceReview, Verification

    accounts = db.session.scalars(select(User).where(User.role == Role.ENTERPRISE)).all()
    pending = [u for u in accounts if u.verification != Verification.VERIFIED]
    assert len(accounts) > 26 and [u.username for u in pending] == ["ent_new"]
    assert pending[0].verification == Verification.PENDING and not pending[0].enterprise.contact_on_record
    review = db.session.scalar(select(LicenceReview))
    assert review.user_id == pending[0].id and review.state == "pending"
    assert all(e.contact_on_record for e in db.session.scalars(select(Enterprise)) if e.id != review.enterprise_id)


def test_the_demo_has_twenty_key_projects_with_reports_late_missing_and_blockers_followed_up(demo):
    projects = db.session.scalars(select(Project)).all()
    assert len(projects) == 20 and all(p.team for p in projects)
    assert any(not p.public for p in projects) and any(not p.investment_public for p in projects)
    submitted = db.session.scalars(select(MonthlyReport).where(MonthlyReport.submitted_at.is_not(None))).all()
    assert any(r.on_time for r in submitted) and any(r.on_time is False for r in submitted)
    missing = db.session.scalars(
        select(MonthlyReport).where(MonthlyReport.submitted_at.is_(None), MonthlyReport.due_on < now().date())
    ).all()
    assert missing
    found = db.session.scalars(select(Blocker)).all()
    assert any(b.ticket_id for b in found) and any(b.state == "cleared" for b in found)
    assert any(b.ticket and b.ticket.supervision_orders for b in found)
