"""The operations page: is the machinery behind supervision working?"""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from supervise.domain.clock import now
from supervise.jobs import enqueue, status
from supervise.jobs.delivery import retry
from supervise.jobs.schedule import SCHEDULE
from supervise.models import Role
from supervise.ops import bp, labels
from supervise.web import roles_required

OPERATORS = (Role.SUPERVISOR, Role.ADMIN)


@bp.route("/")
@roles_required(*OPERATORS)
def index():
    return render_template(
        "ops/index.html",
        queues=status.queue_status(),
        runs=status.last_runs(),
        outbox=status.outbox_summary(),
        reports=status.monthly_reports(now()),
        words=labels,
    )


@bp.route("/jobs/<job_id>/retry", methods=["POST"])
@roles_required(*OPERATORS)
def retry_job(job_id: str):
    try:
        found = status.retry_failed_job(job_id)
    except Exception:  # Redis unreachable: say so rather than fail
        flash(_("The queue cannot be reached; try again later."), "danger")
        return redirect(url_for(".index"))
    if not found:
        abort(404)
    flash(_("The job is queued again."), "success")
    return redirect(url_for(".index"))


@bp.route("/outbox/<id:message_id>/retry", methods=["POST"])
@roles_required(*OPERATORS)
def retry_message(message_id: int):
    retry(message_id)
    flash(_("The message will be delivered again."), "success")
    return redirect(url_for(".index"))


@bp.route("/periodic/<name>/run", methods=["POST"])
@roles_required(*OPERATORS)
def run_periodic(name: str):
    entry = next((e for e in SCHEDULE if e.name == name), None)
    if entry is None:
        abort(404)
    if enqueue(entry.func, queue=entry.queue):
        flash(_("%(name)s is queued.", name=labels.JOBS.get(name, name)), "success")
    else:
        flash(_("The queue cannot be reached; try again later."), "danger")
    return redirect(url_for(".index"))
