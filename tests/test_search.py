"""Search of published tickets in Chinese (bigram index): two-character words and phrases are found,
combined with the list's filters, from the index on SQLite (FTS5) and PostgreSQL (GIN); unpublished
tickets and masked identifiers are never found."""

import html
import re
from contextlib import contextmanager
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import event, insert, select, text, update

from supervise import paging
from supervise.domain import disclosure, search, subscribers, workflow
from supervise.domain.disclosure import PublicFilters
from supervise.domain.measures import cells
from supervise.extensions import db
from supervise.models import State, Ticket
from tests.factories import advance, file_ticket

BASE = datetime(2026, 3, 2, 9)  # a Monday
SUBSIDY = ("稳岗返还补贴迟迟未到账", "某企业反映去年申请的稳岗返还补贴至今未发放，影响职工工资发放。")
SCHOOL = ("职工子女入学难", "某企业反映外地职工子女今年秋季入学没有学位。")
PERMIT = ("施工许可办理时间长", "某企业反映施工许可审批环节多、时间长。")


@pytest.fixture(autouse=True)
def _search_connected():
    """Keep search documents current as production does."""
    subscribers.connect_all()


def listed(response) -> list[str]:
    assert response.status_code == 200
    return re.findall(r'href="/disclosure/(\d+)"', response.get_data(as_text=True))


def found(client, q: str, **filters) -> list[str]:
    return listed(client.get("/disclosure", query_string={"q": q, **filters}))


def published(
    world, texts: tuple[str, str], category=None, to=State.DISPATCHED, at=BASE, reply=None, **fields
) -> Ticket:
    """A ticket moved to ``to`` and published with the public title and summary ``texts``; by default
    in 员工招聘 (led by the HR bureau), whose names share no word with the texts searched for."""
    ticket = advance(world, file_ticket(world, category=category or world.hiring, at=at, **fields), to, at=at)
    workflow.perform(ticket, "publish", world.supervisor, at=at, public_title=texts[0], public_summary=texts[1])
    if reply:
        workflow.perform(ticket, "publish_result", world.supervisor, at=at, public_reply=reply)
    db.session.flush()
    return ticket


# ---------------------------------------------------------------- tokenisation


def test_chinese_runs_become_overlapping_bigrams_and_latin_words_lower_case_words():
    doc = search.document(["稳岗返还，WiFi 覆盖 ５Ｇ", "补"]).split()
    assert doc[:4] == ["稳岗", "岗返", "返还", "还"]  # a run's bigrams, then its last character
    assert {"wifi", "覆盖", "盖", "5g", "补"} <= set(doc)
    assert len(doc) == len(set(doc))


def test_a_query_is_cut_the_same_way_into_required_terms():
    assert search.query_terms("补贴") == ["补贴"]
    assert search.query_terms("稳岗返还") == ["稳岗", "岗返", "返还"]
    assert search.query_terms(" 入学 WiFi ") == ["入学", "wifi"]
    assert search.query_terms("补") == ["补"]
    assert search.query_terms("“”！？ ' \" & | * : ( )") == []
    assert search.search_clause("，。！") is None


def test_the_search_document_holds_only_the_public_masked_texts(world):
    ticket = published(world, SUBSIDY, reply=None, description="恒达公司的秘密：内部账号 abc123")
    doc = ticket.search_doc.split()

    # title, summary, category (with its area), area, lead unit
    assert {"稳岗", "补贴", "影响", "员工", "招聘", "公共", "服务", "东津", "人力", "资源"} <= set(doc)
    assert "abc123" not in doc and "秘密" not in doc  # the private description is not indexed


# ---------------------------------------------------------------- finding


def test_a_two_character_word_is_found(client, world):
    subsidy = published(world, SUBSIDY, at=BASE)
    school = published(world, SCHOOL, at=BASE + timedelta(hours=1))
    published(world, PERMIT, at=BASE + timedelta(hours=2))
    db.session.commit()

    assert found(client, "补贴") == [subsidy.tracking_no]
    assert found(client, "入学") == [school.tracking_no]
    assert found(client, "审批") == [listed(client.get("/disclosure"))[0]]
    assert found(client, "拆迁") == []


def test_a_four_character_phrase_is_found_and_a_phrase_not_in_the_text_is_not(client, world):
    subsidy = published(world, SUBSIDY)
    published(world, SCHOOL)
    db.session.commit()

    assert found(client, "稳岗返还") == [subsidy.tracking_no]
    assert found(client, "工资发放") == [subsidy.tracking_no]
    assert found(client, "稳岗补助") == []  # 补助 is not in the text


def test_several_words_must_all_be_present(client, world):
    subsidy = published(world, SUBSIDY)
    published(world, SCHOOL)
    db.session.commit()

    assert found(client, "补贴 职工") == [subsidy.tracking_no]
    assert found(client, "补贴 学位") == []


def test_a_single_character_is_found_wherever_it_stands(client, world):
    subsidy = published(world, SUBSIDY, at=BASE)
    school = published(world, SCHOOL, at=BASE + timedelta(hours=1))
    db.session.commit()

    assert found(client, "贴") == [subsidy.tracking_no]  # inside a run: 贴迟, 贴至
    assert found(client, "位") == [school.tracking_no]  # the last character of a run: 学位。
    assert found(client, "某") == [school.tracking_no, subsidy.tracking_no]


def test_the_result_text_is_searchable_once_published(client, world):
    ticket = published(world, SCHOOL, world.schooling, to=State.CLOSED, at=BASE)
    db.session.commit()
    assert found(client, "协调") == []

    workflow.perform(ticket, "publish_result", world.supervisor, public_reply="教育局已协调学位，孩子已入学。")
    db.session.commit()
    assert found(client, "协调") == [ticket.tracking_no]


def test_latin_words_and_numbers_are_found_case_insensitively(client, world):
    ticket = published(world, ("ETC 设备安装难", "某企业反映 ETC 设备需要 30 天才能安装。"))
    db.session.commit()

    assert found(client, "etc") == [ticket.tracking_no]
    assert found(client, "ＥＴＣ 30") == [ticket.tracking_no]


def test_search_combines_with_the_category_unit_and_state_filters(client, world):
    school_open = published(world, SCHOOL, world.schooling, to=State.IN_PROGRESS, at=BASE)  # 子女入学, 教育局
    school_closed = published(world, SCHOOL, world.schooling, to=State.CLOSED, at=BASE + timedelta(hours=1))
    hiring = published(
        world, ("招聘职工子女入学", "某企业反映新招职工子女入学难。"), world.hiring, at=BASE + timedelta(hours=2)
    )
    published(world, PERMIT, world.hiring, at=BASE + timedelta(hours=3))
    db.session.commit()
    cells.refresh_dirty()  # the minute job: the unit filter offers units from the kept measures

    assert found(client, "入学") == [hiring.tracking_no, school_closed.tracking_no, school_open.tracking_no]
    assert found(client, "入学", category=world.hiring.id) == [hiring.tracking_no]
    assert found(client, "入学", category=world.public_services.id) == [
        hiring.tracking_no,
        school_closed.tracking_no,
        school_open.tracking_no,
    ]
    assert found(client, "入学", unit=world.edu.id) == [school_closed.tracking_no, school_open.tracking_no]
    assert found(client, "入学", unit=world.hr.id) == [hiring.tracking_no]
    assert found(client, "入学", state="closed") == [school_closed.tracking_no]
    assert found(client, "入学", state="open", unit=world.edu.id) == [school_open.tracking_no]
    assert found(client, "入学", since="2026-03-03") == []


def test_the_unit_and_category_names_are_searchable(client, world):
    school = published(world, SCHOOL, world.schooling, at=BASE)
    hiring = published(world, PERMIT, world.hiring, at=BASE + timedelta(hours=1))
    db.session.commit()

    assert found(client, "教育局") == [school.tracking_no]
    assert found(client, "员工招聘") == [hiring.tracking_no]
    assert found(client, "公共服务") == [hiring.tracking_no, school.tracking_no]


def test_redispatching_to_another_unit_updates_the_searchable_unit(client, world):
    ticket = published(world, PERMIT, world.misc, to=State.AWAITING_DISPATCH)
    workflow.perform(ticket, "dispatch", world.supervisor, unit_id=world.edu.id)
    db.session.commit()
    assert found(client, "教育局") == [ticket.tracking_no]

    workflow.perform(ticket, "dispatch", world.supervisor, unit_id=world.hr.id)
    db.session.commit()
    assert found(client, "教育局") == []
    assert found(client, "人力资源") == [ticket.tracking_no]


def test_the_next_page_link_keeps_the_search(client, world):
    for i in range(23):
        published(world, SUBSIDY, at=BASE + timedelta(minutes=i))
    published(world, SCHOOL, at=BASE + timedelta(hours=1))
    db.session.commit()

    first = client.get("/disclosure", query_string={"q": "补贴", "state": "open"})
    page = first.get_data(as_text=True)
    next_url = html.unescape(re.search(r'href="([^"]+)" rel="next"', page).group(1))
    second = client.get(next_url)

    assert parse_qs(urlparse(next_url).query)["q"] == ["补贴"]
    assert 'value="补贴"' in page and 'type="search"' in page
    assert len(listed(first)) == 20 and len(listed(second)) == 3
    assert set(listed(first)).isdisjoint(listed(second))


@pytest.mark.parametrize(
    "q",
    [
        '"',
        "'",
        '补贴"',
        "'补贴'",
        "补贴 OR 入学",
        "NEAR(补贴",
        "补贴*",
        "-补贴",
        "补贴 & !入学",
        "a:b",
        "^补贴",
        "\\",
        "%_",
        "补贴" * 30,
    ],
)
def test_odd_search_text_never_fails(client, world, q):
    published(world, SUBSIDY)
    db.session.commit()

    response = client.get("/disclosure", query_string={"q": q})

    assert response.status_code == 200


def test_a_search_that_is_too_long_is_refused_with_a_message(client, world):
    published(world, SUBSIDY)
    db.session.commit()

    response = client.get("/disclosure", query_string={"q": "补" * 51})

    assert response.status_code == 200
    assert "Field cannot be longer than 50 characters." in response.get_data(as_text=True)


# ---------------------------------------------------------------- never found


def test_unpublished_tickets_are_never_found(client, world):
    advance(world, file_ticket(world, title="稳岗返还补贴", description="稳岗返还补贴没有到账"), State.CLOSED)
    withdrawn = published(world, SUBSIDY)
    db.session.commit()
    assert found(client, "补贴") == [withdrawn.tracking_no]

    workflow.perform(withdrawn, "unpublish", world.supervisor, note="企业要求撤回")
    db.session.commit()

    assert withdrawn.search_doc is None
    assert found(client, "补贴") == []
    assert found(client, "到账") == []


def test_masked_identifiers_cannot_be_searched_for(client, world):
    texts = (
        "襄阳市恒达精密制造有限公司反映补贴未到账",
        "襄阳市恒达精密制造有限公司（联系人王建国，电话13912345678）反映补贴未到账。",
    )
    ticket = published(world, texts)
    db.session.commit()
    assert found(client, "补贴") == [ticket.tracking_no]

    for identifier in ("襄阳市恒达精密制造有限公司", "恒达精密", "王建国", "13912345678", world.acme.credit_code):
        assert found(client, identifier) == [], identifier
    assert not set(search.query_terms("恒达精密 王建国 13912345678")) & set(ticket.search_doc.split())


def test_a_redaction_term_added_later_stops_the_word_being_found(client, world):
    ticket = published(world, ("恒达厂区门口道路破损", "某企业反映恒达厂区门口道路破损，影响通行。"))
    db.session.commit()
    assert found(client, "恒达厂区") == [ticket.tracking_no]

    workflow.perform(ticket, "add_redaction_term", world.supervisor, term="恒达")
    db.session.commit()

    assert found(client, "恒达厂区") == []
    assert found(client, "恒达") == []
    assert found(client, "道路破损") == [ticket.tracking_no]


def test_reindex_all_backfills_documents_and_drops_stale_ones(client, world):
    subsidy = published(world, SUBSIDY)
    hidden = advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()
    db.session.execute(update(Ticket).where(Ticket.id == subsidy.id).values(search_doc=None))
    db.session.execute(update(Ticket).where(Ticket.id == hidden.id).values(search_doc="入学"))
    db.session.commit()
    assert found(client, "补贴") == [] and found(client, "入学") == []

    assert search.reindex_all(batch_size=1) == 2
    assert search.reindex_all() == 0  # again: nothing left to change

    assert found(client, "补贴") == [subsidy.tracking_no]
    assert found(client, "入学") == []
    assert found(client, "招聘") == [subsidy.tracking_no]  # in its category's name, 员工招聘


def test_reindex_takes_in_a_renamed_unit_or_a_new_alias(client, world):
    ticket = published(world, ("恒达厂区门口道路破损", "某企业反映恒达厂区门口道路破损。"))
    other = published(world, SUBSIDY, world.schooling)
    db.session.commit()

    world.hr.name = "区就业服务局"
    db.session.commit()
    assert found(client, "就业") == []
    assert search.reindex(Ticket.lead_unit_id == world.hr.id) == 1
    assert found(client, "就业") == [ticket.tracking_no]

    world.acme.aliases = "恒达"
    db.session.commit()
    assert found(client, "恒达") == [ticket.tracking_no]
    assert search.reindex(Ticket.enterprise_id == world.acme.id) == 1  # the other ticket does not change
    assert found(client, "恒达") == []
    assert found(client, "补贴") == [other.tracking_no]


# ---------------------------------------------------------------- from the index


def _sql(query) -> str:
    return str(query.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))


def _plan(sql: str) -> str:
    """The query plan of ``sql``; on PostgreSQL with sequential scans forbidden, since with a few rows
    they are cheaper and the planner would not show whether the index can answer."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE tickets"))
        db.session.execute(text("SET LOCAL enable_seqscan = off"))
        return "\n".join(db.session.scalars(text("EXPLAIN " + sql)))
    return "\n".join(row[3] for row in db.session.execute(text("EXPLAIN QUERY PLAN " + sql)))


def _assert_from_the_index(plan: str) -> None:
    if db.engine.dialect.name == "postgresql":
        assert re.search(r"Bitmap Index Scan on ix_tickets_search_vector", plan), plan
    else:
        assert re.search(r"SCAN tickets_fts VIRTUAL TABLE INDEX \d+:M", plan), plan
        assert not re.search(r"SCAN tickets$", plan, re.M), plan


@pytest.fixture
def thirty(world):
    for i in range(30):
        published(world, SUBSIDY if i % 3 == 0 else SCHOOL, at=BASE + timedelta(minutes=i))
    advance(world, file_ticket(world), State.IN_PROGRESS)
    db.session.commit()


@pytest.mark.parametrize("q", ["补贴", "稳岗返还", "贴", "etc 补贴"])
def test_the_search_condition_is_answered_from_the_index(thirty, q):
    sql = _sql(select(Ticket.id).where(search.search_clause(q)))

    _assert_from_the_index(_plan(sql))
    assert len(db.session.execute(text(sql)).all()) == (0 if "etc" in q else 10)


@pytest.fixture
def many(thirty, world):
    """3,000 more published tickets, newer than the thirty and without their words, added in bulk:
    what a search for a rare word has to skip when it walks the list in order."""
    model = db.session.scalar(select(Ticket).where(Ticket.published_at.is_not(None)).limit(1))
    row = {c.name: getattr(model, c.key) for c in Ticket.__table__.columns if c.name != "id"}
    doc = search.document(list(PERMIT))
    db.session.execute(
        insert(Ticket.__table__),
        [
            {
                **row,
                "tracking_no": f"F{i:07d}",
                "submission_key": None,
                "search_doc": doc,
                "published_at": BASE + timedelta(days=1, minutes=i),
            }
            for i in range(3000)
        ],
    )
    db.session.commit()


@pytest.mark.parametrize("q", ["补贴", "稳岗返还"])
def test_a_search_of_the_whole_list_is_answered_by_an_index(many, client, q):
    """The plan the list falls back to (a rare word, or SQLite) reads no table from end to end."""
    query = (
        disclosure.published_query(PublicFilters(q=q, state="open"))
        .order_by(Ticket.published_at.desc(), Ticket.id.desc())
        .limit(21)
    )
    sql = _sql(query)

    plan = _plan(sql)
    if db.engine.dialect.name == "postgresql":
        assert "Seq Scan" not in plan, plan
    else:
        _assert_from_the_index(plan)
    assert len(db.session.execute(text(sql)).all()) == 10
    assert len(found(client, q)) == 10


@contextmanager
def statements():
    """The SQL statements (with their parameters) sent to the database inside the block."""
    sent = []

    def remember(conn, cursor, statement, parameters, context, executemany):
        sent.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", remember)
    try:
        yield sent
    finally:
        event.remove(db.engine, "before_cursor_execute", remember)


def _newest(world, count: int, texts=SUBSIDY) -> list[str]:
    """``count`` published tickets with ``texts``, newer than the others; their numbers, newest first."""
    tickets = [published(world, texts, at=BASE + timedelta(days=5, minutes=i)) for i in range(count)]
    db.session.commit()
    return [t.tracking_no for t in reversed(tickets)]


def test_a_frequent_word_is_found_among_the_newest_tickets_without_sorting_every_match(many, world, monkeypatch):
    """PostgreSQL: a word on every page tests the stored vectors of the newest tickets, walking the
    date index; the GIN index, which would hand over every match to be sorted, is not asked. (The
    window is cut to 100 here to keep its size to the table's what 5,000 is to a million.)"""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite answers every search from FTS5")
    monkeypatch.setattr(disclosure, "SEARCH_WINDOW", 100)
    expected = _newest(world, 25)
    db.session.execute(text("ANALYZE tickets"))

    with statements() as sent:
        rows, cursor = disclosure.published_page(PublicFilters(q="稳岗返还"), None)

    assert [t.tracking_no for t in rows] == expected[:20] and cursor
    ((window, parameters),) = [(s, p) for s, p in sent if "search_vector" in s]
    plan = "\n".join(db.session.connection().exec_driver_sql("EXPLAIN " + window, parameters).scalars())
    assert "Index Scan Backward using ix_tickets_published on tickets" in plan, plan
    assert "ix_tickets_search_vector" not in plan and "Sort" not in plan, plan


def test_a_word_rare_among_the_newest_tickets_is_looked_up_in_the_index(many, world, monkeypatch):
    """PostgreSQL: when the window holds less than a page, the matches are gathered (at a million
    tickets from the GIN index; at this size the planner may take another index) and sorted, rather
    than found by walking the dates back row by row, page 2 included."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite answers every search from FTS5")
    monkeypatch.setattr(disclosure, "SEARCH_WINDOW", 100)
    expected = [
        t.tracking_no
        for t in db.session.scalars(
            select(Ticket)
            .where(Ticket.search_doc.contains("补贴"))
            .order_by(Ticket.published_at.desc(), Ticket.id.desc())
        )
    ]
    db.session.execute(text("ANALYZE tickets"))

    with statements() as sent:
        first, cursor = disclosure.published_page(PublicFilters(q="补贴"), None, per_page=6)
        second, _ = disclosure.published_page(PublicFilters(q="补贴"), cursor, per_page=6)

    assert [t.tracking_no for t in first + second] == expected[:12]
    lookups = [(s, p) for s, p in sent if "MATERIALIZED" in s]
    assert len(lookups) == 2
    db.session.execute(text("SET LOCAL enable_seqscan = off"))  # at this size a scan would be cheaper
    for statement, parameters in lookups:
        plan = "\n".join(db.session.connection().exec_driver_sql("EXPLAIN " + statement, parameters).scalars())
        assert "Index Scan Backward" not in plan and "Seq Scan" not in plan, plan
        assert "CTE matches" in plan, plan


def test_a_deep_page_starts_at_its_cursor_in_the_date_index(many):
    """The keyset cursor is a range of the index on (published_at, id), not a filter on every newer row."""
    after = disclosure.decode_cursor(
        disclosure.encode_cursor(
            db.session.scalars(
                select(Ticket)
                .where(Ticket.published_at.is_not(None))
                .order_by(Ticket.published_at.desc(), Ticket.id.desc())
                .offset(2000)
                .limit(1)
            ).one()
        )
    )
    query = (
        paging.after(disclosure.published_query(PublicFilters()), disclosure.ORDER, after)
        .order_by(Ticket.published_at.desc(), Ticket.id.desc())
        .limit(21)
    )

    plan = _plan(_sql(query))
    if db.engine.dialect.name == "postgresql":
        assert re.search(r"Index Cond: .*ROW\(published_at, id\) <", plan), plan
    else:
        assert re.search(r"SEARCH tickets USING INDEX ix_tickets_published \(.*published_at<\?\)", plan), plan
    assert len(db.session.execute(query).all()) == 21


@pytest.mark.parametrize("window", [1, 7, 5000])
def test_the_pages_of_a_search_are_the_same_whatever_the_window(many, world, client, monkeypatch, window):
    """Found in the window or, when it holds less than a page, by the whole index: the same tickets
    in the same order, page after page, with the other filters still applied."""
    expected = _newest(world, 23)
    older = [
        t.tracking_no
        for t in db.session.scalars(
            select(Ticket)
            .where(Ticket.published_at < BASE + timedelta(days=1), Ticket.search_doc.contains("补贴"))
            .order_by(Ticket.published_at.desc(), Ticket.id.desc())
        )
    ]
    monkeypatch.setattr(disclosure, "SEARCH_WINDOW", window)

    pages, url = [], "/disclosure?q=补贴"
    while url:
        page = client.get(url).get_data(as_text=True)
        pages.append(re.findall(r'href="/disclosure/(\d+)"', page))
        more = re.search(r'href="(/disclosure\?[^"]*after=[^"]*)"', page)
        url = html.unescape(more.group(1)) if more else None

    assert [n for page in pages for n in page] == expected + older
    assert [len(page) for page in pages] == [20, 13]
    assert found(client, "补贴", unit=str(world.hr.id)) == expected[:20]
    assert found(client, "补贴", state="closed") == []
