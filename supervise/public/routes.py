"""The public side (晒问题、晒结果): what anyone sees without logging in.

Templates here receive :class:`~supervise.domain.disclosure.PublicTicket`, :class:`PublicEvent`,
:class:`~supervise.domain.public_list.PublicListItem` and
plain values only, never a Ticket, Enterprise or User: everything shown has passed through disclosure
and redaction.
"""

from typing import NamedTuple

from flask import abort, current_app, make_response, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms import SelectChoice

from supervise import labels, paging, throttle
from supervise.domain import attachments, deadlines, disclosure, intake, public_list, reference, timeline, workflow
from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now
from supervise.domain.disclosure import PublicEvent, PublicFilters
from supervise.domain.measures import reports
from supervise.domain.redaction import redact
from supervise.domain.reference import CategoryRef, Reference
from supervise.extensions import limiter
from supervise.models import Rating, Ticket
from supervise.public import bp
from supervise.public.forms import DisclosureFilterForm, LookupForm
from supervise.redirects import redirect_to_next
from supervise.web import public_page

LATEST_ON_HOME = 6


class PublicAttachment(NamedTuple):
    id: int
    filename: str


def rating_label(value: int | None) -> str:
    """The label of a rating given by its value (1-5); empty when unrated."""
    return str(labels.RATING[Rating(value)]) if value else ""


@bp.context_processor
def _public_helpers() -> dict:
    return {"rating_label": rating_label}


@bp.route("/")
@public_page
def index():
    """The home page: what the platform does, where to go, headline numbers and the latest problems."""
    numbers = reports.headline()  # from the kept aggregates: no count over the tickets
    latest, _cursor = public_list.page(PublicFilters(), None, reference.get(), now(), per_page=LATEST_ON_HOME)
    return render_template("public/index.html", numbers=numbers, latest=latest)


def _category_choices(ref: Reference) -> list[SelectChoice]:
    """Top-level areas as option groups, each selectable as a whole, with their categories."""
    used = ref.published_categories
    children: dict[int, list[CategoryRef]] = {}
    for c in ref.categories.values():
        if c.parent_id is not None and (c.active or c.id in used):
            children.setdefault(c.parent_id, []).append(c)
    choices = [SelectChoice("", _("All categories"))]
    for area in (c for c in ref.categories.values() if c.parent_id is None):
        if not (area.active or area.id in children):
            continue
        choices.append(SelectChoice(str(area.id), _("All of %(area)s", area=area.name), optgroup=area.name))
        choices += [SelectChoice(str(c.id), c.name, optgroup=area.name) for c in children.get(area.id, [])]
    return choices


def _unit_choices(ref: Reference) -> list[SelectChoice]:
    """Active units that lead at least one published ticket."""
    units = (u for u in ref.units.values() if u.active and u.id in ref.published_units)
    return [SelectChoice("", _("All units"))] + [SelectChoice(str(u.id), u.name) for u in units]


@bp.route("/disclosure")
@public_page
def tickets():
    """Published problems and their results, newest first, filtered, by keyset pages."""
    ref = reference.get()
    form = DisclosureFilterForm(formdata=request.args)
    form.category.choices = _category_choices(ref)
    form.unit.choices = _unit_choices(ref)
    # The same options for everyone until the reference data is read again: rendered once per process.
    form.category.options_key = form.unit.options_key = (ref.generation, ref.loaded, str(get_locale()))
    filters = form.clean()
    # A shared link whose cursor no longer reads starts the list over rather than failing.
    rows, cursor = public_list.page(filters, request.args.get(paging.PARAM), ref, now())
    args = form.query_args()
    page = paging.page(rows, cursor, ".tickets", args)
    return render_template("public/tickets.html", form=form, items=page.items, page=page, filtered=bool(args))


def _released_attachments(ticket: Ticket) -> list[PublicAttachment]:
    """The files the public may fetch (``attachments.public_files``), by id and made-up name only."""
    return [PublicAttachment(a.id, name) for a, name in attachments.public_files(ticket)]


@bp.route("/disclosure/<tracking_no>")
@public_page
def ticket(tracking_no: str):
    """One published problem, its handling and, once published, its result."""
    found = disclosure.published_ticket(tracking_no)
    if found is None:
        abort(404)
    view = disclosure.public_view(found, load_calendar(), now())
    return render_template(
        "public/ticket.html", item=view, attachments=_released_attachments(found), category_id=found.category_id
    )


@bp.route("/lookup", methods=["GET", "POST"])
@limiter.limit(throttle.configured("LOOKUP_RATE_LIMIT"), methods=["POST"])
def lookup():
    """Progress of one complaint for whoever holds its tracking number and retrieval code."""
    form = LookupForm()
    result, events, decline_reason, not_found = None, [], None, False
    if form.validate_on_submit():
        found = intake.find_by_tracking(form.tracking_no.data, form.code.data)
        if found is None:
            not_found = True
        else:
            terms = disclosure.terms_for(found)
            result = disclosure.public_view(found, load_calendar(), now(), with_events=False)
            events = [
                PublicEvent(e.at, e.action, e.to_state, redact(e.note, terms))
                for e in found.events
                if timeline.visible_to_enterprise(e)
            ]
            if found.decline_reason:
                decline_reason = workflow.DECLINE_REASONS.get(found.decline_reason)
    response = make_response(
        render_template(
            "public/lookup.html",
            form=form,
            result=result,
            events=events,
            decline_reason=decline_reason,
            not_found=not_found,
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the progress of one enterprise's complaint
    return response


@bp.route("/rules")
@public_page
def rules():
    """The published acceptance rules: reasons for declining, time limits, warnings, disclosure."""
    names = {"simple": _("Simple matters"), "standard": _("Standard matters"), "complex": _("Complex matters")}
    limits = {
        "accept": deadlines.ACCEPT_DAYS,
        "sign": deadlines.SIGN_DAYS,
        "handle": [(names.get(key, key), days) for key, days in deadlines.HANDLE_DAYS.items()],
        "rate": deadlines.RATE_CALENDAR_DAYS,
        "yellow": deadlines.YELLOW_REMAINING_DAYS,
        "red": deadlines.RED_OVERDUE_DAYS,
    }
    return render_template("public/rules.html", limits=limits)


@bp.route("/language/<lang>")
def set_language(lang: str):
    """Remember the chosen language and go back to the page it was chosen on (a path on this site)."""
    if lang in current_app.config["LANGUAGES"]:
        session["lang"] = lang
    return redirect_to_next(request.args.get("next"), url_for("public.index"))
