"""The responsibility list's periodic job: warn late monthly task reports and late tasks."""

from supervise.domain.calendar import load_calendar
from supervise.domain.clock import now
from supervise.domain.indicator_duties import task_warnings
from supervise.jobs import job
from supervise.jobs.periodic import _recorded


@job
def indicator_tasks() -> str:
    """Warnings on the tasks' monthly reports (due on the 5th) and deadlines, each once per level."""
    return _recorded("indicator_tasks", lambda: f"warnings {task_warnings(now(), load_calendar())}")
