"""The supervisor console through HTTP: the queues, every supervisor action on a ticket, staff intake,
and who may not enter."""

import io
import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from supervise.domain import deadlines, workflow
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import frozen, now
from supervise.extensions import db
from supervise.models import (
    Attachment,
    Enterprise,
    LimitClass,
    RedactionTerm,
    Source,
    State,
    SupervisionOrder,
    Ticket,
)
from tests.factories import advance, file_ticket, intake_data, publish

# A Wednesday with working days around it (no holiday in the calendar the tests use).
AT = datetime(2026, 3, 4, 10, 0)


def act(client, ticket, action, **fields):
    """Post one action panel of the console ticket page, as the browser would."""
    data = {f"{action}-{key}": value for key, value in fields.items()}
    data["version"] = ticket.version
    return client.post(f"/console/tickets/{ticket.id}/{action}", data=data, follow_redirects=True)


@pytest.fixture
def supervisor(world, login):
    return login(world.supervisor)


@pytest.fixture
def clock():
    with frozen(AT):
        yield AT


def text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- queues


def test_the_console_shows_every_queue_with_its_count(world, supervisor):
    file_ticket(world, title="刚提交的诉求")
    advance(world, file_ticket(world, category=world.misc, title="待派单的诉求"), State.AWAITING_DISPATCH)
    advance(world, file_ticket(world, title="待审核的答复"), State.REPLIED)
    db.session.commit()

    page = text(supervisor.get("/console/"))
    assert "刚提交的诉求" in page and "待派单的诉求" not in page
    assert 'href="/console/?tab=dispatch_queue"' in page

    page = text(supervisor.get("/console/?tab=dispatch_queue"))
    assert "待派单的诉求" in page and "刚提交的诉求" not in page
    page = text(supervisor.get("/console/?tab=replies"))
    assert "待审核的答复" in page


def test_the_queue_counts_match_the_tickets_in_each_queue(world, supervisor):
    for _ in range(3):
        file_ticket(world)
    returned = advance(world, file_ticket(world), State.DISPATCHED)
    workflow.perform(returned, "return", world.handler, reason="不归我们管", basis="三定方案")
    db.session.commit()
    page = text(supervisor.get("/console/"))
    assert 'To accept<span class="count">3</span>' in page
    assert 'Returns<span class="count">1</span>' in page
    assert 'To dispatch<span class="count">0</span>' in page
    assert 'All tickets<span class="count">4</span>' in page


def test_an_unknown_tab_shows_the_acceptance_queue(world, supervisor):
    file_ticket(world, title="刚提交的诉求")
    db.session.commit()
    assert "刚提交的诉求" in text(supervisor.get("/console/?tab=nonsense"))


def test_overdue_tickets_are_listed_with_their_warning_colour(world, supervisor):
    long_ago = now() - timedelta(days=60)
    late = advance(world, file_ticket(world, title="早已逾期的诉求", at=long_ago), State.IN_PROGRESS, at=long_ago)
    advance(world, file_ticket(world, title="按时办理中的诉求"), State.IN_PROGRESS)
    db.session.commit()

    page = text(supervisor.get("/console/?tab=overdue"))
    assert "早已逾期的诉求" in page and "按时办理中的诉求" not in page
    assert "warn-red" in page and "Seriously overdue" in page
    assert late.handle_due < now()


def test_pending_extensions_and_open_orders_have_their_queues(world, supervisor):
    ticket = advance(world, file_ticket(world, title="申请延期的诉求"), State.IN_PROGRESS)
    new_due = load_calendar().add_working_days(ticket.handle_due.date(), 5)
    workflow.perform(ticket, "request_extension", world.handler, new_due=new_due, reason="需要现场核查")
    ordered = advance(world, file_ticket(world, title="被督办的诉求"), State.IN_PROGRESS)
    workflow.perform(
        ordered,
        "issue_order",
        world.supervisor,
        level="key",
        deadline=date.today() + timedelta(days=3),
        note="三日内答复",
    )
    db.session.commit()

    page = text(supervisor.get("/console/?tab=extensions"))
    assert "申请延期的诉求" in page and new_due.isoformat() in page and "被督办的诉求" not in page
    page = text(supervisor.get("/console/?tab=orders"))
    assert "被督办的诉求" in page and "Key supervision" in page and "申请延期的诉求" not in page


def test_the_publish_queue_holds_accepted_consenting_tickets_and_closed_results(world, supervisor):
    advance(world, file_ticket(world, title="可公开未公开"), State.DISPATCHED)
    advance(world, file_ticket(world, title="不同意公开", publish_consent=False), State.DISPATCHED)
    file_ticket(world, title="尚未受理")
    closed = advance(world, file_ticket(world, title="已办结待晒结果"), State.CLOSED)
    workflow.perform(closed, "publish", world.supervisor, public_title="题", public_summary="摘要")
    done = publish(world, advance(world, file_ticket(world, title="已全部公开"), State.CLOSED))
    db.session.commit()

    page = text(supervisor.get("/console/?tab=to_publish"))
    assert "可公开未公开" in page and "已办结待晒结果" in page
    assert "不同意公开" not in page and "尚未受理" not in page and "已全部公开" not in page
    assert done.result_published_at is not None


def test_all_tickets_can_be_filtered_by_state_unit_category_source_and_text(world, supervisor):
    school = advance(world, file_ticket(world, title="入学问题"), State.DISPATCHED)
    file_ticket(world, category=world.hiring, title="招聘问题", source=Source.HOTLINE)
    db.session.commit()

    page = text(supervisor.get("/console/?tab=all"))
    assert "入学问题" in page and "招聘问题" in page
    page = text(supervisor.get("/console/?tab=all&state=dispatched"))
    assert "入学问题" in page and "招聘问题" not in page
    page = text(supervisor.get(f"/console/?tab=all&unit={world.edu.id}"))
    assert "入学问题" in page and "招聘问题" not in page
    page = text(supervisor.get(f"/console/?tab=all&category={world.hiring.id}"))
    assert "招聘问题" in page and "入学问题" not in page
    page = text(supervisor.get(f"/console/?tab=all&category={world.public_services.id}"))
    assert "招聘问题" in page and "入学问题" in page
    page = text(supervisor.get("/console/?tab=all&source=hotline"))
    assert "招聘问题" in page and "入学问题" not in page
    page = text(supervisor.get(f"/console/?tab=all&q={school.tracking_no}"))
    assert "入学问题" in page and "招聘问题" not in page
    page = text(supervisor.get("/console/?tab=all&q=招聘"))
    assert "招聘问题" in page and "入学问题" not in page
    page = text(supervisor.get("/console/?tab=all&q=%25"))  # a LIKE wildcard is searched literally
    assert "招聘问题" not in page and "入学问题" not in page


def test_queues_page_by_keyset_25_at_a_time(world, supervisor):
    tickets = [file_ticket(world, title=f"诉求第{i:02d}号") for i in range(30)]
    db.session.commit()

    first = text(supervisor.get("/console/?tab=to_accept"))
    assert "诉求第29号" in first and "诉求第05号" in first and "诉求第04号" not in first
    assert f"after={tickets[5].id}" in first
    second = text(supervisor.get(f"/console/?tab=to_accept&after={tickets[5].id}"))
    assert "诉求第04号" in second and "诉求第00号" in second and "诉求第05号" not in second
    assert 'rel="next"' not in second


def test_a_queue_page_costs_the_same_queries_for_few_or_many_tickets(world, supervisor, app):
    def queries_for_page() -> int:
        count = 0

        def count_query(*args):
            nonlocal count
            count += 1

        event.listen(db.engine, "before_cursor_execute", count_query)
        try:
            assert supervisor.get("/console/?tab=all").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count_query)
        return count

    advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()
    few = queries_for_page()
    for category in (world.schooling, world.hiring, world.misc) * 4:
        advance(world, file_ticket(world, category=category, enterprise=world.rival), State.SUBMITTED)
    for _ in range(3):
        advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()
    db.session.expire_all()
    assert queries_for_page() <= few + 1


# ---------------------------------------------------------------- acceptance and dispatch


def test_accepting_a_routed_complaint_dispatches_it_to_the_rule_unit(world, supervisor, clock):
    ticket = file_ticket(world)
    db.session.commit()
    page = text(supervisor.get(f"/console/tickets/{ticket.id}"))
    assert f'action="/console/tickets/{ticket.id}/accept"' in page

    page = text(act(supervisor, ticket, "accept", note="请教育局办理"))
    assert "Done: Accepted." in page
    assert ticket.state == State.DISPATCHED and ticket.lead_unit == world.edu
    assert ticket.handle_due == deadlines.due_after(load_calendar(), AT, 15)
    assert ticket.events[-1].note == "请教育局办理"


def test_the_supervisor_may_override_the_routing_on_acceptance(world, supervisor):
    ticket = file_ticket(world)
    db.session.commit()
    act(supervisor, ticket, "accept", unit_id=world.hr.id)
    assert ticket.state == State.DISPATCHED and ticket.lead_unit == world.hr


def test_a_complaint_no_rule_fits_waits_for_dispatch_then_is_dispatched(world, supervisor):
    ticket = file_ticket(world, category=world.misc, title="无人认领的问题")
    db.session.commit()
    act(supervisor, ticket, "accept")
    assert ticket.state == State.AWAITING_DISPATCH and ticket.lead_unit is None
    assert "无人认领的问题" in text(supervisor.get("/console/?tab=dispatch_queue"))

    page = text(supervisor.get(f"/console/tickets/{ticket.id}"))
    assert world.office.name not in page.split('id="act-dispatch"')[1].split("</details>")[0]
    act(supervisor, ticket, "dispatch", unit_id=world.hr.id, limit_class="simple", handle_days=3, note="人社局牵头")
    assert ticket.state == State.DISPATCHED and ticket.lead_unit == world.hr
    assert ticket.limit_class == LimitClass.SIMPLE and ticket.handle_days == 3


def test_dispatching_without_a_unit_is_refused(world, supervisor):
    ticket = advance(world, file_ticket(world, category=world.misc), State.AWAITING_DISPATCH)
    db.session.commit()
    page = text(act(supervisor, ticket, "dispatch", unit_id=0, limit_class="standard"))
    assert "Choose an active unit" in page
    assert ticket.state == State.AWAITING_DISPATCH


def test_handle_days_out_of_range_is_shown_as_a_field_error_and_changes_nothing(world, supervisor):
    ticket = advance(world, file_ticket(world, category=world.misc), State.AWAITING_DISPATCH)
    db.session.commit()
    response = act(supervisor, ticket, "dispatch", unit_id=world.hr.id, limit_class="standard", handle_days=500)
    assert response.status_code == 400
    assert "Number must be between 1 and 90" in text(response)
    assert ticket.state == State.AWAITING_DISPATCH


def test_declining_needs_a_published_reason(world, supervisor):
    ticket = file_ticket(world)
    db.session.commit()
    page = text(act(supervisor, ticket, "decline", note="没有理由"))
    assert "Choose one of the published reasons" in page
    assert ticket.state == State.SUBMITTED and ticket.decline_reason is None

    act(supervisor, ticket, "decline", reason="litigation", note="已进入诉讼程序")
    assert ticket.state == State.DECLINED and ticket.decline_reason == "litigation"
    assert "The matter is before a court or arbitration" in text(supervisor.get(f"/console/tickets/{ticket.id}"))


def test_a_returned_ticket_is_re_dispatched_elsewhere(world, supervisor):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    workflow.perform(ticket, "return", world.handler, reason="属于人社职责", basis="三定方案第五条")
    db.session.commit()
    page = text(supervisor.get(f"/console/tickets/{ticket.id}"))
    assert "属于人社职责" in page and "三定方案第五条" in page and "Re-dispatch" in page

    act(supervisor, ticket, "dispatch", unit_id=world.hr.id, limit_class="standard")
    assert ticket.state == State.DISPATCHED and ticket.lead_unit == world.hr and ticket.return_count == 1


def test_a_return_can_be_rejected_with_a_reason(world, supervisor):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    workflow.perform(ticket, "return", world.handler, reason="不归我们管", basis="无")
    db.session.commit()
    page = text(act(supervisor, ticket, "reject_return"))
    assert "Say why the unit must handle the ticket" in page and ticket.state == State.RETURNED

    act(supervisor, ticket, "reject_return", note="入学属于教育局职责")
    assert ticket.state == State.DISPATCHED and ticket.lead_unit == world.edu


# ---------------------------------------------------------------- handling


def _with_extension_request(world) -> tuple[Ticket, date]:
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    new_due = load_calendar().add_working_days(ticket.handle_due.date(), 5)
    workflow.perform(ticket, "request_extension", world.handler, new_due=new_due, reason="需要协调多个学校")
    db.session.commit()
    return ticket, new_due


def test_a_granted_extension_moves_the_due_date_to_the_end_of_the_requested_day(world, supervisor):
    ticket, new_due = _with_extension_request(world)
    page = text(supervisor.get(f"/console/tickets/{ticket.id}"))
    assert "需要协调多个学校" in page and new_due.isoformat() in page and "Pending" in page

    act(supervisor, ticket, "grant_extension", note="同意")
    assert ticket.handle_due == datetime.combine(new_due, deadlines.END_OF_DAY)
    assert ticket.extension_count == 1 and ticket.extension_requests[0].status == "granted"
    assert "Granted" in text(supervisor.get(f"/console/tickets/{ticket.id}"))


def test_a_refused_extension_needs_a_reason_and_keeps_the_due_date(world, supervisor):
    ticket, _ = _with_extension_request(world)
    due = ticket.handle_due
    page = text(act(supervisor, ticket, "refuse_extension"))
    assert "Say why the extension is refused" in page
    assert ticket.extension_requests[0].status == "pending"

    act(supervisor, ticket, "refuse_extension", note="期限足够")
    assert ticket.extension_requests[0].status == "refused" and ticket.handle_due == due
    assert ticket.extension_count == 0


def test_a_reply_is_sent_back_to_the_unit(world, supervisor):
    ticket = advance(world, file_ticket(world), State.REPLIED)
    db.session.commit()
    page = text(supervisor.get(f"/console/tickets/{ticket.id}"))
    assert "已协调学位" in page

    act(supervisor, ticket, "send_back", note="答复未说明具体学校")
    assert ticket.state == State.IN_PROGRESS
    assert ticket.events[-1].action == "send_back" and not ticket.events[-1].public


def test_approving_a_reply_asks_the_enterprise_to_rate_within_seven_days(world, supervisor, clock):
    ticket = advance(world, file_ticket(world), State.REPLIED)
    db.session.commit()
    act(supervisor, ticket, "approve_reply")
    assert ticket.state == State.AWAITING_RATING
    assert ticket.rate_due == deadlines.rate_due_after(AT)


def _badly_rated(world) -> Ticket:
    ticket = advance(world, file_ticket(world), State.AWAITING_RATING)
    workflow.perform(ticket, "rate", world.enterprise_user, rating=1, solved=False, comment="根本没解决")
    db.session.commit()
    return ticket


def test_a_bad_rating_can_be_reopened_with_a_new_deadline(world, supervisor, clock):
    ticket = _badly_rated(world)
    assert "根本没解决" in text(supervisor.get("/console/?tab=ratings"))

    act(supervisor, ticket, "reopen", note="请重新协调学位", handle_days=5)
    assert ticket.state == State.IN_PROGRESS and ticket.reopen_count == 1
    assert ticket.handle_due == deadlines.due_after(load_calendar(), AT, 5)
    assert ticket.rating is None


def test_a_bad_rating_can_be_answered_by_upholding_the_units_appeal(world, supervisor):
    ticket = _badly_rated(world)
    page = text(act(supervisor, ticket, "uphold"))
    assert "Give the reason for upholding" in page and ticket.state == State.RATING_REVIEW

    act(supervisor, ticket, "uphold", note="学位已按政策安排")
    assert ticket.state == State.CLOSED and ticket.closed_at is not None


# ---------------------------------------------------------------- supervision and merging


def test_a_supervision_order_is_issued_and_shown(world, supervisor):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()
    deadline = date.today() + timedelta(days=5)
    act(supervisor, ticket, "issue_order", level="listed", deadline=deadline.isoformat(), note="限期办结")
    order = db.session.scalar(select(SupervisionOrder))
    assert order.ticket_id == ticket.id and order.level == "listed" and order.deadline == deadline

    page = text(supervisor.get(f"/console/tickets/{ticket.id}"))
    assert "Listed supervision" in page and "限期办结" in page and "Not answered" in page


def test_a_supervision_order_needs_a_level(world, supervisor):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()
    page = text(act(supervisor, ticket, "issue_order", deadline=date.today().isoformat(), note="快办"))
    assert "Choose the level of supervision" in page
    assert db.session.scalar(select(func.count()).select_from(SupervisionOrder)) == 0


def test_a_duplicate_is_merged_into_another_open_ticket(world, supervisor):
    target = advance(world, file_ticket(world, title="原诉求"), State.IN_PROGRESS)
    duplicate = file_ticket(world, title="重复诉求")
    db.session.commit()
    page = text(act(supervisor, duplicate, "merge", into="0000", note="重复"))
    assert "Give the tracking number of another open ticket" in page and duplicate.state == State.SUBMITTED

    act(supervisor, duplicate, "merge", into=target.tracking_no, note="与原诉求相同")
    assert duplicate.state == State.MERGED and duplicate.merged_into == target
    assert target.events[-1].action == "merged_from"
    assert target.tracking_no in text(supervisor.get(f"/console/tickets/{duplicate.id}"))


# ---------------------------------------------------------------- disclosure


def test_the_publish_form_is_prefilled_with_a_masked_draft(world, supervisor):
    description = "襄阳市恒达精密制造有限公司职工子女没有学位，电话13912345678。"
    ticket = advance(world, file_ticket(world, description=description), State.DISPATCHED)
    db.session.commit()
    page = text(supervisor.get(f"/console/tickets/{ticket.id}"))
    form = page.split('id="act-publish"')[1].split("</details>")[0]
    assert "13912345678" not in form and "恒达精密" not in form
    assert "某某职工子女没有学位" in form and "＊＊＊" in form
    assert "masked automatically" in form


def test_publishing_sets_the_public_texts_and_republishing_edits_them(world, supervisor):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    db.session.commit()
    act(supervisor, ticket, "publish", public_title="职工子女入学难", public_summary="某企业反映职工子女没有学位。")
    assert ticket.published_at is not None and ticket.public_title == "职工子女入学难"
    first = ticket.published_at

    page = text(supervisor.get(f"/console/tickets/{ticket.id}"))
    assert "Edit the published problem" in page
    act(supervisor, ticket, "publish", public_title="入学难", public_summary="修改后的摘要。")
    assert ticket.public_title == "入学难" and ticket.published_at == first
    assert ticket.events[-1].data == {"republished": True}


def test_a_complaint_without_consent_cannot_be_published(world, supervisor):
    ticket = advance(world, file_ticket(world, publish_consent=False), State.DISPATCHED)
    db.session.commit()
    assert 'id="act-publish"' not in text(supervisor.get(f"/console/tickets/{ticket.id}"))

    page = text(act(supervisor, ticket, "publish", public_title="题", public_summary="摘要"))
    assert "did not agree to publish" in page
    assert ticket.published_at is None


def test_the_result_of_a_closed_published_ticket_is_published(world, supervisor):
    ticket = advance(world, file_ticket(world), State.CLOSED)
    workflow.perform(ticket, "publish", world.supervisor, public_title="题", public_summary="摘要")
    db.session.commit()
    page = text(supervisor.get(f"/console/tickets/{ticket.id}"))
    assert "已协调学位，孩子已入学。" in page.split('id="act-publish_result"')[1].split("</details>")[0]

    act(supervisor, ticket, "publish_result", public_reply="已协调学位。")
    assert ticket.result_published_at is not None and ticket.public_reply == "已协调学位。"


def test_a_published_ticket_can_be_withdrawn(world, supervisor):
    ticket = publish(world, advance(world, file_ticket(world), State.DISPATCHED))
    db.session.commit()
    act(supervisor, ticket, "unpublish", note="企业要求撤下")
    assert ticket.published_at is None


def test_a_redaction_term_is_added_and_masks_the_draft(world, supervisor):
    ticket = advance(world, file_ticket(world, description="恒达小王说没有学位。"), State.DISPATCHED)
    db.session.commit()
    act(supervisor, ticket, "add_redaction_term", term="小王")
    assert [t.term for t in db.session.scalars(select(RedactionTerm))] == ["小王"]

    page = text(supervisor.get(f"/console/tickets/{ticket.id}"))
    form = page.split('id="act-publish"')[1].split("</details>")[0]
    assert "小王" not in form and "恒达某某说没有学位" in form


# ---------------------------------------------------------------- the page itself


def test_the_ticket_page_shows_the_timeline_with_actors_and_visibility(world, supervisor):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    workflow.perform(ticket, "note", world.handler, note="已联系学校")
    db.session.commit()
    page = text(supervisor.get(f"/console/tickets/{ticket.id}"))
    assert world.handler.name in page and world.supervisor.name in page
    assert "已联系学校" in page and "Internal" in page and "Public" in page
    assert world.acme.credit_code in page and ticket.retrieval_code in page


def test_a_page_acted_on_by_someone_else_is_refused_as_stale(world, supervisor):
    ticket = file_ticket(world)
    db.session.commit()
    response = supervisor.post(
        f"/console/tickets/{ticket.id}/accept", data={"version": ticket.version - 1}, follow_redirects=True
    )
    assert "Someone else changed this ticket" in text(response)
    assert ticket.state == State.SUBMITTED


def test_an_action_not_open_in_this_state_is_refused(world, supervisor):
    ticket = advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()
    page = text(act(supervisor, ticket, "accept"))
    assert "no longer in a state" in page and ticket.state == State.IN_PROGRESS


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_action_panels_carry_a_csrf_token_and_posts_without_one_are_refused(world, supervisor, csrf_on):
    ticket = file_ticket(world)
    db.session.commit()
    response = supervisor.post(f"/console/tickets/{ticket.id}/accept", data={"version": ticket.version})
    assert response.status_code == 400 and ticket.state == State.SUBMITTED

    page = text(supervisor.get(f"/console/tickets/{ticket.id}"))
    token = re.search(r'name="accept-csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    supervisor.post(
        f"/console/tickets/{ticket.id}/accept", data={"accept-csrf_token": token, "version": ticket.version}
    )
    assert ticket.state == State.DISPATCHED


def test_unknown_actions_and_tickets_are_not_found(world, supervisor):
    ticket = file_ticket(world)
    db.session.commit()
    assert supervisor.post(f"/console/tickets/{ticket.id}/sign").status_code == 404
    assert supervisor.get("/console/tickets/999999").status_code == 404


# ---------------------------------------------------------------- staff intake


def test_staff_register_a_hotline_complaint(world, supervisor):
    page = text(supervisor.get("/console/intake"))
    assert 'name="submission_key"' in page and world.acme.name in page and "Hotline" in page

    response = supervisor.post("/console/intake", data=intake_data(world))
    ticket = db.session.scalar(select(Ticket))
    assert response.status_code == 302 and response.location.endswith(f"/console/tickets/{ticket.id}")
    assert ticket.source == Source.HOTLINE and ticket.filed_by == world.supervisor
    assert ticket.enterprise == world.acme and ticket.state == State.SUBMITTED and ticket.publish_consent
    page = text(supervisor.get(response.location))
    assert ticket.tracking_no in page and ticket.retrieval_code in page


def test_a_double_submitted_intake_files_one_ticket(world, supervisor):
    supervisor.post("/console/intake", data=intake_data(world))
    supervisor.post("/console/intake", data=intake_data(world))
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_intake_finds_the_enterprise_by_name_and_keeps_attachments(world, supervisor):
    data = intake_data(world, enterprise=world.rival.name, source="media", publish_consent="")
    data["files"] = (io.BytesIO(b"%PDF-1.4\n%test document\n"), "report.pdf")
    response = supervisor.post("/console/intake", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert ticket.enterprise == world.rival and ticket.source == Source.MEDIA and not ticket.publish_consent
    attachment = db.session.scalar(select(Attachment))
    assert attachment.ticket_id == ticket.id and attachment.filename == "report.pdf"


def test_intake_refuses_an_unknown_enterprise_and_a_bad_file(world, supervisor):
    response = supervisor.post("/console/intake", data=intake_data(world, enterprise="不存在的公司"))
    assert response.status_code == 200 and "No registered company" in text(response)
    data = intake_data(world)
    data["files"] = (io.BytesIO(b"just some text"), "notes.txt")
    response = supervisor.post("/console/intake", data=data, content_type="multipart/form-data")
    assert "is not a JPEG, PNG, PDF" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_intake_refuses_the_online_channel(world, supervisor):
    response = supervisor.post("/console/intake", data=intake_data(world, source="online"))
    assert response.status_code == 200 and "Not a valid choice" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


# ---------------------------------------------------------------- who may enter


@pytest.mark.parametrize("role", ["handler", "leader", "enterprise_user", "cadre", "admin"])
def test_only_the_supervisor_may_use_the_console(world, login, role):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    db.session.commit()
    client = login(getattr(world, role))
    assert client.get("/console/").status_code == 403
    assert client.get(f"/console/tickets/{ticket.id}").status_code == 403
    assert client.get("/console/intake").status_code == 403
    assert client.post("/console/intake", data=intake_data(world)).status_code == 403
    assert (
        client.post(
            f"/console/tickets/{ticket.id}/dispatch", data={"dispatch-unit_id": world.hr.id, "version": ticket.version}
        ).status_code
        == 403
    )
    assert ticket.lead_unit == world.edu
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 1


def test_anonymous_visitors_are_sent_to_the_login_page(world, client):
    ticket = file_ticket(world)
    db.session.commit()
    for url in ("/console/", f"/console/tickets/{ticket.id}", "/console/intake"):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.location
    response = client.post(f"/console/tickets/{ticket.id}/accept", data={"version": ticket.version})
    assert response.status_code == 302 and ticket.state == State.SUBMITTED


def test_intake_registers_a_company_the_platform_does_not_know(world, supervisor):
    from tests.factories import valid_credit_code

    code = valid_credit_code(424242)
    response = supervisor.post(
        "/console/intake",
        data=intake_data(world, enterprise=code, new_company="襄阳市新来科技有限公司", new_company_industry="信息技术"),
    )
    assert response.status_code == 302
    ticket = db.session.scalar(select(Ticket))
    assert ticket.enterprise.credit_code == code and ticket.enterprise.name == "襄阳市新来科技有限公司"
    assert ticket.enterprise.industry == "信息技术" and ticket.enterprise.contact_mobile == "13912345678"


def test_intake_does_not_register_a_company_with_an_invalid_code(world, supervisor):
    before = db.session.scalar(select(func.count()).select_from(Enterprise))
    response = supervisor.post(
        "/console/intake", data=intake_data(world, enterprise="91420600000000000X", new_company="无效代码公司")
    )
    assert "not a valid unified social credit code" in text(response)
    assert db.session.scalar(select(func.count()).select_from(Enterprise)) == before
    assert db.session.scalar(select(func.count()).select_from(Ticket)) == 0


def test_the_supervisor_adds_a_companys_aliases_and_they_are_masked_in_public(world, supervisor):
    ticket = advance(world, file_ticket(world), State.DISPATCHED)
    workflow.perform(
        ticket, "publish", world.supervisor, public_title="入学难", public_summary="恒达精密反映职工子女入学难"
    )
    db.session.commit()
    response = supervisor.post(
        f"/console/enterprises/{world.acme.id}/aliases", data={"aliases": "恒达精密\n\n恒达精密\n"}
    )
    assert response.status_code == 302 and world.acme.aliases == "恒达精密"
    page = supervisor.get(f"/disclosure/{ticket.tracking_no}").get_data(as_text=True)
    assert "恒达精密" not in page
    assert supervisor.get("/console/enterprises/999999/aliases").status_code == 404
