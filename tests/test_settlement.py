"""The quarter's settlement (一季一结账): units scored from measured figures by a versioned scheme,
settled after the quarter ends, frozen against later changes, corrected only by recorded adjustments,
and its notice written as .docx and XLSX from what was settled."""

import io
from datetime import date, datetime, timedelta
from decimal import Decimal

import docx
import openpyxl
import pytest
from sqlalchemy import select

from supervise.domain import settlement, subscribers
from supervise.domain.measures import cells
from supervise.domain.measures.periods import Period
from supervise.domain.settlement import notice
from supervise.extensions import db
from supervise.models import SiteTourScore, Ticket
from tests.factories import MONDAY, dispatched, handled

Q1 = Period("quarter", 2026, 1)
AFTER_Q1 = datetime(2026, 4, 3, 10)
ONLY_TIMELINESS = {"signed_on_time": 1, "replied_on_time": 1}


@pytest.fixture(autouse=True)
def _subscribed():
    subscribers.connect_all()


@pytest.fixture
def quarter(world):
    """Q1 2026: the education bureau signs and replies on time and is rated satisfied twice; the human
    resources bureau signs one of two late (replying on time) and leaves a third unsigned (overdue when the
    quarter ends)."""
    for _ in range(2):
        handled(world, dispatched(world, world.schooling), world.handler, rating=4)
    handled(world, dispatched(world, world.hiring), world.hr_handler, rating=5)
    late = dispatched(world, world.hiring)
    signed = MONDAY + timedelta(days=3)
    handled(world, late, world.hr_handler, sign_at=signed, reply_at=signed + timedelta(hours=1), rating=5)
    dispatched(world, world.hiring)  # never signed: open and overdue at the end of March
    cells.refresh_all(AFTER_Q1)
    db.session.commit()
    return world


def card_of(cards, unit):
    return next(c for c in cards if c.unit_id == unit.id)


def test_units_are_scored_from_their_measured_figures_with_the_schemes_weights(quarter):
    cards = settlement.preview(Q1, ONLY_TIMELINESS)
    edu, hr = card_of(cards, quarter.edu), card_of(cards, quarter.hr)
    assert edu.figures["signed_on_time"] == {"value": 1.0, "points": 100.0}
    assert hr.figures["signed_on_time"]["value"] == 0.5  # one of its two signings was late
    assert edu.score == Decimal("100.00")
    assert hr.score == Decimal("75.00")  # (50 + 100) / 2: its replies were on time
    assert (edu.rank, hr.rank) == (1, 2)


def test_a_count_scores_between_the_fewest_and_the_most_among_the_units(quarter):
    cards = settlement.preview(Q1, {"open_overdue": 1})
    assert card_of(cards, quarter.edu).figures["open_overdue"]["points"] == 100.0  # none open overdue
    assert card_of(cards, quarter.hr).figures["open_overdue"]["points"] == 0.0


def test_the_site_tour_adds_the_groups_average_score(quarter):
    for site, score in (("襄阳新能源电池项目", 90), ("高新区数据中心", 80)):
        db.session.add(SiteTourScore(year=2026, quarter=1, unit_id=quarter.hr.id, site=site, score=score))
    db.session.flush()
    cards = settlement.preview(Q1, {"site_tour": 1})
    assert [c.unit_id for c in cards] == [quarter.hr.id]  # the only unit toured
    assert cards[0].score == Decimal("85.00")


def test_editing_the_weights_writes_the_next_version(quarter):
    first = settlement.save_scheme(Q1, ONLY_TIMELINESS, "", quarter.supervisor, AFTER_Q1)
    second = settlement.save_scheme(Q1, {"satisfaction": 2}, "加大满意度权重", quarter.supervisor, AFTER_Q1)
    assert (first.version, second.version) == (1, 2)
    assert first.weights["signed_on_time"] == 1 and second.weights["signed_on_time"] == 0
    assert settlement.current_scheme(Q1) is second


@pytest.mark.parametrize("weights", [{"nonsense": 3}, {"satisfaction": -1}, {"satisfaction": 101}, {"satisfaction": 0}])
def test_bad_weights_are_refused(quarter, weights):
    with pytest.raises(settlement.SettlementError):
        settlement.save_scheme(Q1, weights, "", quarter.supervisor, AFTER_Q1)
    assert settlement.current_scheme(Q1) is None


def test_a_quarter_is_settled_only_after_its_end_and_only_once(quarter):
    with pytest.raises(settlement.SettlementError):
        settlement.settle(Q1, quarter.supervisor, datetime(2026, 3, 31, 18))
    settlement.settle(Q1, quarter.supervisor, AFTER_Q1)
    with pytest.raises(settlement.SettlementError):
        settlement.settle(Q1, quarter.supervisor, AFTER_Q1 + timedelta(days=1))
    with pytest.raises(settlement.SettlementError):
        settlement.save_scheme(Q1, ONLY_TIMELINESS, "", quarter.supervisor, AFTER_Q1)


def test_a_settled_quarter_is_frozen_against_later_changes(quarter):
    settlement.save_scheme(Q1, ONLY_TIMELINESS, "", quarter.supervisor, AFTER_Q1)
    settled = settlement.settle(Q1, quarter.supervisor, AFTER_Q1)
    db.session.commit()
    frozen = {c.unit_id: (c.score, c.rank, c.figures) for c in settled.scorecards}

    # After the settlement the late unit handles a March complaint and the measures change.
    open_one = db.session.scalar(select(Ticket).where(Ticket.lead_unit_id == quarter.hr.id, Ticket.signed_at.is_(None)))
    handled(quarter, open_one, quarter.hr_handler, at=AFTER_Q1)
    cells.refresh_all(AFTER_Q1 + timedelta(hours=3))
    db.session.commit()
    assert card_of(settlement.preview(Q1, ONLY_TIMELINESS), quarter.hr).score != frozen[quarter.hr.id][0]

    again = settlement.settlement_of(Q1)
    assert {c.unit_id: (c.score, c.rank, c.figures) for c in again.scorecards} == frozen


def test_a_correction_is_an_adjustment_with_reason_and_author_and_reranks(quarter):
    settlement.save_scheme(Q1, ONLY_TIMELINESS, "", quarter.supervisor, AFTER_Q1)
    settled = settlement.settle(Q1, quarter.supervisor, AFTER_Q1)
    hr = next(c for c in settled.scorecards if c.unit_id == quarter.hr.id)
    with pytest.raises(settlement.SettlementError):
        settlement.adjust(hr, "30", "", quarter.supervisor, AFTER_Q1)  # no reason
    with pytest.raises(settlement.SettlementError):
        settlement.adjust(hr, "abc", "理由", quarter.supervisor, AFTER_Q1)
    assert hr.adjustments == []

    settlement.adjust(hr, "20", "经核实，两件超时签收系系统故障所致", quarter.supervisor, AFTER_Q1)
    settlement.adjust(hr, "6", "拉练现场加分", quarter.supervisor, AFTER_Q1)
    assert hr.score == Decimal("75.00") and hr.adjusted == Decimal("101.00")
    assert hr.rank == 1 and [a.author_id for a in hr.adjustments] == [quarter.supervisor.id] * 2


def test_open_problems_are_carried_into_the_next_quarter_with_their_units(quarter):
    settled = settlement.settle(Q1, quarter.supervisor, AFTER_Q1)
    db.session.refresh(settled)
    assert [(p.unit_id, p.overdue) for p in settled.carried] == [(quarter.hr.id, True)]


def test_the_notice_reads_back_with_the_settled_figures(quarter):
    settlement.save_scheme(Q1, ONLY_TIMELINESS, "", quarter.supervisor, AFTER_Q1)
    settled = settlement.settle(Q1, quarter.supervisor, AFTER_Q1)
    db.session.refresh(settled)

    document = docx.Document(io.BytesIO(notice.docx_bytes(settled, AFTER_Q1)))
    ranking = document.tables[0]
    rows = [[cell.text for cell in row.cells] for row in ranking.rows[1:]]
    assert [(r[0], r[1], r[4]) for r in rows] == [
        (str(c.rank), c.unit_name, f"{c.adjusted:.2f}") for c in sorted(settled.scorecards, key=lambda c: c.rank)
    ]
    text = "\n".join(p.text for p in document.paragraphs)
    assert quarter.edu.name in text  # the best unit is named

    book = openpyxl.load_workbook(io.BytesIO(notice.xlsx_bytes(settled)))
    sheet_rows = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert [(r[1], r[4]) for r in sheet_rows] == [(c.unit_name, float(c.adjusted)) for c in settled.scorecards]
    carried = list(book.worksheets[2].iter_rows(min_row=2, values_only=True))
    assert len(carried) == 1 and carried[0][2] == quarter.hr.name


def test_a_units_history_lists_its_settled_quarters(quarter):
    settlement.settle(Q1, quarter.supervisor, AFTER_Q1)
    db.session.flush()
    [(settled, card, ranked)] = settlement.history(quarter.hr.id)
    assert (settled.quarter, card.unit_id, ranked) == (1, quarter.hr.id, 2)


def test_the_key_projects_duties_score_their_lead_unit(world):
    from supervise.domain.projects import register, reports
    from tests.test_projects import make_project, report_input

    q4 = Period("quarter", 2026, 4)
    project = make_project(world)  # led by edu
    register.add_milestone(project, "开工", date(2026, 11, 2), date(2026, 11, 1))  # met
    register.add_milestone(project, "封顶", date(2026, 11, 20))  # missed
    late = reports.report_for(project, "2026-11")
    reports.submit_report(late, report_input(), world.handler, at=datetime(2026, 11, 20, 9))
    db.session.flush()
    weights = {"project_reports_on_time": 1, "milestones_met": 1}
    edu = next(c for c in settlement.preview(q4, weights) if c.unit_id == world.edu.id)
    assert edu.figures["milestones_met"] == {"value": 0.5, "points": 50.0}
    assert edu.figures["project_reports_on_time"]["points"] < 100  # November's report came late
