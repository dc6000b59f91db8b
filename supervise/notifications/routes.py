"""The notification centre: every logged-in user's in-app notifications and channel choices."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, update

from supervise import paging
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import Notification
from supervise.notifications import bp
from supervise.notifications.forms import PreferencesForm
from supervise.redirects import redirect_to_next

PER_PAGE = 30


@bp.route("/")
@login_required
def index():
    query = select(Notification).where(Notification.user_id == current_user.id)
    if request.args.get("unread"):
        query = query.where(Notification.read_at.is_(None))
    page = paging.keyset_page(
        query,
        (Notification.id,),
        per_page=PER_PAGE,
        endpoint=".index",
        args={"unread": request.args.get("unread") or None},
    )
    return render_template("notifications/index.html", notifications=page.items, page=page)


@bp.route("/<id:notification_id>/open", methods=["POST"])
@login_required
def open_one(notification_id: int):
    note = db.get_or_404(Notification, notification_id)
    if note.user_id != current_user.id:
        abort(403)
    note.read_at = note.read_at or now()
    db.session.commit()
    return redirect_to_next(note.link, url_for(".index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    db.session.execute(
        update(Notification)
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None))
        .values(read_at=now())
    )
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
