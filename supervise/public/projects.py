"""The public page of key projects (重点项目): stage and milestones of the projects the zone marks
public; templates receive plain values only (:class:`~supervise.domain.projects.public.PublicProject`)."""

from flask import render_template, url_for

from supervise import paging
from supervise.domain.clock import now
from supervise.domain.projects import STAGE_LABELS
from supervise.domain.projects.public import public_projects
from supervise.models.project import Project
from supervise.public import bp
from supervise.web import public_page

PAGE_SIZE = 20


@bp.route("/projects")
@public_page
def projects():
    after = paging.cursor_arg((Project.id,))
    items, next_id = public_projects(after[0] if after else None, PAGE_SIZE)
    next_url = url_for("public.projects", after=next_id) if next_id else None
    first_url = url_for("public.projects") if after else None
    page = paging.Page(items, str(next_id) if next_id else None, next_url, first_url)
    return render_template(
        "projects/public.html", projects=items, page=page, stage_labels=STAGE_LABELS, today=now().date()
    )
