"""A unit's rectification items (整改台账): its own items by state, one item's page with the form that
submits the rectification with evidence for acceptance, and the evidence files (to the unit and the
office only). The rules are in ``supervise.domain.ledger``."""

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import MultipleFileField, TextAreaField
from wtforms.validators import DataRequired, Length

from supervise import paging, storage, web
from supervise.domain import ledger
from supervise.domain.clock import now
from supervise.domain.ledger import LedgerError
from supervise.extensions import db
from supervise.models import LedgerEvent, LedgerEvidence, LedgerItem, LedgerState, Role
from supervise.unit import bp

unit_staff = web.roles_required(Role.HANDLER, Role.LEADER)
PAGE_SIZE = 30


class SubmitForm(FlaskForm):
    """What the unit did, and the files that show it."""

    measures = TextAreaField(
        _l("Measures taken"),
        validators=[DataRequired(_l("Say what was done to rectify the problem.")), Length(max=2000)],
    )
    files = MultipleFileField(_l("Evidence files"), description=_l("Up to 5 files: JPEG, PNG, PDF, Word or Excel."))


@bp.route("/ledger")
@unit_staff
def ledger_items():
    """The unit's items, open first by deadline, then the closed ones, newest first."""
    state = request.args.get("state", "")
    where = [LedgerItem.unit_id == current_user.unit_id]
    if state in {s.value for s in LedgerState}:
        where.append(LedgerItem.state == LedgerState(state))
    query = select(LedgerItem).where(*where)
    page = paging.keyset_page(
        query, (LedgerItem.id,), per_page=PAGE_SIZE, endpoint=".ledger_items", args={"state": state} if state else {}
    )
    found = ledger.counts(LedgerItem.unit_id == current_user.unit_id)
    by_state = {s: sum(n for (_src, st), n in found.items() if st == s) for s in LedgerState}
    return render_template(
        "unit/ledger.html", page=page, state=state, by_state=by_state, ledger=ledger, today=now().date()
    )


def load_item(ledger_item_id: int) -> LedgerItem:
    """The item if it is the user's unit's (404 if there is none, 403 if it is another unit's)."""
    item = db.session.scalar(
        select(LedgerItem)
        .where(LedgerItem.id == ledger_item_id)
        .options(
            joinedload(LedgerItem.unit),
            selectinload(LedgerItem.events).joinedload(LedgerEvent.by),
            selectinload(LedgerItem.evidence),
        )
    )
    if item is None:
        abort(404)
    if not ledger.may_see(current_user, item):
        abort(403)
    return item


def _render(item: LedgerItem, form: SubmitForm | None = None, status: int = 200):
    form = form or SubmitForm(formdata=None, measures=item.measures)
    return render_template("unit/ledger_item.html", item=item, form=form, ledger=ledger, today=now().date()), status


@bp.route("/ledger/<id:ledger_item_id>")
@unit_staff
def ledger_item(ledger_item_id: int):
    """One item: the problem, its deadline, history, evidence, and the submit form while it is open."""
    return _render(load_item(ledger_item_id))


@bp.route("/ledger/<id:ledger_item_id>/submit", methods=["POST"])
@unit_staff
def ledger_submit(ledger_item_id: int):
    """Submit the rectification with evidence: the item waits for the office's acceptance."""
    item = load_item(ledger_item_id)
    form = SubmitForm()
    if not form.validate_on_submit():
        return _render(item, form, 400)
    try:
        uploads = storage.check_uploads(request.files.getlist(form.files.name))
        ledger.submit(item, current_user, form.measures.data, uploads)
    except storage.UploadError as err:
        db.session.rollback()
        form.files.errors.append(err.message)
        return _render(item, form, 400)
    except LedgerError as err:
        db.session.rollback()
        if err.forbidden:
            abort(403)
        form.files.errors.append(err.message)
        return _render(item, form, 400)
    db.session.commit()
    flash(_("Submitted: the office will check the rectification."), "success")
    return redirect(url_for(".ledger_item", ledger_item_id=item.id))


@bp.route("/ledger/evidence/<id:evidence_id>")
@web.roles_required(Role.HANDLER, Role.LEADER, Role.SUPERVISOR)
def ledger_evidence(evidence_id: int):
    """An evidence file, to the item's unit and the office only."""
    found = db.session.scalar(
        select(LedgerEvidence).where(LedgerEvidence.id == evidence_id).options(joinedload(LedgerEvidence.item))
    )
    if found is None:
        abort(404)
    if not ledger.may_see(current_user, found.item):
        abort(403)
    stream = storage.open_stored(found.stored_name)
    if stream is None:
        abort(404)
    # a download in a sandbox, never rendered by the browser, kept out of shared caches
    response = send_file(stream, mimetype=found.content_type, as_attachment=True, download_name=found.filename)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response
