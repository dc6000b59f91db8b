"""Likely duplicates: found by the company rule and by close text among open tickets, shown on intake
and in the dispatch queue, merged with one click through the state machine, and only by staff who may."""

import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import event, text, true

from supervise.domain import duplicates, workflow
from supervise.domain.clock import frozen
from supervise.extensions import db
from supervise.models import State
from tests.factories import advance, file_ticket

AT = datetime(2026, 3, 4, 10, 0)
RENT = "厂房租金减免承诺未执行"


@pytest.fixture
def supervisor(world, login):
    return login(world.supervisor)


def page_text(response) -> str:
    return response.get_data(as_text=True)


def found(ticket) -> dict[str, duplicates.Candidate]:
    return {c.ticket.tracking_no: c for c in duplicates.candidates(ticket)}


# ---------------------------------------------------------------- the domain function


def test_the_same_company_and_category_within_30_days_is_a_likely_duplicate(world):
    first = file_ticket(world, title="孩子没有学位", at=AT - timedelta(days=20))
    second = file_ticket(world, title="秋季开学前请安排就读", at=AT)
    db.session.commit()
    candidate = found(second)[first.tracking_no]
    assert candidate.same_company and not candidate.close_text
    assert second.tracking_no in found(first)


def test_the_company_rule_leaves_out_other_companies_other_categories_and_older_tickets(world):
    mine = file_ticket(world, title="孩子没有学位", at=AT)
    others = [
        file_ticket(world, enterprise=world.rival, title="招工困难", at=AT),  # another company
        file_ticket(world, category=world.hiring, title="招不到焊工", at=AT),  # another category
        file_ticket(world, title="去年秋季的学位问题", at=AT - timedelta(days=31)),  # out of the window
    ]
    db.session.commit()
    assert not set(found(mine)) & {t.tracking_no for t in others}


def test_close_text_among_open_tickets_is_a_likely_duplicate_whatever_the_company(world):
    tickets = [file_ticket(world, title=RENT, enterprise=e, category=world.misc) for e in (world.acme, world.rival)]
    tickets.append(file_ticket(world, title=f"{RENT}，请督促兑现", enterprise=world.rival, category=world.hiring))
    unrelated = file_ticket(world, title="道路施工影响货车通行", enterprise=world.rival, category=world.misc)
    db.session.commit()
    candidates = found(tickets[0])
    assert set(candidates) == {tickets[1].tracking_no, tickets[2].tracking_no}
    assert candidates[tickets[2].tracking_no].close_text and not candidates[tickets[2].tracking_no].same_company
    assert unrelated.tracking_no not in candidates


def test_closed_declined_and_merged_tickets_are_not_candidates(world):
    closed = advance(world, file_ticket(world, title=RENT), State.CLOSED)
    declined = file_ticket(world, title=RENT, category=world.misc)
    workflow.perform(declined, "decline", world.supervisor, reason="repeat")
    merged, survivor = (file_ticket(world, title=RENT, category=world.misc) for _ in range(2))
    workflow.perform(merged, "merge", world.supervisor, into=survivor.tracking_no)
    open_one = file_ticket(world, title=RENT, category=world.misc)
    db.session.commit()
    assert set(found(open_one)) == {survivor.tracking_no}
    assert duplicates.candidates(closed) == [] and duplicates.candidates(merged) == []


def test_the_queue_asks_for_a_whole_page_in_a_fixed_number_of_queries(world):
    tickets = [file_ticket(world, title=f"{RENT}{i}", category=world.misc, at=AT) for i in range(6)]
    db.session.commit()
    assert all(t.state == State.SUBMITTED for t in tickets)  # loaded, as the queue's page has them
    statements = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(db.engine, "before_cursor_execute", listen)
    try:
        counts = duplicates.counts(tickets)
    finally:
        event.remove(db.engine, "before_cursor_execute", listen)
    assert counts == {t.id: 5 for t in tickets}
    assert len(statements) == 2  # the company rule and the text rule, for all rows at once


def test_a_common_title_counts_at_most_the_limit_and_the_closest_are_offered_first(world):
    same = [file_ticket(world, title=RENT, enterprise=world.rival, category=world.misc, at=AT) for _ in range(10)]
    reworded = file_ticket(world, title=f"{RENT}，请督促兑现", enterprise=world.rival, category=world.misc, at=AT)
    db.session.commit()
    assert duplicates.counts([*same, reworded]) == {t.id: duplicates.LIMIT for t in [*same, reworded]}
    offered = duplicates.candidates(same[0])
    assert len(offered) == duplicates.LIMIT
    assert reworded not in [c.ticket for c in offered]  # nine identical titles are closer than a rewording


def test_postgresql_counts_a_page_without_ranking_every_close_ticket(postgresql_only, world):
    """A title shared by thousands of open tickets (a common complaint, at a million tickets) must not be
    scored and sorted thousands of times per row: the queue's count stops at the limit in the index."""
    tickets = [file_ticket(world, title=RENT, category=world.misc, at=AT) for _ in range(3)]
    db.session.commit()
    connection = db.session.connection()
    connection.exec_driver_sql("SET LOCAL enable_seqscan = off")  # a small table would be read whole

    def plan(closest_first: bool) -> str:
        query = duplicates.text_query([t.id for t in tickets], true(), closest_first)
        compiled = query.compile(dialect=db.engine.dialect, compile_kwargs={"render_postcompile": True})
        return "\n".join(connection.exec_driver_sql(f"EXPLAIN {compiled}", compiled.params).scalars())

    assert "Sort" not in plan(closest_first=False)
    assert "ix_tickets_open_title " in plan(closest_first=False)  # the same title first, from the btree
    assert "Sort" in plan(closest_first=True)  # one ticket's page ranks them: the test can tell


@pytest.mark.parametrize("index", ["ix_tickets_open_title_trgm", "ix_tickets_open_title"])
def test_postgresql_keeps_the_open_tickets_titles_indexed(postgresql_only, index):
    """The text rule's indexes (migrations duplicate_hints, open_title_index): partial on exactly the states
    the query names, or the planner would not take them."""
    definition = db.session.execute(text("SELECT indexdef FROM pg_indexes WHERE indexname = :i"), {"i": index}).scalar()
    assert ("gin_trgm_ops" in definition) == index.endswith("_trgm")
    assert sorted(re.findall(r"'(\w+)'::character varying", definition)) == duplicates.OPEN_VALUES


def test_the_measure_is_pg_trgm_similarity():
    assert duplicates.similarity(RENT, RENT) == 1.0
    assert duplicates.similarity("abc", "xyz") == 0.0
    assert duplicates.trigrams("ab") == {"  a", " ab", "ab "}


# ---------------------------------------------------------------- the pages


def test_the_dispatch_queue_hints_at_duplicates_on_each_row(world, supervisor):
    with frozen(AT):
        pair = [
            advance(world, file_ticket(world, title=RENT, category=world.misc, enterprise=e), State.AWAITING_DISPATCH)
            for e in (world.acme, world.rival)
        ]
        # The same company and category, but filed 40 days before: not a likely duplicate.
        earlier = file_ticket(
            world, title="道路施工影响货车通行", category=world.misc, enterprise=world.rival, at=AT - timedelta(days=40)
        )
        alone = advance(world, earlier, State.AWAITING_DISPATCH)
        db.session.commit()
    page = page_text(supervisor.get("/console/?tab=dispatch_queue"))
    for t in pair:
        assert f'href="/console/tickets/{t.id}#duplicates">Possible duplicates 1</a>' in page
    assert f"/console/tickets/{alone.id}#duplicates" not in page


def test_the_intake_view_lists_the_candidates_with_a_merge_button_each(world, supervisor):
    first = file_ticket(world, title="孩子没有学位", at=AT - timedelta(days=3))
    second = file_ticket(world, title="秋季开学前请安排就读", at=AT)
    db.session.commit()
    page = page_text(supervisor.get(f"/console/tickets/{second.id}"))
    assert 'id="duplicates"' in page and first.tracking_no in page
    assert f'name="merge-into" value="{first.tracking_no}"' in page
    assert f"Merge into {first.tracking_no}" in page and "data-confirm" in page


@pytest.fixture
def csrf(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_one_click_merges_through_the_state_machine(world, supervisor, csrf):
    first = file_ticket(world, title=RENT, category=world.misc, at=AT - timedelta(days=1))
    second = file_ticket(world, title=RENT, category=world.misc, at=AT)
    db.session.commit()
    page = page_text(supervisor.get(f"/console/tickets/{second.id}"))
    merge_form = r'<form method="post" action="(/console/tickets/\d+/merge)" class="inline">(.*?)</form>'
    form = re.search(merge_form, page, re.S)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', form.group(2)))
    assert fields["merge-into"] == first.tracking_no and fields["merge-csrf_token"]
    response = supervisor.post(form.group(1), data=fields, follow_redirects=True)
    assert response.status_code == 200
    assert "Done: Merged into another ticket." in page_text(response)
    db.session.expire_all()
    assert second.state == State.MERGED and second.merged_into_id == first.id
    assert [e.action for e in first.events][-1] == "merged_from"
    # The survivor no longer offers the merged ticket.
    assert second.tracking_no not in found(first)


def test_a_merge_without_the_form_token_is_refused(world, supervisor, csrf):
    first = file_ticket(world, title=RENT, category=world.misc)
    second = file_ticket(world, title=RENT, category=world.misc)
    db.session.commit()
    response = supervisor.post(
        f"/console/tickets/{second.id}/merge", data={"merge-into": first.tracking_no, "version": second.version}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert second.state == State.SUBMITTED


@pytest.mark.parametrize("who", ["handler", "leader", "enterprise_user", "cadre", "admin"])
def test_only_supervisors_see_the_candidates_and_merge(world, login, who):
    first = file_ticket(world, title=RENT, category=world.misc)
    second = file_ticket(world, title=RENT, category=world.misc)
    db.session.commit()
    client = login(getattr(world, who))
    assert client.get(f"/console/tickets/{second.id}").status_code in (302, 403)
    assert client.get("/console/?tab=to_accept").status_code in (302, 403)
    response = client.post(
        f"/console/tickets/{second.id}/merge", data={"merge-into": first.tracking_no, "version": second.version}
    )
    assert response.status_code in (302, 403)
    db.session.expire_all()
    assert second.state == State.SUBMITTED
