"""A small responsibility list for the indicator tests: two indicators (the first chiefed by the
education bureau's leader), a major task of the education bureau and two minor tasks of the human
resources bureau, the street office co-operating on the first."""

from dataclasses import dataclass
from datetime import date, datetime

from supervise.domain import indicators
from supervise.extensions import db
from supervise.models import Indicator, Role, Task, TaskLevel, User
from tests.factories import World, make_user

LISTED = datetime(2026, 11, 2, 9)  # the list is made in November: reports are owed from December


@dataclass
class ListWorld:
    service: Indicator  # 政务服务, chief: world.leader
    hiring: Indicator  # 劳动力市场监管, no chief
    major: Task
    minor: Task  # hr's, street co-operating
    other_minor: Task  # hr's
    street_handler: User


def build_list(world: World, year: int = 2026) -> ListWorld:
    service = Indicator(
        code="ZB15", name="政务服务", lead_unit=world.edu, chief=world.leader, last_score=82.5, target_score=88
    )
    hiring = Indicator(code="ZB12", name="劳动力市场监管", lead_unit=world.hr, sort=2)
    db.session.add_all([service, hiring])
    year_list = indicators.list_for(year)
    major = Task(
        responsibility_list=year_list,
        indicator=service,
        level=TaskLevel.MAJOR,
        number=1,
        title="深化政务服务改革",
        responsible_unit=world.edu,
        deadline=date(year, 12, 31),
        created_at=LISTED,
    )
    minor = Task(
        responsibility_list=year_list,
        indicator=service,
        parent=major,
        level=TaskLevel.MINOR,
        number=2,
        title="推进就业服务“一件事”集成办理",
        responsible_unit=world.hr,
        co_units=[world.street],
        deadline=date(year, 12, 31),
        expected_result="上线集成服务事项5项",
        created_at=LISTED,
    )
    other_minor = Task(
        responsibility_list=year_list,
        indicator=hiring,
        parent=major,
        level=TaskLevel.MINOR,
        number=3,
        title="开展春风行动专项招聘",
        responsible_unit=world.hr,
        deadline=date(year, 12, 31),
        created_at=LISTED,
    )
    db.session.add_all([major, minor, other_minor])
    street_handler = make_user(Role.HANDLER, "street_handler", unit=world.street, name="吴街道")
    db.session.commit()
    return ListWorld(service, hiring, major, minor, other_minor, street_handler)
