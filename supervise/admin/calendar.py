"""Administration of the working-day calendar: the year's grid, corrected days, loading from the package."""

import calendar as stdlib_calendar
from dataclasses import dataclass
from datetime import date

from babel.dates import get_day_names
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from supervise.admin import bp
from supervise.admin.forms import CalendarDayClearForm, CalendarDayForm, CalendarSyncForm
from supervise.domain import calendar_admin
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.jobs import calendar as calendar_jobs
from supervise.models import CalendarChange, CalendarDay, Role, User
from supervise.web import roles_required


@dataclass
class DayCell:
    day: date | None
    kind: str = ""  # work | weekend | holiday | makeup
    name: str = ""
    corrected: bool = False


def _year_arg() -> int:
    year = request.args.get("year", type=int)
    return year if year and 2000 <= year <= 2100 else now().year


def _month_grid(year: int, rows: dict[date, CalendarDay]) -> list[tuple[str, list[list[DayCell]]]]:
    """Twelve months as weeks (Monday first) of cells coloured by the stored calendar."""
    cal = load_calendar()
    months = []
    for month in range(1, 13):
        weeks = []
        for week in stdlib_calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells = []
            for day in week:
                if day.month != month:
                    cells.append(DayCell(None))
                    continue
                working, weekend = cal.is_working_day(day), day.weekday() >= 5
                kind = ("makeup" if weekend else "work") if working else ("weekend" if weekend else "holiday")
                row = rows.get(day)
                cells.append(DayCell(day, kind, row.name if row else "", bool(row and row.source == "admin")))
            weeks.append(cells)
        months.append((format_date(date(year, month, 1), "LLLL"), weeks))
    return months


def _render_calendar(year: int, form: CalendarDayForm):
    rows = db.session.scalars(
        select(CalendarDay)
        .where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
        .order_by(CalendarDay.day)
    ).all()
    user_ids = {r.updated_by_id for r in rows if r.updated_by_id}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(user_ids)))} if user_ids else {}
    weekdays = get_day_names("abbreviated", context="stand-alone", locale=get_locale())
    return render_template(
        "admin/calendar.html",
        year=year,
        rows=rows,
        users=users,
        form=form,
        weekday_names=[weekdays[i] for i in range(7)],
        weekday_of={r.day: weekdays[r.day.weekday()] for r in rows},
        months=_month_grid(year, {r.day: r for r in rows}),
        clear_form=CalendarDayClearForm(formdata=None),
        sync_form=CalendarSyncForm(formdata=None, year=str(year)),
    )


def _commit_and_move_due_dates() -> None:
    """Commit the change; the open tickets' due dates follow it in a job (after the commit)."""
    db.session.flush()
    latest = db.session.scalar(select(CalendarChange.id).order_by(CalendarChange.id.desc()).limit(1))
    db.session.commit()
    if latest is not None:
        calendar_jobs.hand_over(latest)
        flash(_("The due dates of the open tickets follow the change."), "info")


@bp.route("/calendar", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def calendar():
    year = _year_arg()
    form = CalendarDayForm()
    if form.validate_on_submit():
        day = form.day.data
        calendar_admin.set_day(day, form.is_workday.data == "1", (form.name.data or "").strip(), current_user)
        _commit_and_move_due_dates()
        status = _("a working day") if form.is_workday.data == "1" else _("a day off")
        flash(_("%(day)s is now %(status)s.", day=day.isoformat(), status=status), "success")
        return redirect(url_for("admin.calendar", year=day.year))
    return _render_calendar(year, form)


@bp.route("/calendar/clear", methods=["POST"])
@roles_required(Role.ADMIN)
def calendar_clear():
    form = CalendarDayClearForm()
    if not form.validate_on_submit():
        abort(400)
    calendar_admin.clear_day(form.day.data, current_user)
    _commit_and_move_due_dates()
    flash(_("%(day)s follows the weekend rule again.", day=form.day.data.isoformat()), "success")
    return redirect(url_for("admin.calendar", year=form.day.data.year))


@bp.route("/calendar/sync", methods=["POST"])
@roles_required(Role.ADMIN)
def calendar_sync():
    form = CalendarSyncForm()
    if not form.validate_on_submit() or not 2000 <= int(form.year.data) <= 2100:
        abort(400)
    year = int(form.year.data)
    # One year at a time so that a year the package does not know yet can be named.
    loaded = {y: calendar_admin.sync_from_package([y], current_user, moves_due_dates=True) for y in (year, year + 1)}
    _commit_and_move_due_dates()
    flash(
        _(
            "Loaded %(count)d days from the calendar package (%(detail)s).",
            count=sum(loaded.values()),
            detail=", ".join(f"{y}: {n}" for y, n in loaded.items()),
        ),
        "success",
    )
    for y, n in loaded.items():
        if n == 0:
            flash(
                _(
                    "No days were found for %(year)d: the package may not know that year yet. Enter its holidays "
                    "and make-up working days by hand, or load again after the package is updated.",
                    year=y,
                ),
                "warning",
            )
    return redirect(url_for("admin.calendar", year=year))
