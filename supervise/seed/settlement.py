"""The demo's quarters: the four quarters before today settled through the same rules a supervisor
uses (a scheme, the site tour's scores, the settlement, a recorded adjustment)."""

import random
from datetime import datetime, time, timedelta

from sqlalchemy import select

from supervise.domain import settlement
from supervise.domain.calendar import load_calendar
from supervise.domain.measures.periods import Period
from supervise.domain.settlement.figures import default_weights
from supervise.extensions import db
from supervise.models import Role, SiteTourScore, Unit, User

QUARTERS = 4
# Sites the evaluation group tours: the key projects and service points the units show.
SITES = (
    "新能源汽车动力电池产业园项目",
    "高新区企业服务中心",
    "智能装备制造基地二期",
    "襄阳数据中心项目",
    "航空航天配套产业园",
    "生物医药孵化基地",
    "政务服务大厅“一窗通办”专区",
    "汽车零部件检测中心",
)
SETTLE_AFTER_WORKING_DAYS = 5
ADJUSTMENT = ("2", "经复核，本季度两件超时签收系平台升级停机所致，按规定予以加分。")


def load_settlements(today: datetime, rng: random.Random) -> int:
    """Settle the four quarters before the one containing ``today``; returns how many were settled."""
    supervisor = db.session.scalar(select(User).where(User.role == Role.SUPERVISOR).order_by(User.id))
    units = list(db.session.scalars(select(Unit).where(Unit.handles_tickets).order_by(Unit.sort, Unit.id)))
    if supervisor is None or not units:
        return 0
    cal = load_calendar()
    current = Period.containing(today.date())
    settled = 0
    for steps in range(QUARTERS, 0, -1):
        period = current.shift(-steps)
        if settlement.settlement_of(period) is not None:
            continue
        settle_day = cal.add_working_days(period.end, SETTLE_AFTER_WORKING_DAYS)
        at = datetime.combine(settle_day, time(16, 30))
        _site_tour(period, units, supervisor, at - timedelta(days=3), rng)
        weights = default_weights()
        settlement.save_scheme(period, weights, "", supervisor, at - timedelta(days=10))
        if steps == 2:  # one quarter's weights were revised before it was settled
            weights = weights | {"first_satisfaction": 20, "satisfaction": 5}
            settlement.save_scheme(period, weights, "首次满意率权重提高至20分", supervisor, at - timedelta(days=2))
        done = settlement.settle(period, supervisor, at)
        if steps == 1:  # the latest quarter carries a recorded correction
            points, reason = ADJUSTMENT
            settlement.adjust(done.scorecards[-1], points, reason, supervisor, at + timedelta(days=2))
        settled += 1
    return settled


def _site_tour(period: Period, units: list[Unit], author: User, at: datetime, rng: random.Random) -> None:
    """The evaluation group's scores of six units' sites on the quarter's tour."""
    for unit in rng.sample(units, min(6, len(units))):
        for site in rng.sample(SITES, 2):
            db.session.add(
                SiteTourScore(
                    year=period.year,
                    quarter=period.number,
                    unit_id=unit.id,
                    site=site,
                    score=rng.randint(72, 98),
                    note="现场查看项目推进和服务落实情况。",
                    entered_by_id=author.id,
                    entered_at=at,
                )
            )
    db.session.flush()
