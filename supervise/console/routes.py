"""The supervisor console (营商办): the queues, every ticket's page with its action panels, and staff intake."""

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectChoice

from supervise import labels, paging, storage, web
from supervise.console import bp
from supervise.console.forms import ACTION_FORMS, AliasesForm, FilterForm, IntakeForm, options
from supervise.console.queues import QUEUE_KEYS, QUEUES, queue_branches, queue_counts
from supervise.domain import access, disclosure, duplicates, routing, scoped, verification, workflow
from supervise.domain.intake import CONSOLE, Complaint, IntakeError
from supervise.domain.redaction import redact
from supervise.extensions import db
from supervise.jobs import enqueue, maintenance
from supervise.models import (
    Area,
    Category,
    Enterprise,
    ExtensionRequest,
    LimitClass,
    Role,
    Source,
    State,
    SupervisionOrder,
    Ticket,
    TicketEvent,
    Unit,
    UnitKind,
    User,
)
from supervise.operations import enterprises, filing

PAGE_SIZE = 25
ENTERPRISE_CHOICES_MAX = 200
# States in which the handling clock runs (paused while awaiting material; stopped once replied).


# ---------------------------------------------------------------- queues


# Queues whose rows carry a hint of likely duplicates: before acceptance and before dispatch.
DUPLICATE_HINT_QUEUES = frozenset({"to_accept", "dispatch_queue"})


def _filter_form() -> FilterForm:
    form = FilterForm(formdata=request.args)
    form.state.choices = options([("", _("Any state"))] + [(s.value, label) for s, label in labels.STATE.items()])
    form.unit.choices = options([("", _("Any unit"))] + [(str(u.id), u.name) for u in _units(handling_only=False)])
    form.category.choices = options([("", _("Any category"))] + [(str(c.id), c.full_name) for c in _categories(False)])
    form.source.choices = options([("", _("Any source"))] + [(s.value, label) for s, label in labels.SOURCE.items()])
    return form


def _filters(form: FilterForm) -> list[ColumnElement[bool]]:
    """The "all tickets" filters that were given and are valid."""
    if not form.validate():
        return []
    found = []
    if form.state.data:
        found.append(Ticket.state == State(form.state.data))
    if form.unit.data:
        found.append(Ticket.lead_unit_id == int(form.unit.data))
    if form.category.data:
        chosen = int(form.category.data)
        under = select(Category.id).where(or_(Category.id == chosen, Category.parent_id == chosen))
        found.append(Ticket.category_id.in_(under))
    if form.source.data:
        found.append(Ticket.source == Source(form.source.data))
    text = (form.q.data or "").strip()
    if text:
        found.append(
            or_(Ticket.tracking_no.contains(text, autoescape=True), Ticket.title.contains(text, autoescape=True))
        )
    return found


@bp.route("/")
@web.roles_required(Role.SUPERVISOR)
def index():
    """The queues as tabs, newest first, 25 a page (keyset on id)."""
    tab = request.args.get("tab", "to_accept")
    if tab not in QUEUE_KEYS:
        tab = "to_accept"
    form = _filter_form() if tab == "all" else None

    branches = queue_branches(tab)
    if form is not None and (filters := _filters(form)):
        branches = [and_(*filters)]
    newest = scoped.in_newest(current_user, branches, paging.cursor_arg((Ticket.id,)), PAGE_SIZE + 1)
    query = (
        select(Ticket)
        .where(newest)
        .options(
            joinedload(Ticket.enterprise),
            joinedload(Ticket.category).joinedload(Category.parent),
            joinedload(Ticket.lead_unit),
            selectinload(Ticket.extension_requests),
            selectinload(Ticket.supervision_orders),
        )
    )
    page = paging.keyset_page(
        query, (Ticket.id,), per_page=PAGE_SIZE, endpoint=".index", args={**request.args, "tab": tab}
    )
    hints = duplicates.counts(page.items, access.ticket_scope(current_user)) if tab in DUPLICATE_HINT_QUEUES else {}
    return render_template(
        "console/index.html",
        queues=QUEUES,
        counts=queue_counts(),
        tab=tab,
        tickets=page.items,
        duplicate_hints=hints,
        form=form,
        page=page,
        pending_licences=verification.pending_count(),
    )


# ---------------------------------------------------------------- one ticket


def _units(handling_only: bool = True) -> list[Unit]:
    """Active units; those that handle tickets (not the office itself) when ``handling_only``."""
    query = select(Unit).where(Unit.active.is_(True)).order_by(Unit.sort, Unit.id)
    if handling_only:
        query = query.where(Unit.kind != UnitKind.OFFICE)
    return list(db.session.scalars(query))


def _categories(concrete_only: bool = True) -> list[Category]:
    """Categories, each area followed by its own categories."""
    query = select(Category).options(joinedload(Category.parent))
    if concrete_only:
        query = query.where(Category.parent_id.is_not(None), Category.active.is_(True))

    def order(c: Category) -> tuple:
        area = c.parent or c
        return (area.sort, area.id, c.parent_id is not None, c.sort, c.id)

    return sorted(db.session.scalars(query), key=order)


def _load(ticket_id: int) -> Ticket:
    """The ticket, authorized, with everything its page shows loaded in a few queries."""
    return web.load_ticket(
        ticket_id,
        joinedload(Ticket.enterprise),
        joinedload(Ticket.category).joinedload(Category.parent),
        joinedload(Ticket.area),
        joinedload(Ticket.lead_unit),
        joinedload(Ticket.merged_into),
        selectinload(Ticket.co_units),
        selectinload(Ticket.attachments),
        selectinload(Ticket.events).joinedload(TicketEvent.actor).joinedload(User.unit),
        selectinload(Ticket.extension_requests).joinedload(ExtensionRequest.requested_by),
        selectinload(Ticket.supervision_orders).joinedload(SupervisionOrder.issued_by),
        selectinload(Ticket.redaction_terms),
    )


def _action_forms(ticket: Ticket, failed: tuple[str, Any] | None = None) -> dict[str, Any]:
    """One form per console action, prefilled for this ticket; ``failed`` is a posted form to show again."""
    terms = disclosure.terms_for(ticket)
    prefill = {
        "dispatch": {
            "limit_class": ticket.limit_class.value if ticket.limit_class else LimitClass.STANDARD.value,
            "co_unit_ids": [u.id for u in ticket.co_units or routing.co_units_for(ticket.category, ticket.lead_unit)],
        },
        "publish": {
            "public_title": ticket.public_title or redact(ticket.title, terms)[:120],
            "public_summary": ticket.public_summary or redact(ticket.description, terms),
        },
        "publish_result": {"public_reply": ticket.public_reply or redact(ticket.reply_text, terms)},
    }
    forms = {}
    for action, form_class in ACTION_FORMS.items():
        if failed and failed[0] == action:
            forms[action] = failed[1]
        else:
            forms[action] = form_class(formdata=None, prefix=action, data=prefill.get(action))
    units = _units()
    unit_options = options((u.id, u.name) for u in units)
    forms["accept"].unit_id.choices = options([(0, _("Routing decides"))]) + unit_options
    forms["dispatch"].unit_id.choices = options([(0, _("— choose —"))]) + unit_options
    forms["dispatch"].co_unit_ids.choices = unit_options
    return forms


def _render_ticket(ticket: Ticket, failed: tuple[str, Any] | None = None):
    last_return = next((e for e in reversed(ticket.events) if e.action == "return"), None)
    may_merge = workflow.allowed(current_user, ticket, "merge")
    return render_template(
        "console/ticket.html",
        ticket=ticket,
        duplicates=duplicates.candidates(ticket, access.ticket_scope(current_user)) if may_merge else [],
        forms=_action_forms(ticket, failed),
        open_action=failed[0] if failed else None,
        last_return=last_return,
        events=ticket.events,
    )


@bp.route("/tickets/<id:ticket_id>")
@web.roles_required(Role.SUPERVISOR)
def ticket(ticket_id: int):
    """A ticket with its facts, requests, orders, redaction terms, timeline and the actions open now."""
    return _render_ticket(_load(ticket_id))


@bp.route("/tickets/<id:ticket_id>/<action>", methods=["POST"])
@web.roles_required(Role.SUPERVISOR)
def act(ticket_id: int, action: str):
    """Perform one action from its panel through the state machine."""
    form_class = ACTION_FORMS.get(action)
    if form_class is None:
        abort(404)
    form = form_class(prefix=action)
    if action in ("accept", "dispatch"):
        form.unit_id.choices = options([(0, "")] + [(u.id, u.name) for u in _units()])
    if action == "dispatch":
        form.co_unit_ids.choices = options((u.id, u.name) for u in _units())
    ticket = web.load_ticket(ticket_id)
    if not form.validate_on_submit():
        _load(ticket.id)
        return _render_ticket(ticket, failed=(action, form)), 400
    return web.act(ticket, action, url_for(".ticket", ticket_id=ticket.id), **form.payload())


# ---------------------------------------------------------------- staff intake


def _intake_form() -> IntakeForm:
    form = IntakeForm()
    form.category_id.choices = options([(0, _("— choose —"))]) + [
        SelectChoice(c.id, c.name, optgroup=c.parent.name) for c in _categories()
    ]
    form.area_id.choices = options(
        [(0, "—")]
        + [
            (a.id, a.name)
            for a in db.session.scalars(select(Area).where(Area.active.is_(True)).order_by(Area.sort, Area.id))
        ]
    )
    if not form.submission_key.data:
        form.submission_key.data = web.new_submission_key()
    return form


def _intake_enterprise(form: IntakeForm) -> Enterprise | None:
    """The company the form names, registered when new; None with a field error."""
    new = None
    if form.new_company.data:
        new = enterprises.NewCompany(
            form.enterprise.data,
            form.new_company.data,
            form.new_company_industry.data,
            form.contact_name.data,
            form.contact_mobile.data,
            form.contact_email.data,
        )
    try:
        return enterprises.enterprise_for_intake(current_user, form.enterprise.data, new)
    except IntakeError as err:
        form.enterprise.errors.append(str(err.message))
        return None


def _intake_complaint(form: IntakeForm) -> tuple[Complaint | None, list[storage.CheckedUpload]]:
    """The complaint the form describes and its checked uploads; None (with field errors) when incomplete."""
    enterprise = _intake_enterprise(form)
    category = db.session.get(Category, form.category_id.data) if form.category_id.data else None
    if category is None:
        form.category_id.errors.append(_("Choose a category."))
    uploads = []
    try:
        uploads = storage.check_uploads(request.files.getlist(form.files.name))
    except storage.UploadError as err:
        form.files.errors.append(str(err.message))
    if enterprise is None or category is None or form.files.errors:
        return None, uploads
    return Complaint(
        enterprise=enterprise,
        category=category,
        title=form.title.data,
        description=form.description.data,
        area_id=form.area_id.data or None,
        source=Source(form.source.data),
        contact_name=(form.contact_name.data or "").strip(),
        contact_mobile=form.contact_mobile.data or "",
        contact_email=form.contact_email.data or None,
        publish_consent=form.publish_consent.data,
    ), uploads


@bp.route("/intake", methods=["GET", "POST"])
@web.roles_required(Role.SUPERVISOR)
def intake():
    """Register a complaint that came by phone, at the hall, from a visit, the province or the media."""
    form = _intake_form()
    complaint, uploads = _intake_complaint(form) if form.validate_on_submit() else (None, [])
    if complaint is not None:
        try:
            ticket, created = filing.file_complaint(
                CONSOLE, current_user, complaint, form.submission_key.data, uploads=uploads, invite=True
            )
        except IntakeError as err:
            db.session.rollback()
            flash(str(err.message), "danger")
        else:
            if created:
                db.session.commit()
            flash(
                _(
                    "Complaint registered: tracking number %(no)s, retrieval code %(code)s.",
                    no=ticket.tracking_no,
                    code=ticket.retrieval_code,
                ),
                "success",
            )
            return redirect(url_for(".ticket", ticket_id=ticket.id))
    choices = db.session.scalars(select(Enterprise).order_by(Enterprise.name).limit(ENTERPRISE_CHOICES_MAX))
    return render_template("console/intake.html", form=form, enterprises=list(choices))


@bp.route("/enterprises/<id:enterprise_id>/aliases", methods=["GET", "POST"])
@web.roles_required(Role.SUPERVISOR)
def enterprise_aliases(enterprise_id: int):
    """The names to mask for one company, besides its registered name."""
    enterprise = db.get_or_404(Enterprise, enterprise_id)
    form = AliasesForm(obj=enterprise)
    if form.validate_on_submit():
        enterprises.set_aliases(current_user, enterprise, form.aliases.data)
        db.session.commit()
        enqueue(maintenance.reindex_enterprise, enterprise.id)  # masked words leave the search documents
        flash(_("The names to mask are saved; published texts are masked with them from now on."), "success")
        return redirect(url_for(".enterprise_aliases", enterprise_id=enterprise.id))
    tickets = db.session.scalars(
        select(Ticket).where(Ticket.enterprise_id == enterprise.id).order_by(Ticket.id.desc()).limit(20)
    ).all()
    return render_template("console/aliases.html", enterprise=enterprise, form=form, tickets=tickets)
