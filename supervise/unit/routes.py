"""The unit workbench: a unit's tickets by tab, and a ticket page where handlers and leaders act."""

from dataclasses import dataclass
from datetime import datetime

from flask import flash, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import selectinload

from supervise import paging, storage, web
from supervise.domain import clocks, counts, reply_templates, scoped
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now
from supervise.models import Category, Role, State, SupervisionOrder, Ticket
from supervise.params import id_arg
from supervise.unit import bp
from supervise.unit.forms import FORMS

PAGE_SIZE = 25
UNIT_ROLES = (Role.HANDLER, Role.LEADER)


@dataclass(frozen=True)
class Tab:
    key: str
    label: object


TABS = [
    Tab("all", _l("All")),
    Tab("to_sign", _l("To sign")),
    Tab("in_progress", _l("In progress")),
    Tab("due_soon", _l("Due soon")),
    Tab("overdue", _l("Overdue")),
    Tab("replied", _l("Replied")),
    Tab("closed", _l("Closed")),
    Tab("orders", _l("Supervision orders")),
]
TAB_KEYS = {t.key for t in TABS}


# The tabs that are a set of states: counted from the kept counters, listed through the unit's indexes.
TAB_STATES: dict[str, frozenset[State]] = {
    "all": frozenset(State),
    "open": clocks.OPEN_STATES,
    "to_sign": frozenset({State.DISPATCHED}),
    "in_progress": clocks.AT_WORK,
    "replied": clocks.AFTER_REPLY,
    "closed": frozenset({State.CLOSED}),
}


# The tabs of open tickets by due date: listed from the whole (short) index range, sorted.
TIMED_TABS = frozenset({"due_soon", "overdue"})


def _tab_conditions(at: datetime) -> dict[str, ColumnElement[bool]]:
    """The WHERE clause of each tab that depends on the time or on orders (counted through indexes)."""
    unanswered = select(SupervisionOrder.ticket_id).where(SupervisionOrder.answered_at.is_(None))
    return {
        "due_soon": clocks.due_soon_clause(load_calendar(), at),
        "overdue": clocks.overdue_clause(at),
        "orders": Ticket.id.in_(unanswered),
    }


def _tab_counts(conditions: dict[str, ColumnElement[bool]]) -> dict[str, int]:
    """Every tab's count (and the stat cards'): a few counter rows, and an index count per timed tab."""
    kept = counts.read(current_user.unit_id or -1)
    found = {key: counts.in_states(kept, states) for key, states in TAB_STATES.items()}
    return found | {key: scoped.count(current_user, condition) for key, condition in conditions.items()}


def _tab_condition(tab: str, conditions: dict[str, ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    if tab == "all":
        return []
    if tab in TAB_STATES:  # one index range per state: (unit, state, id) walked newest first in each
        return [Ticket.state == state for state in sorted(TAB_STATES[tab])]
    return [conditions[tab]]


@bp.route("/")
@web.roles_required(*UNIT_ROLES)
def index():
    """The unit's tickets (lead and co-handled) under the chosen tab, newest first."""
    tab = request.args.get("tab", "all")
    if tab not in TAB_KEYS:
        tab = "all"
    conditions = _tab_conditions(now())
    newest = scoped.in_newest(
        current_user,
        _tab_condition(tab, conditions),
        paging.cursor_arg((Ticket.id,)),
        PAGE_SIZE + 1,
        whole_range=tab in TIMED_TABS,
    )
    query = (
        select(Ticket)
        .where(newest)
        .options(
            selectinload(Ticket.category).selectinload(Category.parent),
            selectinload(Ticket.co_units),
            selectinload(Ticket.supervision_orders),
        )
    )
    page = paging.keyset_page(query, (Ticket.id,), per_page=PAGE_SIZE, endpoint="unit.index", args={"tab": tab})
    return render_template(
        "unit/index.html", tabs=TABS, tab=tab, tickets=page.items, page=page, counts=_tab_counts(conditions)
    )


# ---------------------------------------------------------------- the ticket page and its actions


def _page(ticket: Ticket, bound: tuple[str, FlaskForm] | None = None, status: int = 200):
    """Render the ticket page; ``bound`` is the (action, form) just submitted with errors, shown open."""
    forms = {action: cls(formdata=None) for action, cls in FORMS.items()}
    open_panel = None
    templates = reply_templates.offered_for(ticket.category)
    chosen = reply_templates.offered_one(ticket.category, id_arg("template"))
    if chosen is not None:  # "insert the template" (the page's script does it without a round trip)
        forms["reply"] = FORMS["reply"](formdata=None, data={"text": chosen.body})
        open_panel = "reply"
    if bound:
        open_panel, forms[bound[0]] = bound
    co_handled = ticket.lead_unit_id != current_user.unit_id
    return render_template(
        "unit/ticket.html",
        ticket=ticket,
        forms=forms,
        open_panel=open_panel,
        co_handled=co_handled,
        reply_templates=templates,
        chosen_template=chosen,
    ), status


@bp.route("/tickets/<id:ticket_id>")
@web.roles_required(*UNIT_ROLES)
def ticket(ticket_id: int):
    return _page(web.load_ticket(ticket_id))


def _submit(ticket_id: int, action: str, with_files: bool = False):
    """Parse the action's form, load and authorize the ticket, then act through the state machine.

    Invalid input re-renders the page with the errors in the open panel and changes nothing.
    """
    form = FORMS[action]()
    ticket = web.load_ticket(ticket_id)
    back = url_for("unit.ticket", ticket_id=ticket.id)
    uploads = None
    if form.validate_on_submit() and with_files:
        try:
            uploads = storage.check_uploads(request.files.getlist(form.files.name))
        except storage.UploadError as err:
            form.files.errors = [str(err.message)]
    if form.errors:
        for field in form:
            for error in field.errors:
                flash(f"{field.label.text}: {error}", "danger")
        return _page(ticket, (action, form), 400)
    return web.act(ticket, action, back, uploads=uploads, **form.payload())


@bp.route("/tickets/<id:ticket_id>/sign", methods=["POST"])
@web.roles_required(*UNIT_ROLES)
def sign(ticket_id: int):
    return _submit(ticket_id, "sign")


@bp.route("/tickets/<id:ticket_id>/return", methods=["POST"])
@web.roles_required(*UNIT_ROLES)
def return_ticket(ticket_id: int):
    return _submit(ticket_id, "return")


@bp.route("/tickets/<id:ticket_id>/note", methods=["POST"])
@web.roles_required(*UNIT_ROLES)
def note(ticket_id: int):
    return _submit(ticket_id, "note")


@bp.route("/tickets/<id:ticket_id>/extension", methods=["POST"])
@web.roles_required(*UNIT_ROLES)
def request_extension(ticket_id: int):
    return _submit(ticket_id, "request_extension")


@bp.route("/tickets/<id:ticket_id>/material", methods=["POST"])
@web.roles_required(*UNIT_ROLES)
def request_material(ticket_id: int):
    return _submit(ticket_id, "request_material")


@bp.route("/tickets/<id:ticket_id>/reply", methods=["POST"])
@web.roles_required(*UNIT_ROLES)
def reply(ticket_id: int):
    return _submit(ticket_id, "reply", with_files=True)


@bp.route("/tickets/<id:ticket_id>/order-answer", methods=["POST"])
@web.roles_required(*UNIT_ROLES)
def answer_order(ticket_id: int):
    return _submit(ticket_id, "answer_order")
