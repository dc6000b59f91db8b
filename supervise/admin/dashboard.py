"""The administration home page: how many of each thing there are."""

from flask import render_template
from sqlalchemy import func, select

from supervise.admin import bp
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import CalendarDay, Category, Role, RoutingRule, Unit, User
from supervise.web import roles_required


@bp.route("/")
@roles_required(Role.ADMIN)
def index():
    def count(query) -> int:
        return db.session.scalar(query) or 0

    counts = {
        "units": count(select(func.count(Unit.id))),
        "areas": count(select(func.count(Category.id)).where(Category.parent_id.is_(None))),
        "categories": count(select(func.count(Category.id)).where(Category.parent_id.is_not(None))),
        "rules": count(select(func.count(RoutingRule.id)).where(RoutingRule.retired_at.is_(None))),
        "users": count(select(func.count(User.id))),
        "calendar": count(select(func.count(CalendarDay.day))),
    }
    return render_template("admin/index.html", counts=counts, year=now().year)
