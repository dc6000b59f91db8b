"""Enterprise identity in the console: the queue of business licences to review, one company's accounts
and invitations, and re-sending an invitation. The rules are in ``supervise.domain.verification`` and
``supervise.domain.invitations``."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from supervise import web
from supervise.console import bp
from supervise.console.forms import LicenceDecisionForm, ResendInvitationForm
from supervise.domain import invitations, verification
from supervise.extensions import db
from supervise.models import Enterprise, Invitation, LicenceReview, Role, User

supervisors = web.roles_required(Role.SUPERVISOR)
RECENT = 20


@bp.route("/verifications")
@supervisors
def verifications():
    """Business licences awaiting review, oldest first, and the latest decisions."""
    with_people = (joinedload(LicenceReview.user), joinedload(LicenceReview.enterprise))
    pending = db.session.scalars(
        select(LicenceReview)
        .where(LicenceReview.state == "pending")
        .options(*with_people)
        .order_by(LicenceReview.submitted_at, LicenceReview.id)
    )
    decided = db.session.scalars(
        select(LicenceReview)
        .where(LicenceReview.state.in_(("approved", "rejected")))
        .options(*with_people, joinedload(LicenceReview.decided_by))
        .order_by(LicenceReview.decided_at.desc())
        .limit(RECENT)
    )
    return render_template("console/verifications.html", pending=list(pending), decided=list(decided))


def _render_review(review: LicenceReview, form: LicenceDecisionForm | None = None, status: int = 200):
    accounts = db.session.scalars(
        select(User).where(User.enterprise_id == review.enterprise_id, User.role == Role.ENTERPRISE).order_by(User.id)
    )
    return render_template(
        "console/verification.html",
        review=review,
        accounts=list(accounts),
        form=form or LicenceDecisionForm(formdata=None),
    ), status


@bp.route("/verifications/<id:review_id>")
@supervisors
def verification_review(review_id: int):
    """One licence beside the company's record and its accounts, with the decision form."""
    return _render_review(db.get_or_404(LicenceReview, review_id))


@bp.route("/verifications/<id:review_id>/decide", methods=["POST"])
@supervisors
def decide_verification(review_id: int):
    """Approve or reject a licence; the applicant is told either way."""
    review = db.get_or_404(LicenceReview, review_id)
    form = LicenceDecisionForm()
    if not form.validate_on_submit():
        return _render_review(review, form, 400)
    try:
        if form.decision.data == "approve":
            verification.approve(review, current_user)
        else:
            verification.reject(review, current_user, form.reason.data)
    except verification.VerificationError as err:
        db.session.rollback()
        form.reason.errors.append(err.message)
        return _render_review(review, form, 400)
    db.session.commit()
    flash(
        _("%(user)s is verified for %(company)s.", user=review.user.username, company=review.enterprise.name)
        if review.state == "approved"
        else _("The licence was rejected; the applicant has been told why."),
        "success",
    )
    return redirect(url_for(".verifications"))


@bp.route("/enterprises/<id:enterprise_id>")
@supervisors
def enterprise(enterprise_id: int):
    """One company: its accounts and how each was verified, and its invitations (its latest tickets are
    on its names page)."""
    found = db.get_or_404(Enterprise, enterprise_id)
    accounts = db.session.scalars(
        select(User).where(User.enterprise_id == found.id, User.role == Role.ENTERPRISE).order_by(User.id)
    )
    sent = db.session.scalars(
        select(Invitation).where(Invitation.enterprise_id == found.id).order_by(Invitation.id.desc()).limit(RECENT)
    )
    return render_template(
        "console/enterprise.html",
        enterprise=found,
        accounts=list(accounts),
        invitations=list(sent),
        verified=verification.has_verified_account(found),
        form=ResendInvitationForm(),
    )


@bp.route("/enterprises/<id:enterprise_id>/invitation", methods=["POST"])
@supervisors
def resend_invitation(enterprise_id: int):
    """Send the company a new invitation; the links sent before stop working."""
    found = db.get_or_404(Enterprise, enterprise_id)
    if not ResendInvitationForm().validate_on_submit():
        abort(400)
    try:
        invitation = invitations.resend_invitation(found, current_user)
    except verification.VerificationError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(
            _(
                "A new invitation is on its way to %(to)s.",
                to=verification.Contact(invitation.channel, invitation.address).masked,
            ),
            "success",
        )
    return redirect(url_for(".enterprise", enterprise_id=found.id))
