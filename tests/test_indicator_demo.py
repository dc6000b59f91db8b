"""The demo's responsibility list: the 18 indicators with leading units and chiefs, 7 major and 41
minor tasks, and months of reports told through the domain — most on time, some late, some missing,
some with evidence — so that the board has done, overdue and red items to show."""

import random
from datetime import date, datetime

from sqlalchemy import func, select

from supervise import seed
from supervise.domain import indicator_board, notify
from supervise.domain.indicators import month_key
from supervise.extensions import db
from supervise.models import Indicator, Role, TaskLevel, TaskReport, TaskReportFile, TaskState
from supervise.seed.accounts import load_staff
from supervise.seed.indicators import load_indicators

NOW = datetime(2026, 12, 5, 9)


def test_the_demo_list_has_the_18_indicators_7_major_and_41_minor_tasks_and_their_reports(app):
    seed.load_reference()
    load_staff()
    with notify.suppressed():
        tasks = load_indicators(NOW, random.Random(7))
    db.session.commit()
    indicators = list(db.session.scalars(select(Indicator)))
    assert len(indicators) == 18
    assert all(i.lead_unit is not None and i.chief.role == Role.LEADER for i in indicators)
    assert sum(t.level == TaskLevel.MAJOR for t in tasks) == 7
    assert sum(t.level == TaskLevel.MINOR for t in tasks) == 41
    reports = list(db.session.scalars(select(TaskReport)))
    assert reports and any(r.late for r in reports) and any(not r.late for r in reports)
    assert db.session.scalar(select(func.count()).select_from(TaskReportFile)) > 0
    months = [month_key(date(2026, m, 1)) for m in range(2, 12)]
    minors = [t for t in tasks if t.level == TaskLevel.MINOR]
    missing = [
        (t, m)
        for t in minors
        for m in months
        if m <= month_key(t.done_at or NOW) and m not in {r.month for r in t.reports}
    ]
    assert missing  # some months were never reported
    assert any(t.state == TaskState.DONE for t in minors)
    board = indicator_board.board(2026, NOW.date())
    assert board.totals.tasks == 48 and board.totals.overdue > 0 and board.red_items
