"""Unit evaluation (评议): the office sets up an evaluation of some units on published, weighted
criteria and invites evaluators; each unit submits its report; evaluators score each unit through a
personal link (no account), one vote per unit; the unit answers every comment, never learning who
wrote it; the results are published with the comments and answers masked.

States: draft → open (evaluators vote) → closed (links dead; units answer) → published (public).
Nothing here commits; every write takes the acting user (or the evaluator) and changes the session.
"""

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from supervise import storage
from supervise.domain import evaluation_results, notify
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.links import absolute
from supervise.models import Role, Unit, User, hash_secret
from supervise.models.evaluation import (
    CLOSED,
    COMMITTEE,
    DEPUTY,
    DRAFT,
    EVALUATOR_KINDS,
    OPEN,
    PUBLISHED,
    SERVICE_USER,
    Evaluation,
    EvaluationCriterion,
    Evaluator,
    UnitAnswer,
    UnitReport,
    Vote,
    VoteScore,
)

SCORE_MIN, SCORE_MAX = 0, 100
MAX_CRITERIA = 6
NAME_MAX = 120
CRITERION_NAME_MAX = 60
TEXT_MAX = 4000  # a comment, an answer
REPORT_MAX = 20000
TOKEN_BYTES = 24

STATE_LABELS = {
    DRAFT: _l("Being prepared"),
    OPEN: _l("Scoring under way"),
    CLOSED: _l("Closed, units answering"),
    PUBLISHED: _l("Published"),
}
KIND_LABELS = {
    DEPUTY: _l("People's congress deputy"),
    COMMITTEE: _l("Standing committee member"),
    SERVICE_USER: _l("Service user"),
}
#: The default criteria of a new evaluation, weights adding up to 100.
DEFAULT_CRITERIA = (
    (_l("Duties performed"), 30, _l("The unit carries out its responsibilities for the business environment.")),
    (_l("Service efficiency"), 30, _l("Approvals and services are fast, simple and predictable.")),
    (_l("Work style"), 20, _l("Staff are honest, helpful and reachable; promises are kept.")),
    (_l("Rectification"), 20, _l("Problems found are rectified in time and stay solved.")),
)


class EvaluationError(Exception):
    """A step that cannot happen; ``message`` says why, in the user's language."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class UnknownLink(EvaluationError):
    """A link whose token belongs to no evaluator."""


@dataclass(frozen=True)
class Criterion:
    """A criterion as the office writes it."""

    name: str
    weight: int
    description: str = ""


# ---------------------------------------------------------------- the office


def _check_criteria(criteria: Sequence[Criterion]) -> list[Criterion]:
    kept = [c for c in criteria if c.name.strip()]
    if not kept or len(kept) > MAX_CRITERIA:
        raise EvaluationError(_l("Give between 1 and %(n)d criteria.", n=MAX_CRITERIA))
    if any(c.weight is None or c.weight <= 0 for c in kept):
        raise EvaluationError(_l("Every criterion needs a weight above zero."))
    if sum(c.weight for c in kept) != 100:
        raise EvaluationError(_l("The criteria's weights must add up to 100."))
    return kept


def create_evaluation(
    name: str, year: int, units: Sequence[Unit], criteria: Sequence[Criterion], by: User
) -> Evaluation:
    """A draft evaluation of ``units`` on ``criteria`` (weights adding up to 100)."""
    name = (name or "").strip()[:NAME_MAX]
    if not name:
        raise EvaluationError(_l("Give the evaluation a name."))
    if not units:
        raise EvaluationError(_l("Choose at least one unit to evaluate."))
    kept = _check_criteria(criteria)
    evaluation = Evaluation(name=name, year=year, state=DRAFT, created_by_id=by.id, created_at=now())
    evaluation.criteria = [
        EvaluationCriterion(
            position=i, name=c.name.strip()[:CRITERION_NAME_MAX], weight=c.weight, description=c.description.strip()
        )
        for i, c in enumerate(kept)
    ]
    evaluation.reports = [UnitReport(unit_id=u.id, position=i) for i, u in enumerate(units)]
    db.session.add(evaluation)
    db.session.flush()
    return evaluation


def _move(evaluation: Evaluation, before: str, after: str, stamp: str) -> None:
    if evaluation.state != before:
        raise EvaluationError(_l("This cannot be done to the evaluation in its present state."))
    evaluation.state = after
    setattr(evaluation, stamp, now())


def open_evaluation(evaluation: Evaluation, by: User) -> None:
    """Evaluators may vote from now on."""
    _move(evaluation, DRAFT, OPEN, "opened_at")


def close_evaluation(evaluation: Evaluation, by: User) -> None:
    """Voting ends; every link stops working; the units may answer the comments."""
    _move(evaluation, OPEN, CLOSED, "closed_at")


def publish_results(evaluation: Evaluation, by: User) -> None:
    """The results, criteria, masked comments and answers become public."""
    _move(evaluation, CLOSED, PUBLISHED, "published_at")
    evaluation_results.write_public_texts(evaluation)


def invite(
    evaluation: Evaluation, kind: str, name: str, by: User, channel: str | None = None, address: str | None = None
) -> tuple[Evaluator, str]:
    """An evaluator and their personal link (returned once, never stored); sent through the outbox
    when ``channel`` and ``address`` are given."""
    if evaluation.state not in (DRAFT, OPEN):
        raise EvaluationError(_l("Evaluators can be invited only before the evaluation closes."))
    if kind not in EVALUATOR_KINDS:
        raise EvaluationError(_l("Choose what kind of evaluator this is."))
    name = (name or "").strip()[:60]
    if not name:
        raise EvaluationError(_l("Give the evaluator's name (kept for the office only)."))
    address = _checked_address(channel, address)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    evaluator = Evaluator(
        evaluation_id=evaluation.id,
        kind=kind,
        name=name,
        channel=channel if address else None,
        address=address,
        token_hash=hash_secret(token),
        invited_by_id=by.id,
        invited_at=now(),
    )
    db.session.add(evaluator)
    db.session.flush()
    link = link_for(token)
    if evaluator.address:
        body = _(
            "You are invited to evaluate the units of %(evaluation)s. Your personal link (do not pass it on): %(link)s",
            evaluation=evaluation.name,
            link=link,
        )
        notify.tell_address(f"evaluator{evaluator.id}", evaluator.channel, evaluator.address, evaluation.name, body)
    return evaluator, link


def _checked_address(channel: str | None, address: str | None) -> str | None:
    """Where to send the link: None when it is not sent; a mobile for SMS, an address for e-mail."""
    address = (address or "").strip()[:120]
    if not channel:
        return None
    if channel == "sms" and re.fullmatch(r"1[3-9]\d{9}", address):
        return address
    if channel == "email" and re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
        return address
    raise EvaluationError(_l("Give a valid mobile number for SMS, or a valid e-mail address for e-mail."))


def link_for(token: str) -> str:
    """The personal link of a token, on the public site."""
    return absolute(f"/evaluate/{token}")


# ---------------------------------------------------------------- the evaluator


def why_not_usable(evaluator: Evaluator) -> str | None:
    """Why this evaluator's link does not work now, or None when it does."""
    state = evaluator.evaluation.state
    if state == DRAFT:
        return _("This evaluation has not opened yet; use your link again once it opens.")
    if state != OPEN:
        return _("This evaluation is closed; thank you. Its results are published when ready.")
    if evaluator.finished_at is not None:
        return _("You have scored every unit already; the link no longer works. Thank you.")
    return None


def evaluator_for(token: str) -> Evaluator:
    """The evaluator whose link holds ``token``; raises :class:`EvaluationError` with what is wrong."""
    evaluator = db.session.scalar(select(Evaluator).where(Evaluator.token_hash == hash_secret(token or "")))
    if evaluator is None:
        raise UnknownLink(_l("This link is not valid. Check that you opened the whole link from your invitation."))
    problem = why_not_usable(evaluator)
    if problem:
        raise EvaluationError(problem)
    return evaluator


def voted_report_ids(evaluator: Evaluator) -> set[int]:
    """The units (their reports' ids) this evaluator has scored."""
    return set(db.session.scalars(select(Vote.report_id).where(Vote.evaluator_id == evaluator.id)))


def _scores(evaluation: Evaluation, scores: dict[int, int | None]) -> list[VoteScore]:
    found = []
    for criterion in evaluation.criteria:
        value = scores.get(criterion.id)
        if value is None or not SCORE_MIN <= value <= SCORE_MAX:
            raise EvaluationError(_l("Score every criterion from %(low)d to %(high)d.", low=SCORE_MIN, high=SCORE_MAX))
        found.append(VoteScore(criterion_id=criterion.id, score=value))
    return found


def cast_vote(evaluator: Evaluator, report: UnitReport, scores: dict[int, int | None], comment: str) -> Vote:
    """The evaluator's one vote on ``report``'s unit. Refused when the link no longer works, the unit
    is not in the evaluation, or it was scored already (the unique constraint also refuses a
    concurrent second submission). Scoring the last unit finishes the link."""
    problem = why_not_usable(evaluator)
    if problem:
        raise EvaluationError(problem)
    if report.evaluation_id != evaluator.evaluation_id:
        raise EvaluationError(_l("This unit is not part of your evaluation."))
    if report.id in voted_report_ids(evaluator):
        raise EvaluationError(_l("You have scored this unit already; a vote cannot be changed."))
    vote = Vote(
        evaluator_id=evaluator.id,
        report_id=report.id,
        comment=(comment or "").strip()[:TEXT_MAX],
        cast_at=now(),
        scores=_scores(evaluator.evaluation, scores),
    )
    db.session.add(vote)
    db.session.flush()
    if len(voted_report_ids(evaluator)) >= len(evaluator.evaluation.reports):
        evaluator.finished_at = now()
    return vote


# ---------------------------------------------------------------- the unit


def may_act_for(user: User, report: UnitReport) -> bool:
    """Whether ``user`` speaks for the unit of ``report`` (its handlers and leader)."""
    return user.role in (Role.HANDLER, Role.LEADER) and user.unit_id == report.unit_id


def submit_report(report: UnitReport, text: str, upload: storage.CheckedUpload | None, by: User) -> None:
    """The unit's report: text and/or a file (a new file replaces the earlier one); before closing."""
    if not may_act_for(by, report):
        raise EvaluationError(_l("Only the unit itself submits its report."))
    if report.evaluation.state not in (DRAFT, OPEN):
        raise EvaluationError(_l("The evaluation is closed; the report can no longer change."))
    text = (text or "").strip()[:REPORT_MAX]
    if not text and upload is None and report.stored_name is None:
        raise EvaluationError(_l("Write the report or attach it as a file."))
    report.text = text
    if upload is not None:
        report.stored_name = storage.write(upload)
        report.filename, report.content_type, report.size = upload.filename, upload.content_type, upload.size
    report.submitted_by_id, report.submitted_at = by.id, now()


def answer_comment(vote: Vote, text: str, by: User) -> UnitAnswer:
    """The unit's answer to one comment (its rectification); may be rewritten until replaced by a
    newer one. Only once voting is closed; the public text follows at once when already published."""
    report = vote.report
    if not may_act_for(by, report):
        raise EvaluationError(_l("Only the unit commented on may answer."))
    if report.evaluation.state not in (CLOSED, PUBLISHED):
        raise EvaluationError(_l("Comments are answered once the evaluation is closed."))
    text = (text or "").strip()[:TEXT_MAX]
    if not text:
        raise EvaluationError(_l("Write the answer: what was or will be rectified."))
    answer = vote.answer
    if answer is None:
        answer = UnitAnswer(vote=vote, text=text, answered_by_id=by.id)
        db.session.add(answer)
    answer.text, answer.answered_by_id, answer.answered_at = text, by.id, now()
    if report.evaluation.state == PUBLISHED:
        answer.public_text = evaluation_results.mask(text, evaluation_results.public_terms(report.evaluation))
    db.session.flush()
    return answer
