"""The results of a unit evaluation: each unit's combined score (its criteria's average scores,
weighted) beside its measured figures from the platform for the evaluation's year, ranked; the
comments a unit sees (without who wrote them); the progress the office follows (counts only); and the
masked texts the public reads.

Anonymity: nothing here returns an evaluator with a vote, nor one person's scores. A unit's averages
are shown only from :data:`MIN_VOTES_SHOWN` votes on, so that one or two votes cannot be read back.
"""

import re
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from supervise.domain.measures import reports
from supervise.domain.measures.definitions import MEASURE_BY_KEY
from supervise.domain.measures.periods import Period
from supervise.domain.redaction import TERM_MASK, redact
from supervise.extensions import db
from supervise.models import Enterprise
from supervise.models.evaluation import EVALUATOR_KINDS, Evaluation, Evaluator, UnitAnswer, UnitReport, Vote, VoteScore

MIN_VOTES_SHOWN = 3
#: The platform's figures shown beside the evaluators' scores.
MEASURED = ("on_time_completion", "satisfaction", "reopen", "open_overdue")
_COMPANY = re.compile(r"[\u4e00-\u9fa5A-Za-z0-9（）()]{2,30}?(?:股份有限公司|有限责任公司|有限公司)")


def votes_per_report(evaluation: Evaluation) -> dict[int, int]:
    """How many votes each unit (its report's id) has received: counts, never who."""
    rows = db.session.execute(
        select(Vote.report_id, func.count(Vote.id))
        .join(UnitReport, UnitReport.id == Vote.report_id)
        .where(UnitReport.evaluation_id == evaluation.id)
        .group_by(Vote.report_id)
    )
    return {report_id: count for report_id, count in rows}


def measured_columns() -> list[tuple[str, object]]:
    """The measured figures shown beside the scores: (measure key, its label)."""
    return [(key, MEASURE_BY_KEY[key].label) for key in MEASURED]


@dataclass
class UnitResult:
    """One unit's line of the results."""

    report: UnitReport
    votes: int
    averages: dict[int, float] = field(default_factory=dict)  # criterion id -> average score
    score: float | None = None  # None: fewer than MIN_VOTES_SHOWN votes
    rank: int | None = None
    measured: dict[str, str] = field(default_factory=dict)  # measure key -> its display

    @property
    def shown(self) -> bool:
        return self.score is not None


def _averages(evaluation: Evaluation) -> dict[int, dict[int, float]]:
    rows = db.session.execute(
        select(Vote.report_id, VoteScore.criterion_id, func.avg(VoteScore.score))
        .join(Vote, Vote.id == VoteScore.vote_id)
        .join(UnitReport, UnitReport.id == Vote.report_id)
        .where(UnitReport.evaluation_id == evaluation.id)
        .group_by(Vote.report_id, VoteScore.criterion_id)
    )
    found: dict[int, dict[int, float]] = {}
    for report_id, criterion_id, average in rows:
        found.setdefault(report_id, {})[criterion_id] = float(average)
    return found


def combined(evaluation: Evaluation, averages: dict[int, float]) -> float | None:
    """The weighted score of one unit from its criteria's averages (0–100)."""
    weights = {c.id: c.weight for c in evaluation.criteria}
    total = sum(weights.values())
    if not total or set(weights) - set(averages):
        return None
    return sum(averages[cid] * weight for cid, weight in weights.items()) / total


def measured_figures(year: int) -> dict[int, dict[str, str]]:
    """Per unit id, the platform's measures for ``year`` as displayed (a dash when nothing to measure)."""
    table = reports.table(Period("year", year), "unit")
    return {row.key: {key: row.display(key) for key in MEASURED} for row in table.rows if row.key is not None}


def results(evaluation: Evaluation) -> list[UnitResult]:
    """Every unit's line, best combined score first (equal scores share a rank; units with too few
    votes last, unranked)."""
    counts = votes_per_report(evaluation)
    averages = _averages(evaluation)
    figures = measured_figures(evaluation.year)
    blank = {key: MEASURE_BY_KEY[key].display({}) for key in MEASURED}
    lines = []
    for report in evaluation.reports:
        votes = counts.get(report.id, 0)
        line = UnitResult(report, votes, measured=figures.get(report.unit_id, blank))
        if votes >= MIN_VOTES_SHOWN:
            line.averages = averages.get(report.id, {})
            line.score = combined(evaluation, line.averages)
        lines.append(line)
    lines.sort(key=lambda r: (r.score is None, -(r.score or 0), r.report.position))
    previous = None
    for position, line in enumerate(lines, start=1):
        if line.score is None:
            break
        rounded = round(line.score, 2)
        line.rank = previous[1] if previous and previous[0] == rounded else position
        previous = (rounded, line.rank)
    return lines


@dataclass(frozen=True)
class Comment:
    """A comment as its unit sees it: no evaluator, no time, no scores."""

    vote_id: int
    text: str
    answer: str | None


def comments_for(report: UnitReport) -> list[Comment]:
    """The comments on ``report``'s unit with the unit's answers, in the order of their text (not of
    their casting, which would say something of who cast them)."""
    votes = db.session.scalars(
        select(Vote).where(Vote.report_id == report.id, Vote.comment != "").options(selectinload(Vote.answer))
    )
    found = [Comment(v.id, v.comment, v.answer.text if v.answer else None) for v in votes]
    return sorted(found, key=lambda c: (c.text, c.vote_id))


def public_comments(evaluation: Evaluation) -> dict[int, list[tuple[str, str | None]]]:
    """Per report id, the published (masked) comments and answers, ordered as :func:`comments_for`."""
    votes = db.session.scalars(
        select(Vote)
        .join(UnitReport, UnitReport.id == Vote.report_id)
        .where(UnitReport.evaluation_id == evaluation.id, Vote.public_comment.is_not(None), Vote.public_comment != "")
        .options(selectinload(Vote.answer))
    )
    found: dict[int, list[tuple[str, str | None]]] = {}
    for vote in votes:
        answer = vote.answer.public_text if vote.answer else None
        found.setdefault(vote.report_id, []).append((vote.public_comment, answer))
    return {key: sorted(items) for key, items in found.items()}


@dataclass(frozen=True)
class Progress:
    """How many evaluators of one kind were invited and have scored every unit."""

    kind: str
    invited: int
    finished: int


def progress(evaluation: Evaluation) -> list[Progress]:
    """Counts per kind of evaluator, for the office: never who has voted."""
    rows = db.session.execute(
        select(Evaluator.kind, func.count(Evaluator.id), func.count(Evaluator.finished_at))
        .where(Evaluator.evaluation_id == evaluation.id)
        .group_by(Evaluator.kind)
    )
    by_kind = {kind: (invited, finished) for kind, invited, finished in rows}
    return [Progress(kind, *by_kind.get(kind, (0, 0))) for kind in EVALUATOR_KINDS]


# ---------------------------------------------------------------- public texts


def public_terms(evaluation: Evaluation) -> list[str]:
    """What to mask in the evaluation's public texts: every enterprise's names and aliases, and the
    evaluators' names."""
    terms: list[str] = []
    for name, aliases in db.session.execute(select(Enterprise.name, Enterprise.aliases)):
        terms += Enterprise.terms_of(name, aliases)
    people = db.session.scalars(select(Evaluator.name).where(Evaluator.evaluation_id == evaluation.id))
    return terms + [n for n in people if n and len(n) >= 2]


def mask(text: str | None, terms: list[str]) -> str:
    """``text`` for the public: identifiers and names masked, and any company's full name too."""
    return _COMPANY.sub(TERM_MASK + "企业", redact(text, terms))


def write_public_texts(evaluation: Evaluation) -> None:
    """Write the masked texts of every report, comment and answer (at publication)."""
    terms = public_terms(evaluation)
    for report in evaluation.reports:
        report.public_text = mask(report.text, terms)
    votes = db.session.scalars(
        select(Vote)
        .join(UnitReport, UnitReport.id == Vote.report_id)
        .where(UnitReport.evaluation_id == evaluation.id)
        .options(selectinload(Vote.answer))
    )
    for vote in votes:
        vote.public_comment = mask(vote.comment, terms)
        answer: UnitAnswer | None = vote.answer
        if answer is not None:
            answer.public_text = mask(answer.text, terms)
