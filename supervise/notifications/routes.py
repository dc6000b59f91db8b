"""The notification centre: every logged-in user's in-app notifications and channel choices."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, update

from supervise import params
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import Notification
from supervise.notifications import bp
from supervise.notifications.forms import PreferencesForm

PER_PAGE = 30


@bp.route("/")
@login_required
def index():
    after = params.id_arg("after")
    query = select(Notification).where(Notification.user_id == current_user.id)
    if request.args.get("unread"):
        query = query.where(Notification.read_at.is_(None))
    if after:
        query = query.where(Notification.id < after)
    rows = list(db.session.scalars(query.order_by(Notification.id.desc()).limit(PER_PAGE + 1)))
    next_url = None
    if len(rows) > PER_PAGE:
        rows = rows[:PER_PAGE]
        next_url = url_for(".index", after=rows[-1].id, unread=request.args.get("unread") or None)
    return render_template("notifications/index.html", notifications=rows, next_url=next_url)


@bp.route("/<id:notification_id>/open", methods=["POST"])
@login_required
def open_one(notification_id: int):
    note = db.session.get(Notification, notification_id)
    if note is None:
        abort(404)
    if note.user_id != current_user.id:
        abort(403)
    note.read_at = note.read_at or now()
    db.session.commit()
    target = note.link if note.link and note.link.startswith("/") and not note.link.startswith("//") else None
    return redirect(target or url_for(".index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    db.session.execute(update(Notification).where(
        Notification.user_id == current_user.id, Notification.read_at.is_(None)).values(read_at=now()))
    db.session.commit()
    flash(_("All notifications are marked as read."), "success")
    return redirect(url_for(".index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    form = PreferencesForm(obj=current_user)
    if form.validate_on_submit():
        current_user.notify_email = form.notify_email.data
        current_user.notify_sms = form.notify_sms.data
        current_user.email = form.email.data or None
        current_user.mobile = form.mobile.data or None
        db.session.commit()
        flash(_("Your notification settings are saved."), "success")
        return redirect(url_for(".settings"))
    return render_template("notifications/settings.html", form=form)
