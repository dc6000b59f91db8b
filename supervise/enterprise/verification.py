"""Verifying an enterprise account (/my/verification): by a one-time code sent to the company's contact
on record, or by a business licence for a supervisor to review. The rules are in
``supervise.domain.verification``."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from supervise import storage, web
from supervise.domain import verification
from supervise.enterprise import bp
from supervise.enterprise.forms import CheckCodeForm, LicenceForm, SendCodeForm
from supervise.extensions import db
from supervise.models import LicenceReview, Role

enterprise_accounts = web.roles_required(Role.ENTERPRISE)


def _send_form(contacts: list[verification.Contact], bound: bool = False) -> SendCodeForm:
    form = SendCodeForm() if bound else SendCodeForm(formdata=None)
    form.channel.choices = [
        (c.channel, _("SMS to %(to)s", to=c.masked) if c.channel == "sms" else _("E-mail to %(to)s", to=c.masked))
        for c in contacts
    ]
    if len(contacts) == 1 and not bound:
        form.channel.data = contacts[0].channel
    return form


def _page(
    send_form: SendCodeForm | None = None,
    check_form: CheckCodeForm | None = None,
    licence_form: LicenceForm | None = None,
    status: int = 200,
):
    contacts = verification.contacts_on_record(current_user.enterprise)
    reviews = list(
        db.session.scalars(
            select(LicenceReview)
            .where(LicenceReview.user_id == current_user.id)
            .order_by(LicenceReview.id.desc())
            .limit(10)
        )
    )
    return render_template(
        "enterprise/verification.html",
        contacts=contacts,
        reviews=reviews,
        send_form=send_form or _send_form(contacts),
        check_form=check_form or CheckCodeForm(formdata=None),
        licence_form=licence_form or LicenceForm(formdata=None),
    ), status


@bp.route("/verification", endpoint="verification")
@enterprise_accounts
def verification_page():
    """The account's state and the ways to get verified."""
    return _page()


@bp.route("/verification/code", methods=["POST"])
@enterprise_accounts
def send_code():
    """Send a one-time code to the contact on record the applicant chose (by the outbox, after the commit)."""
    form = _send_form(verification.contacts_on_record(current_user.enterprise), bound=True)
    if not form.validate_on_submit():
        return _page(send_form=form, status=400)
    try:
        verification.send_code(current_user, form.channel.data)
    except verification.VerificationError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
        return redirect(url_for(".verification"))
    db.session.commit()
    flash(
        _(
            "A code is on its way to the contact on record. Type it below within %(minutes)d minutes.",
            minutes=verification.CODE_TTL.seconds // 60,
        ),
        "success",
    )
    return redirect(url_for(".verification"))


@bp.route("/verification/code/check", methods=["POST"])
@enterprise_accounts
def check_code():
    """Check the typed code; every guess is counted, right or wrong."""
    form = CheckCodeForm()
    if not form.validate_on_submit():
        return _page(check_form=form, status=400)
    problem = verification.check_code(current_user, form.code.data)
    db.session.commit()
    if problem:
        form.code.errors.append(problem)
        return _page(check_form=form, status=400)
    flash(
        _(
            "Your account is verified: you now follow all of %(company)s's complaints.",
            company=current_user.enterprise.name,
        ),
        "success",
    )
    return redirect(url_for(".index"))


@bp.route("/verification/licence", methods=["POST"])
@enterprise_accounts
def upload_licence():
    """Upload the business licence (PDF or image, checked by content) for a supervisor's review."""
    form = LicenceForm()
    if not form.validate_on_submit():
        return _page(licence_form=form, status=400)
    try:
        upload = storage.check_upload(request.files[form.licence.name], storage.LICENCE_TYPES)
        verification.submit_licence(current_user, upload)
    except storage.UploadError as err:
        form.licence.errors.append(err.message)
        return _page(licence_form=form, status=400)
    except verification.VerificationError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
        return redirect(url_for(".verification"))
    db.session.commit()
    flash(
        _("The licence was received. The business-environment office will check it; you will be told of its decision."),
        "success",
    )
    return redirect(url_for(".verification"))
