"""The public campaign reports (晒问题、晒结果): each campaign's counts by class and unit, its resolution
rate and its published problems with their results, the cumulative table since the first campaign, and
the report as .docx and XLSX. Never an enterprise's name: the problems are the published tickets'
moderated texts, masked (see :mod:`supervise.domain.campaigns.report`)."""

from flask import Response, abort, render_template

from supervise.campaign_forms import STATE_LABELS
from supervise.domain import reference
from supervise.domain.campaigns import documents
from supervise.domain.campaigns.report import campaign_report, cumulative, percent
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import Campaign, CampaignState
from supervise.public import bp
from supervise.web import public_page


def _reported(campaign_id: int) -> Campaign:
    """A campaign the public may see: opened at least once (a draft is the office's own)."""
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None or campaign.state == CampaignState.DRAFT:
        abort(404)
    return campaign


@bp.route("/campaigns")
@public_page
def campaigns():
    """Every campaign since the first, with its figures and the cumulative total."""
    rows, total = cumulative(now())
    return render_template("public/campaigns.html", rows=rows, total=total, percent=percent, state_labels=STATE_LABELS)


@bp.route("/campaigns/<id:campaign_id>")
@public_page
def campaign(campaign_id: int):
    """One campaign's report: figures by class and unit, the published problems and their results."""
    campaign = _reported(campaign_id)
    report = campaign_report(campaign, reference.get(), now())
    return render_template(
        "public/campaign.html", campaign=campaign, report=report, percent=percent, state_labels=STATE_LABELS
    )


@bp.route("/campaigns/<id:campaign_id>/report.<any(docx, xlsx):fmt>")
@public_page
def campaign_report_file(campaign_id: int, fmt: str):
    """The campaign report as .docx or XLSX, the same figures as the page."""
    campaign = _reported(campaign_id)
    body, mimetype = documents.render(campaign_report(campaign, reference.get(), now()), fmt)
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename=campaign-{campaign.id}.{fmt}"
    return response
