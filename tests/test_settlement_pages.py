"""The settlement in the console and in public: preview, weights, site tour, settle, adjust and the
notice for supervisors; the frozen ranking, its definitions and a unit's history for everyone."""

import io
from datetime import datetime

import docx
import pytest
from sqlalchemy import func, select

from supervise.domain import subscribers
from supervise.domain.clock import frozen
from supervise.domain.measures import cells
from supervise.domain.settlement.figures import FIGURES
from supervise.extensions import db
from supervise.models import Adjustment, ScoringScheme, Settlement, SiteTourScore
from tests.factories import dispatched, handled

AFTER_Q1 = datetime(2026, 4, 3, 10)


@pytest.fixture(autouse=True)
def _subscribed():
    subscribers.connect_all()


@pytest.fixture
def office(world, login):
    handled(world, dispatched(world, world.schooling), world.handler, rating=5)
    handled(world, dispatched(world, world.hiring), world.hr_handler, rating=2, solved=False)
    cells.refresh_all(AFTER_Q1)
    db.session.commit()
    with frozen(AFTER_Q1):
        yield login(world.supervisor)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_supervisor_previews_a_quarter_and_saves_a_new_scheme_version(office, world):
    page = office.get("/console/quarters/2026-Q1").text
    assert world.edu.name in page and world.hr.name in page
    weights = {f"scheme-w_{key}": "0" for key in FIGURES}
    weights |= {"scheme-w_satisfaction": "5", "scheme-note": "只看满意度"}
    assert office.post("/console/quarters/2026-Q1/scheme", data=weights).status_code == 302
    assert db.session.scalar(select(ScoringScheme.version)) == 1


def test_a_bad_weight_is_refused_with_a_message_and_nothing_saved(office):
    response = office.post("/console/quarters/2026-Q1/scheme", data={"scheme-w_satisfaction": "500"})
    assert response.status_code == 400 and "field-error" in response.text
    assert count(ScoringScheme) == 0


def test_the_site_tour_score_is_entered_once_per_unit_and_site(office, world):
    data = {"tour-unit_id": str(world.hr.id), "tour-site": "新能源电池项目", "tour-score": "88.5"}
    assert office.post("/console/quarters/2026-Q1/site-tour", data=data).status_code == 302
    assert office.post("/console/quarters/2026-Q1/site-tour", data=data).status_code == 400
    bad = data | {"tour-site": "数据中心", "tour-score": "120"}
    assert office.post("/console/quarters/2026-Q1/site-tour", data=bad).status_code == 400
    assert count(SiteTourScore) == 1


def test_settling_freezes_the_quarter_and_a_second_click_changes_nothing(office):
    assert office.post("/console/quarters/2026-Q1/settle").status_code == 302
    assert office.post("/console/quarters/2026-Q1/settle").status_code == 302  # a double click
    assert count(Settlement) == 1
    assert "notice.docx" in office.get("/console/quarters/2026-Q1").text


def test_a_quarter_not_over_cannot_be_settled(office):
    office.post("/console/quarters/2026-Q2/settle")
    assert count(Settlement) == 0


def test_an_adjustment_needs_its_reason_and_is_then_recorded(office, world):
    office.post("/console/quarters/2026-Q1/settle")
    card = db.session.scalars(select(Settlement)).one().scorecards[-1]
    url = f"/console/quarters/2026-Q1/scorecards/{card.id}/adjust"
    missing = office.post(url, data={f"adjust-{card.id}-points": "2", f"adjust-{card.id}-reason": ""})
    assert missing.status_code == 400 and count(Adjustment) == 0
    done = office.post(url, data={f"adjust-{card.id}-points": "2", f"adjust-{card.id}-reason": "核减系统故障影响"})
    assert done.status_code == 302 and count(Adjustment) == 1
    assert office.post(f"/console/quarters/2026-Q2/scorecards/{card.id}/adjust").status_code == 404


def test_the_notice_downloads_as_an_editable_document(office, world):
    office.post("/console/quarters/2026-Q1/settle")
    response = office.get("/console/quarters/2026-Q1/notice.docx")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    document = docx.Document(io.BytesIO(response.data))
    assert world.edu.name in "\n".join(c.text for row in document.tables[0].rows for c in row.cells)
    assert office.get("/console/quarters/2026-Q2/notice.xlsx").status_code == 404  # not settled


def test_the_public_sees_the_frozen_ranking_with_definitions_and_no_enterprise(office, world, app):
    office.post("/console/quarters/2026-Q1/settle")
    client = app.test_client()  # a visitor without an account
    public = client.get("/quarters/2026-Q1")
    page = public.text
    assert public.status_code == 200 and world.edu.name in page and 'id="def-satisfaction"' in page
    assert world.acme.name not in page and world.rival.name not in page
    assert world.edu.name in client.get("/quarters").text
    history = client.get(f"/units/{world.edu.id}/quarters").text
    assert "/quarters/2026-Q1" in history
    assert client.get("/quarters/2026-Q2").status_code == 404
    assert client.get("/quarters/2026-13").status_code == 404
