"""The office's rectification ledger (整改台账): every item with filters and counts by source and state,
recording a problem, and one item's page where a supervisor accepts (销号), sends back or reassigns it.
The rules are in ``supervise.domain.ledger``."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from supervise import paging, web
from supervise.console import bp
from supervise.console.ledger_forms import AcceptForm, AssignForm, LedgerItemForm, SendBackForm
from supervise.domain import ledger
from supervise.domain.clock import now
from supervise.domain.ledger import LedgerError
from supervise.extensions import db
from supervise.models import LedgerEvent, LedgerItem, LedgerSource, LedgerState, Role, Ticket, Unit
from supervise.params import parse_id

supervisors = web.roles_required(Role.SUPERVISOR)
PAGE_SIZE = 30


def unit_choices() -> list[SelectChoice]:
    units = db.session.scalars(select(Unit).where(Unit.handles_tickets).order_by(Unit.sort, Unit.id))
    return [SelectChoice(u.id, u.name) for u in units]


def _filters() -> tuple[dict, list]:
    """The list's filters from the query string (unknown values ignored) and their WHERE clauses."""
    args, where = {}, []
    source = request.args.get("source", "")
    if source in {s.value for s in LedgerSource}:
        args["source"] = source
        where.append(LedgerItem.source == LedgerSource(source))
    state = request.args.get("state", "")
    if state in {s.value for s in LedgerState}:
        args["state"] = state
        where.append(LedgerItem.state == LedgerState(state))
    unit_id = parse_id(request.args.get("unit"))
    if unit_id:
        args["unit"] = unit_id
        where.append(LedgerItem.unit_id == unit_id)
    if request.args.get("overdue") == "1":
        args["overdue"] = 1
        where += [LedgerItem.state == LedgerState.RECTIFYING, LedgerItem.deadline < now().date()]
    return args, where


@bp.route("/ledger")
@supervisors
def ledger_items():
    """Every item, filtered by source, unit, state and lateness, newest first; counts by source and state."""
    args, where = _filters()
    query = select(LedgerItem).where(*where).options(joinedload(LedgerItem.unit))
    page = paging.keyset_page(query, (LedgerItem.id,), per_page=PAGE_SIZE, endpoint=".ledger_items", args=args)
    overdue = db.session.scalar(
        select(func.count())
        .select_from(LedgerItem)
        .where(LedgerItem.state == LedgerState.RECTIFYING, LedgerItem.deadline < now().date())
    )
    found = ledger.counts()
    overall, per_source = ledger.progress(found)
    return render_template(
        "console/ledger.html",
        page=page,
        args=args,
        counts=found,
        by_state={s: sum(n for (_src, st), n in found.items() if st == s) for s in LedgerState},
        overall=overall,
        overdue=overdue,
        units=unit_choices(),
        today=now().date(),
        ledger=ledger,
    )


@bp.route("/ledger/new", methods=["GET", "POST"])
@supervisors
def ledger_new():
    """Record a problem to rectify: its source, lead unit, deadline and the complaints behind it."""
    form = LedgerItemForm()
    form.unit_id.choices = unit_choices()
    if form.validate_on_submit():
        tickets, missing = _tickets(form.tickets.data)
        if missing:
            form.tickets.errors.append(_("No ticket %(numbers)s.", numbers=" ".join(missing)))
        else:
            try:
                item = ledger.create_item(
                    current_user,
                    LedgerSource(form.source.data),
                    form.title.data,
                    db.get_or_404(Unit, form.unit_id.data),
                    form.deadline.data,
                    description=form.description.data,
                    tickets=tickets,
                )
            except LedgerError as err:
                db.session.rollback()
                form.title.errors.append(err.message)
            else:
                db.session.commit()
                flash(_("The problem is in the ledger; the lead unit sees it."), "success")
                return redirect(url_for(".ledger_item", ledger_item_id=item.id))
    return render_template("console/ledger_new.html", form=form), 400 if form.is_submitted() else 200


def _tickets(text: str | None) -> tuple[list[Ticket], list[str]]:
    numbers = list(dict.fromkeys((text or "").replace(",", " ").replace("，", " ").split()))[:20]
    found = {t.tracking_no: t for t in db.session.scalars(select(Ticket).where(Ticket.tracking_no.in_(numbers)))}
    return list(found.values()), [n for n in numbers if n not in found]


def load_item(ledger_item_id: int) -> LedgerItem:
    """The item with its history, evidence and tickets (404 if there is none)."""
    item = db.session.scalar(
        select(LedgerItem)
        .where(LedgerItem.id == ledger_item_id)
        .options(
            joinedload(LedgerItem.unit),
            selectinload(LedgerItem.events).joinedload(LedgerEvent.by),
            selectinload(LedgerItem.evidence),
            selectinload(LedgerItem.tickets),
        )
    )
    if item is None or not ledger.may_see(current_user, item):
        abort(404 if item is None else 403)
    return item


def _render_item(item: LedgerItem, status: int = 200, **forms):
    assign = forms.get("assign") or AssignForm(formdata=None, unit_id=item.unit_id, deadline=item.deadline)
    assign.unit_id.choices = unit_choices()
    return render_template(
        "console/ledger_item.html",
        item=item,
        ledger=ledger,
        accept_form=forms.get("accept") or AcceptForm(formdata=None),
        send_back_form=forms.get("send_back") or SendBackForm(formdata=None),
        assign_form=assign,
        today=now().date(),
    ), status


@bp.route("/ledger/<id:ledger_item_id>")
@supervisors
def ledger_item(ledger_item_id: int):
    """One item: its problem, measures, evidence and history, with the supervisor's moves."""
    return _render_item(load_item(ledger_item_id))


def _move(item: LedgerItem, name: str, form, call, success: str):
    """Validate ``form``, make the move, commit and go back to the item; refused: the page with the error."""
    if not form.validate_on_submit():
        return _render_item(item, 400, **{name: form})
    try:
        call()
    except LedgerError as err:
        db.session.rollback()
        if err.forbidden:
            abort(403)
        flash(str(err.message), "danger")
        return redirect(url_for(".ledger_item", ledger_item_id=item.id))
    db.session.commit()
    flash(success, "success")
    return redirect(url_for(".ledger_item", ledger_item_id=item.id))


@bp.route("/ledger/<id:ledger_item_id>/accept", methods=["POST"])
@supervisors
def ledger_accept(ledger_item_id: int):
    """销号: the rectification is accepted and the item closed."""
    item, form = load_item(ledger_item_id), AcceptForm()
    return _move(
        item,
        "accept",
        form,
        lambda: ledger.accept(item, current_user, form.note.data, form.public_summary.data),
        _("Accepted: the item is closed."),
    )


@bp.route("/ledger/<id:ledger_item_id>/send-back", methods=["POST"])
@supervisors
def ledger_send_back(ledger_item_id: int):
    """退回: back to the lead unit, with the reason."""
    item, form = load_item(ledger_item_id), SendBackForm()
    return _move(
        item,
        "send_back",
        form,
        lambda: ledger.send_back(item, current_user, form.reason.data),
        _("Sent back to the lead unit."),
    )


@bp.route("/ledger/<id:ledger_item_id>/assign", methods=["POST"])
@supervisors
def ledger_assign(ledger_item_id: int):
    """Another lead unit or deadline for an open item."""
    item, form = load_item(ledger_item_id), AssignForm()
    form.unit_id.choices = unit_choices()
    return _move(
        item,
        "assign",
        form,
        lambda: ledger.assign(
            item, current_user, db.get_or_404(Unit, form.unit_id.data), form.deadline.data, form.note.data
        ),
        _("Assigned."),
    )
