"""Reply templates: kept by supervisors per category, offered to units in the reply form; choosing one
fills the reply text (server-side without a script)."""

from sqlalchemy import select

from supervise.extensions import db
from supervise.models import ReplyTemplate, State
from tests.factories import advance, file_ticket


def _in_progress(world, category=None):
    ticket = advance(world, file_ticket(world, category=category), State.IN_PROGRESS)
    db.session.commit()
    return ticket


def test_a_supervisor_creates_edits_and_deletes_a_template(world, login):
    client = login(world.supervisor)
    response = client.post(
        "/console/reply-templates",
        data={"category_id": world.schooling.id, "title": "学位已协调", "body": "已安排学位。"},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "学位已协调" in response.get_data(as_text=True)
    template = db.session.scalars(select(ReplyTemplate)).one()
    assert template.category == world.schooling and template.updated_by_id == world.supervisor.id
    client.post(
        f"/console/reply-templates/{template.id}",
        data={"category_id": world.public_services.id, "title": "学位已协调", "body": "已安排就近学位。"},
    )
    db.session.refresh(template)
    assert template.body == "已安排就近学位。" and template.category == world.public_services
    client.post(f"/console/reply-templates/{template.id}/delete")
    assert db.session.scalars(select(ReplyTemplate)).all() == []


def test_a_template_needs_a_category_a_title_and_a_text(world, login):
    response = login(world.supervisor).post(
        "/console/reply-templates", data={"category_id": 0, "title": "", "body": ""}
    )
    assert response.status_code == 200
    assert db.session.scalars(select(ReplyTemplate)).all() == []


def test_units_may_not_keep_templates(world, login):
    assert login(world.handler).get("/console/reply-templates").status_code == 403


def test_the_reply_form_offers_the_category_s_and_the_area_s_templates_only(world, login):
    db.session.add_all(
        [
            ReplyTemplate(category=world.schooling, title="学位已协调", body="已安排学位。"),
            ReplyTemplate(category=world.public_services, title="通用答复", body="已处理。"),
            ReplyTemplate(category=world.hiring, title="招聘会已安排", body="已安排专场招聘。"),
        ]
    )
    ticket = _in_progress(world)
    page = login(world.handler).get(f"/unit/tickets/{ticket.id}").get_data(as_text=True)
    assert "学位已协调" in page and "通用答复" in page and "招聘会已安排" not in page
    assert 'data-body="已安排学位。"' in page and "js/reply_templates.js" in page


def test_inserting_a_template_fills_the_reply_text_without_a_script_and_the_reply_is_sent(world, login):
    template = ReplyTemplate(category=world.schooling, title="学位已协调", body="经协调，已安排学位。")
    other = ReplyTemplate(category=world.hiring, title="招聘会已安排", body="已安排专场招聘。")
    db.session.add_all([template, other])
    ticket = _in_progress(world)
    client = login(world.handler)
    page = client.get(f"/unit/tickets/{ticket.id}?template={template.id}").get_data(as_text=True)
    assert "经协调，已安排学位。</textarea>" in page and 'id="panel-reply" open' in page
    page = client.get(f"/unit/tickets/{ticket.id}?template={other.id}").get_data(as_text=True)
    assert "已安排专场招聘。</textarea>" not in page  # another category's template is not offered
    client.post(
        f"/unit/tickets/{ticket.id}/reply",
        data={"version": ticket.version, "outcome": "resolved", "text": "经协调，已安排学位，孩子下周入学。"},
    )
    db.session.refresh(ticket)
    assert ticket.state == State.REPLIED and ticket.reply_text.startswith("经协调")
