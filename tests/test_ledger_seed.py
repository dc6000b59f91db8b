"""The ledger's demo data: the province's 23 and self-inspection's 27 problems closed, two rounds with
scores, findings and the second's verification of the first's, items in every state, nothing in the future."""

import random

from sqlalchemy import func, select

from supervise import seed
from supervise.domain import ledger, rounds
from supervise.domain.clock import now
from supervise.extensions import db
from supervise.models import LedgerEvent, LedgerItem, LedgerSource, LedgerState, RoundScore, RoundVerification, User
from supervise.seed.accounts import load_staff
from supervise.seed.ledger import load_ledger


def test_the_demo_ledger_tells_the_districts_year(app, client, login):
    seed.load_reference()
    load_staff()
    at = now()
    load_ledger(random.Random(1), at)
    db.session.commit()
    found = ledger.counts()
    assert found[(LedgerSource.PROVINCIAL, LedgerState.CLOSED)] == 23
    assert found[(LedgerSource.SELF_INSPECTION, LedgerState.CLOSED)] == 27
    assert {state for (_source, state) in found} == set(LedgerState)
    second = rounds.latest_round()
    first = second.previous
    assert second.previous_id == first.id and len(first.units) == 18
    assert db.session.scalar(select(func.count()).select_from(RoundScore)) == 2 * 18 * len(rounds.CHECKLIST)
    verdicts = [done.confirmed for _item, done in rounds.to_verify(second) if done]
    assert verdicts.count(True) == 5 and verdicts.count(False) == 2
    actions = set(db.session.scalars(select(LedgerEvent.action)))
    assert {"create", "submit", "accept", "send_back", "reopen"} <= actions
    assert db.session.scalar(select(func.max(LedgerEvent.at))) <= at
    assert db.session.scalar(select(func.count()).select_from(RoundVerification)) == 7
    overdue = db.session.scalar(
        select(func.count())
        .select_from(LedgerItem)
        .where(LedgerItem.state == LedgerState.RECTIFYING, LedgerItem.deadline < at.date())
    )
    assert overdue >= 2
    login(User.by_username("supervisor"))
    for path in ("/console/ledger", "/console/rounds", f"/console/rounds/{first.id}", f"/console/rounds/{second.id}"):
        assert client.get(path).status_code == 200, path
    login(User.by_username("approval_handler"))
    assert client.get("/unit/ledger").status_code == 200
    page = client.get("/rectification").get_data(as_text=True)
    assert "56 of 66 problems rectified and closed" in page  # 50, five of the first round, one of the second
