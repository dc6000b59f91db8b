"""The unit workbench through HTTP: the unit's lists and tabs, and every action a unit takes on a ticket."""

import io
import re
from datetime import date, datetime, timedelta

import pytest
from flask import g
from sqlalchemy import event

from supervise.domain import workflow
from supervise.domain.clock import frozen
from supervise.domain.clocks import warning
from supervise.extensions import db
from supervise.models import Role, State, Ticket, TicketEvent
from supervise.unit import routes
from tests.factories import HAPPY_PATH, advance, file_ticket, make_user

MONDAY = datetime(2026, 3, 2, 9, 0)
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _monday_morning():
    """Every test runs on a known working day unless it freezes the clock elsewhere."""
    with frozen(MONDAY):
        yield


@pytest.fixture
def as_user(login):
    """Log in as ``user``, forgetting whoever the shared application context remembered."""

    def do(user):
        g.pop("_login_user", None)
        return login(user)

    return do


def at_state(world, state: State, **fields) -> Ticket:
    """A committed ticket of the edu unit (schooling) or of the given category, moved to ``state``."""
    # advance() in two steps: the lead unit must be flushed before the unit's actions check it.
    ticket = advance(world, file_ticket(world, **fields), State.DISPATCHED)
    for action, who, data in HAPPY_PATH[1:]:
        if ticket.state == state:
            break
        workflow.perform(ticket, action, getattr(world, who), **data)
    assert ticket.state == state
    db.session.commit()
    return ticket


def dispatched(world, **fields) -> Ticket:
    return at_state(world, State.DISPATCHED, **fields)


def in_progress(world, **fields) -> Ticket:
    return at_state(world, State.IN_PROGRESS, **fields)


def url(ticket: Ticket, action: str = "") -> str:
    return f"/unit/tickets/{ticket.id}" + (f"/{action}" if action else "")


def events_of(ticket: Ticket, action: str) -> list[TicketEvent]:
    return [e for e in ticket.events if e.action == action]


# ---------------------------------------------------------------- who may enter


def test_anonymous_visitors_are_sent_to_log_in(client, world):
    response = client.get("/unit/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_an_enterprise_user_may_not_open_the_workbench(as_user, world):
    assert as_user(world.enterprise_user).get("/unit/").status_code == 403


def test_a_handler_of_another_unit_cannot_see_the_ticket(as_user, world):
    ticket = dispatched(world)
    assert as_user(world.hr_handler).get(url(ticket)).status_code == 403


def test_a_handler_of_another_unit_cannot_sign_for_the_ticket(as_user, world):
    ticket = dispatched(world)
    response = as_user(world.hr_handler).post(url(ticket, "sign"), data={"version": ticket.version})
    assert response.status_code == 403
    db.session.expire_all()
    assert ticket.state == State.DISPATCHED


def test_an_unknown_ticket_is_not_found(as_user, world):
    assert as_user(world.handler).get("/unit/tickets/999999").status_code == 404


# ---------------------------------------------------------------- the lists


def test_the_workbench_lists_the_units_tickets_and_not_other_units(as_user, world):
    mine = dispatched(world, title="学位不足")
    theirs = dispatched(world, category=world.hiring, title="招工难")
    page = as_user(world.handler).get("/unit/").get_data(as_text=True)
    assert mine.tracking_no in page and "学位不足" in page
    assert theirs.tracking_no not in page


def test_a_unit_leader_sees_the_whole_units_tickets(as_user, world):
    ticket = dispatched(world)
    page = as_user(world.leader).get("/unit/?tab=to_sign").get_data(as_text=True)
    assert ticket.tracking_no in page


def test_a_co_handling_unit_sees_the_ticket_marked_as_co_handled(as_user, world):
    ticket = dispatched(world)  # schooling: lead edu, co-unit street
    street_handler = make_user(Role.HANDLER, unit=world.street)
    db.session.commit()
    client = as_user(street_handler)
    page = client.get("/unit/").get_data(as_text=True)
    assert ticket.tracking_no in page and "Co-handling" in page
    ticket_page = client.get(url(ticket)).get_data(as_text=True)
    assert "co-handles this ticket" in ticket_page
    assert 'id="panel-sign"' not in ticket_page  # only the lead unit signs


def test_tabs_split_tickets_by_state(as_user, world):
    to_sign = dispatched(world, title="待签收的")
    working = in_progress(world, title="办理中的")
    replied = at_state(world, State.REPLIED, title="已答复的")
    closed = at_state(world, State.CLOSED, title="已办结的")
    client = as_user(world.handler)

    def listed(tab: str) -> set[str]:
        page = client.get(f"/unit/?tab={tab}").get_data(as_text=True)
        return {t.tracking_no for t in (to_sign, working, replied, closed) if t.tracking_no in page}

    assert listed("to_sign") == {to_sign.tracking_no}
    assert listed("in_progress") == {working.tracking_no}
    assert listed("replied") == {replied.tracking_no}
    assert listed("closed") == {closed.tracking_no}
    assert listed("all") == {to_sign.tracking_no, working.tracking_no, replied.tracking_no, closed.tracking_no}


def _accepted(world, at: datetime, handle_days: int, title: str) -> Ticket:
    ticket = file_ticket(world, at=at, title=title)
    workflow.perform(ticket, "accept", world.supervisor, at=at, handle_days=handle_days)
    return ticket


def test_due_soon_and_overdue_tabs_follow_the_working_day_clock(as_user, world):
    # Friday 20 March 2026; due dates are the end of the N-th working day after dispatch.
    soon = _accepted(world, datetime(2026, 3, 16, 10), 5, "快到期的")  # due Mon 23 March: 1 working day left
    late = _accepted(world, datetime(2026, 3, 6, 10), 5, "已超期的")  # due Fri 13 March
    workflow.perform(late, "sign", world.handler, at=datetime(2026, 3, 9, 10))
    calm = _accepted(world, datetime(2026, 3, 19, 10), 15, "不急的")  # due in April
    db.session.commit()

    with frozen(datetime(2026, 3, 20, 9)):
        client = as_user(world.handler)  # a login lasts REMEMBER_COOKIE_DAYS: log in on the day browsed
        due_soon = client.get("/unit/?tab=due_soon").get_data(as_text=True)
        overdue = client.get("/unit/?tab=overdue").get_data(as_text=True)
        everything = client.get("/unit/").get_data(as_text=True)

    assert soon.tracking_no in due_soon
    assert late.tracking_no not in due_soon and calm.tracking_no not in due_soon
    assert late.tracking_no in overdue
    assert soon.tracking_no not in overdue and calm.tracking_no not in overdue
    assert "Due soon" in everything and "Overdue" in everything  # the warning badges


def test_the_due_soon_tab_agrees_with_the_yellow_warning_day_by_day(as_user, world):
    tickets = [_accepted(world, datetime(2026, 3, day, 10), 5, f"第{day}日派单") for day in (2, 5, 9, 12)]
    db.session.commit()
    for day in range(3, 21):
        with frozen(datetime(2026, 3, day, 9)):
            client = as_user(world.handler)  # a login lasts REMEMBER_COOKIE_DAYS: log in each day browsed
            page = client.get("/unit/?tab=due_soon").get_data(as_text=True)
            listed = {t.tracking_no for t in tickets if t.tracking_no in page}
            yellow = {t.tracking_no for t in tickets if warning(t) == "yellow"}
        assert listed == yellow, day


def test_the_tab_counts_and_stat_cards_count_the_unit_only(as_user, world):
    dispatched(world)
    dispatched(world)
    in_progress(world)
    dispatched(world, category=world.hiring)  # another unit's
    page = as_user(world.handler).get("/unit/").get_data(as_text=True)
    assert 'To sign<span class="count">2</span>' in page
    assert 'In progress<span class="count">1</span>' in page
    assert 'All<span class="count">3</span>' in page
    assert '<span class="num">3</span><span class="label">Open</span>' in page
    assert '<span class="num">0</span><span class="label">Overdue</span>' in page


def test_the_orders_tab_lists_tickets_with_an_unanswered_supervision_order(as_user, world):
    ordered = in_progress(world, title="被督办的")
    quiet = in_progress(world, title="没督办的")
    workflow.perform(
        ordered, "issue_order", world.supervisor, level="key", deadline=date(2026, 3, 6), note="请三日内答复"
    )
    db.session.commit()
    page = as_user(world.handler).get("/unit/?tab=orders").get_data(as_text=True)
    assert ordered.tracking_no in page and quiet.tracking_no not in page
    assert "2026-03-06" in page


def test_the_list_pages_by_id_newest_first(as_user, world, monkeypatch):
    monkeypatch.setattr(routes, "PAGE_SIZE", 2)
    tickets = [dispatched(world) for _ in range(3)]
    client = as_user(world.handler)
    first = client.get("/unit/").get_data(as_text=True)
    assert tickets[2].tracking_no in first and tickets[1].tracking_no in first
    assert tickets[0].tracking_no not in first
    assert f"after={tickets[1].id}" in first
    second = client.get(f"/unit/?after={tickets[1].id}").get_data(as_text=True)
    assert tickets[0].tracking_no in second and tickets[1].tracking_no not in second


def test_the_list_runs_the_same_number_of_queries_for_more_tickets(as_user, world):
    client = as_user(world.handler)
    for _ in range(2):
        dispatched(world)
    ticket = in_progress(world)
    workflow.perform(ticket, "issue_order", world.supervisor, level="general", deadline=date(2026, 3, 9), note="督办")
    db.session.commit()

    def queries() -> int:
        statements: list[str] = []

        def count(*args):
            statements.append(args[2])

        db.session.expire_all()
        g.pop("_login_user", None)
        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/unit/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    few = queries()
    for _ in range(4):
        in_progress(world)
    assert queries() == few


# ---------------------------------------------------------------- signing and returning


def test_a_handler_signs_for_a_dispatched_ticket(as_user, world):
    ticket = dispatched(world)
    client = as_user(world.handler)
    page = client.get(url(ticket)).get_data(as_text=True)
    assert 'id="panel-sign"' in page and ticket.title in page
    response = client.post(url(ticket, "sign"), data={"version": ticket.version})
    assert response.status_code == 302 and response.headers["Location"].endswith(url(ticket))
    db.session.expire_all()
    assert ticket.state == State.IN_PROGRESS and ticket.signed_at == MONDAY
    assert "Signed for" in client.get(url(ticket)).get_data(as_text=True)


def test_signing_with_an_outdated_page_is_refused(as_user, world):
    ticket = dispatched(world)
    client = as_user(world.handler)
    response = client.post(url(ticket, "sign"), data={"version": ticket.version - 1}, follow_redirects=True)
    assert "Someone else changed this ticket" in response.get_data(as_text=True)
    db.session.expire_all()
    assert ticket.state == State.DISPATCHED and ticket.signed_at is None


def test_a_return_needs_reason_and_basis(as_user, world):
    ticket = dispatched(world)
    client = as_user(world.handler)
    response = client.post(url(ticket, "return"), data={"version": ticket.version, "reason": "不归我们管"})
    assert response.status_code == 400
    assert "Basis: This field is required." in response.get_data(as_text=True)
    db.session.expire_all()
    assert ticket.state == State.DISPATCHED and ticket.return_count == 0


def test_a_handler_returns_a_ticket_with_reason_and_basis(as_user, world):
    ticket = dispatched(world)
    client = as_user(world.handler)
    response = client.post(
        url(ticket, "return"), data={"version": ticket.version, "reason": "属于人社局职责", "basis": "三定方案第五条"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert ticket.state == State.RETURNED and ticket.return_count == 1
    (returned,) = events_of(ticket, "return")
    assert returned.note == "属于人社局职责" and returned.data["basis"] == "三定方案第五条"


# ---------------------------------------------------------------- handling


def test_a_handler_posts_internal_and_public_progress_notes(as_user, world):
    ticket = in_progress(world)
    client = as_user(world.handler)
    client.post(url(ticket, "note"), data={"version": ticket.version, "note": "已联系学校，内部记录"})
    db.session.expire_all()
    client.post(url(ticket, "note"), data={"version": ticket.version, "note": "已协调学位", "public": "y"})
    db.session.expire_all()
    notes = {e.note: e.public for e in events_of(ticket, "note")}
    assert notes == {"已联系学校，内部记录": False, "已协调学位": True}
    page = client.get(url(ticket)).get_data(as_text=True)
    assert "已联系学校，内部记录" in page and "Internal" in page


def test_an_empty_note_is_refused_and_nothing_is_recorded(as_user, world):
    ticket = in_progress(world)
    response = as_user(world.handler).post(url(ticket, "note"), data={"version": ticket.version, "note": " "})
    assert response.status_code == 400
    db.session.expire_all()
    assert events_of(ticket, "note") == []


def test_a_handler_requests_an_extension_and_the_supervisor_grants_it(as_user, world):
    ticket = in_progress(world)
    new_due = ticket.handle_due.date() + timedelta(days=7)  # the same weekday a week later
    client = as_user(world.handler)
    response = client.post(
        url(ticket, "extension"),
        data={"version": ticket.version, "new_due": new_due.isoformat(), "extension_reason": "需要协调区外学校"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert ticket.pending_extension is not None and ticket.pending_extension.requested_due == new_due
    page = client.get(url(ticket)).get_data(as_text=True)
    assert "waiting for the supervisor" in page and 'id="panel-request_extension"' not in page

    workflow.perform(ticket, "grant_extension", world.supervisor)
    db.session.commit()
    assert ticket.handle_due.date() == new_due and ticket.extension_count == 1


def test_an_extension_to_an_earlier_date_is_refused(as_user, world):
    ticket = in_progress(world)
    due = ticket.handle_due
    response = as_user(world.handler).post(
        url(ticket, "extension"),
        data={"version": ticket.version, "new_due": MONDAY.date().isoformat(), "extension_reason": "理由"},
        follow_redirects=True,
    )
    assert "must be later than the current one" in response.get_data(as_text=True)
    db.session.expire_all()
    assert ticket.pending_extension is None and ticket.handle_due == due


def test_a_handler_asks_for_material_and_the_clock_pauses(as_user, world):
    ticket = in_progress(world)
    response = as_user(world.handler).post(
        url(ticket, "material"), data={"version": ticket.version, "material": "请补充孩子户籍证明"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert ticket.state == State.AWAITING_MATERIAL and ticket.paused_at == MONDAY
    assert events_of(ticket, "request_material")[0].note == "请补充孩子户籍证明"


def test_a_handler_replies_with_an_outcome_and_an_attachment(as_user, world):
    ticket = in_progress(world)
    response = as_user(world.handler).post(
        url(ticket, "reply"),
        content_type="multipart/form-data",
        data={
            "version": ticket.version,
            "outcome": "partly",
            "text": "已安排就近入学",
            "files": [(io.BytesIO(PNG), "通知书.png")],
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert ticket.state == State.REPLIED
    assert ticket.reply_outcome.value == "partly" and ticket.reply_text == "已安排就近入学"
    (attachment,) = ticket.attachments
    assert attachment.filename == "通知书.png" and attachment.event.action == "reply"


def test_a_reply_without_an_outcome_is_refused(as_user, world):
    ticket = in_progress(world)
    response = as_user(world.handler).post(url(ticket, "reply"), data={"version": ticket.version, "text": "已办"})
    assert response.status_code == 400
    db.session.expire_all()
    assert ticket.state == State.IN_PROGRESS and ticket.reply_text is None


def test_a_reply_with_a_file_that_is_not_allowed_is_refused(as_user, world):
    ticket = in_progress(world)
    response = as_user(world.handler).post(
        url(ticket, "reply"),
        content_type="multipart/form-data",
        data={
            "version": ticket.version,
            "outcome": "resolved",
            "text": "已办",
            "files": [(io.BytesIO(b"MZ not a document"), "run.exe")],
        },
    )
    assert response.status_code == 400
    assert "is not a JPEG, PNG, PDF, Word or Excel file" in response.get_data(as_text=True)
    db.session.expire_all()
    assert ticket.state == State.IN_PROGRESS and ticket.attachments == []


def test_a_handler_answers_a_supervision_order(as_user, world):
    ticket = in_progress(world)
    workflow.perform(
        ticket, "issue_order", world.supervisor, level="key", deadline=date(2026, 3, 5), note="请说明为何迟迟未解决"
    )
    db.session.commit()
    client = as_user(world.handler)
    page = client.get(url(ticket)).get_data(as_text=True)
    assert "Key supervision" in page and "请说明为何迟迟未解决" in page and "2026-03-05" in page
    response = client.post(url(ticket, "order-answer"), data={"version": ticket.version, "answer": "已专题研究"})
    assert response.status_code == 302
    db.session.expire_all()
    (order,) = ticket.supervision_orders
    assert order.answer == "已专题研究" and order.answered_by_id == world.handler.id
    assert ticket.open_orders == []
    assert 'id="panel-answer_order"' not in client.get(url(ticket)).get_data(as_text=True)


def test_only_the_actions_the_state_allows_are_offered(as_user, world):
    ticket = dispatched(world)
    page = as_user(world.handler).get(url(ticket)).get_data(as_text=True)
    assert 'id="panel-sign"' in page and 'id="panel-return"' in page
    assert 'id="panel-reply"' not in page and 'id="panel-note"' not in page


def test_action_forms_carry_the_csrf_token(app, as_user, world, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    ticket = dispatched(world)
    client = as_user(world.handler)
    assert client.post(url(ticket, "sign"), data={"version": ticket.version}).status_code == 400
    db.session.expire_all()
    assert ticket.state == State.DISPATCHED
    page = client.get(url(ticket)).get_data(as_text=True)
    token = re.search(
        r'action="/unit/tickets/\d+/sign"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"', page
    ).group(1)
    response = client.post(url(ticket, "sign"), data={"version": ticket.version, "csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert ticket.state == State.IN_PROGRESS


def test_a_leader_may_act_for_the_unit(as_user, world):
    ticket = dispatched(world)
    as_user(world.leader).post(url(ticket, "sign"), data={"version": ticket.version})
    db.session.expire_all()
    assert ticket.state == State.IN_PROGRESS
