"""Key projects (重点项目): the register, the monthly reports and their warnings, blockers followed up
as tickets and supervision orders, the figures per unit and the monthly digest.

The quarterly settlement reads :func:`project_figures`; everything else goes through the modules below.
"""

from supervise.domain.projects.figures import UnitFigures, project_figures
from supervise.domain.projects.register import STAGE_LABELS, ProjectError, ProjectSpec, can_view, reports_for
from supervise.domain.projects.reports import BLOCKER_LABELS

#: What the projects' templates show codes by.
LABELS = {"stage_labels": STAGE_LABELS, "blocker_labels": BLOCKER_LABELS}

__all__ = [
    "BLOCKER_LABELS",
    "LABELS",
    "STAGE_LABELS",
    "ProjectError",
    "ProjectSpec",
    "UnitFigures",
    "can_view",
    "project_figures",
    "reports_for",
]
