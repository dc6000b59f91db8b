"""Fill a PostgreSQL database with realistic tickets for the scale benchmark (issue 4, item 6).

    .venv/bin/python -m bench.generate --tickets 1000000 --create \\
        --database-url postgresql+psycopg://postgres@127.0.0.1/supervise_bench_1m

Phases, each timed: the schema (the migrations, as ``flask db upgrade``), the reference data
(``supervise.seed.load_reference``, the demo staff and the holiday calendar back to the first ticket), enterprises with
valid credit codes and some accounts, the tickets with their timelines and co-units (told by
:mod:`bench.simulate` in ``--jobs`` processes and loaded with COPY, in batches, while the secondary
indexes are dropped), the indexes rebuilt, VACUUM ANALYZE, and the measures (``measures.cells.refresh_all``).

The database must be empty (``--create`` makes it; ``--drop-existing`` starts a ``supervise_bench*``
database over). The URL comes from ``--database-url`` or ``BENCH_DATABASE_URL``.
"""

import argparse
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import psycopg
from sqlalchemy import func, insert, select
from sqlalchemy.engine import make_url
from werkzeug.security import generate_password_hash

from bench import simulate
from bench.simulate import STREET, CategoryInfo, EnterpriseInfo, WorkingDays, World

YEARS = 3
SEED = 2026
BATCH = 50_000
INDUSTRY_WORDS = {
    "制造业": ["精密机械", "汽车零部件", "轴承", "液压件", "模具", "智能装备", "线缆", "纺织", "汽车座椅"],
    "信息技术": ["软件科技", "数据服务", "信息技术", "智能科技", "网络科技", "导航应用"],
    "生物医药": ["生物医药", "制药", "医疗器械", "健康产业", "生物技术"],
    "新材料": ["新材料", "铝业", "新型建材", "半导体材料", "复合材料"],
    "新能源": ["新能源", "光伏科技", "储能技术", "氢能科技", "电池"],
    "商贸流通": ["商贸", "智慧物流", "冷链物流", "供应链管理", "汽车销售服务"],
    "建筑业": ["建设工程", "建筑安装", "市政工程"],
    "现代服务业": ["检测认证", "酒店管理", "环保科技", "企业管理咨询", "孵化器管理"],
    "农业": ["农业科技", "生态农业", "食品"],
    "其他行业": ["实业", "发展"],
}
BRAND_CHARACTERS = (
    "恒达鑫源瑞康驰能云图通隆泰天诚博远星辰绿华明捷信楚风宏聚金鼎优品安精工智联北斗锦程新航嘉禾晶蓝海"
    "正和中科东岳宝丰力拓晟德创客汉江光电兴盛祥润泽富邦永利昌茂荣顺宇万科盈丰"
)


class Phases:
    """Times each phase of the run and prints it as it ends."""

    def __init__(self):
        self.times: list[tuple[str, float]] = []
        self.started = time.perf_counter()

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        print(f"-- {name} …", flush=True)
        start = time.perf_counter()
        yield
        seconds = time.perf_counter() - start
        self.times.append((name, seconds))
        print(f"   {name}: {seconds:.1f} s", flush=True)

    def report(self) -> None:
        print("\nPhase                          seconds")
        for name, seconds in self.times:
            print(f"{name:<30} {seconds:8.1f}")
        print(f"{'total':<30} {time.perf_counter() - self.started:8.1f}")


def libpq_url(url: str, database: str | None = None) -> str:
    """A SQLAlchemy URL (postgresql+psycopg://…) as a libpq connection string."""
    parsed = make_url(url).set(drivername="postgresql")
    if database:
        parsed = parsed.set(database=database)
    return parsed.render_as_string(hide_password=False)


def prepare_database(url: str, create: bool, drop_existing: bool) -> None:
    """Create the database (C.UTF-8, from template0) when asked; refuse to touch anything but our own."""
    name = make_url(url).database
    with psycopg.connect(libpq_url(url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and drop_existing:
            if not name.startswith("supervise_bench"):
                sys.exit(f"refusing to drop {name}: only supervise_bench* databases are dropped")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            if not create:
                sys.exit(f"database {name} does not exist (use --create)")
            conn.execute(
                f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
            )


# ---------------------------------------------------------------- reference data and enterprises


def load_reference(now: datetime) -> None:
    from supervise import seed
    from supervise.domain.calendar_admin import sync_from_package

    seed.load_reference()
    seed.load_staff()
    sync_from_package(list(range(now.year - YEARS - 1, now.year - 1)))  # load_reference covers the rest


def _mobile(rng: random.Random) -> str:
    return f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"


def add_enterprises(count: int, now: datetime, rng: random.Random) -> None:
    """``count`` enterprises with unique names and valid credit codes; a third with their own account,
    two in five paired with a liaison cadre."""
    from flask import current_app

    from supervise import seed_data as D
    from supervise.domain import credit_code
    from supervise.extensions import db
    from supervise.models import Area, Enterprise, LiaisonPair, Role, User, Verification, VerificationMethod

    areas = list(db.session.scalars(select(Area).order_by(Area.id)))
    names, codes, rows = set(), set(), []
    since = now - timedelta(days=365 * YEARS + 60)
    while len(rows) < count:
        industry = rng.choice(list(INDUSTRY_WORDS))
        brand = "".join(rng.sample(BRAND_CHARACTERS, 2))
        word = rng.choice(INDUSTRY_WORDS[industry])
        place, form = rng.choice(("襄阳", "襄阳", "湖北")), rng.choice(("有限公司", "有限公司", "股份有限公司"))
        name = f"{place}{brand}{word}{form}"
        first17 = "91420600" + "".join(rng.choices(credit_code.ALPHABET, k=9))
        code = first17 + credit_code.check_character(first17)
        if name in names or code in codes:
            continue
        names.add(name)
        codes.add(code)
        number = len(rows) + 1
        area = rng.choice(areas)
        rows.append(
            {
                "name": name,
                "credit_code": code,
                "industry": industry,
                "contact_name": rng.choice(D.SURNAMES) + rng.choice(D.GIVEN_NAMES),
                "contact_mobile": _mobile(rng),
                "email": f"contact{number:05d}@example.com" if rng.random() < 0.6 else None,
                "address": f"襄阳市高新区{rng.choice(D.ROADS)}{rng.randint(1, 300)}号",
                "area_id": area.id,
                "aliases": f"{brand}{word[:2]}",
                "created_at": since + timedelta(days=rng.randint(0, 60)),
                "contact_on_record": True,
            }
        )
    ids = list(db.session.scalars(insert(Enterprise).returning(Enterprise.id, sort_by_parameter_order=True), rows))
    password_hash = generate_password_hash("Bench-2026-pass", current_app.config["PASSWORD_HASH_METHOD"])
    users = [
        {
            "username": f"bench_ent{i:05d}",
            "name": row["contact_name"],
            "role": Role.ENTERPRISE,
            "enterprise_id": ident,
            "mobile": row["contact_mobile"],
            "email": row["email"],
            "password_hash": password_hash,
            "created_at": row["created_at"],
            "verification": Verification.VERIFIED,
            "verification_method": VerificationMethod.STAFF,
        }
        for i, (ident, row) in enumerate(zip(ids, rows, strict=True), 1)
        if rng.random() < 0.33
    ]
    db.session.execute(insert(User), users)
    cadres = list(db.session.scalars(select(User.id).where(User.role == Role.CADRE).order_by(User.id)))
    pairs = [
        {"cadre_id": cadres[i % len(cadres)], "enterprise_id": ident, "created_at": rows[i]["created_at"]}
        for i, ident in enumerate(ids)
        if rng.random() < 0.4
    ]
    db.session.execute(insert(LiaisonPair), pairs)
    db.session.flush()


def build_world(now: datetime, seed: int) -> World:
    """The reference data the ticket stories are told from, as plain values."""
    from supervise import seed_data as D
    from supervise.domain import routing
    from supervise.domain.calendar import load_calendar
    from supervise.extensions import db
    from supervise.models import Area, Category, Enterprise, LiaisonPair, Role, Unit, User

    origin = datetime.combine((now - timedelta(days=365 * YEARS)).date(), datetime.min.time())
    days = WorkingDays(
        load_calendar().is_working_day, origin.date() - timedelta(days=7), now.date() + timedelta(days=800)
    )
    units = {u.id: (u.name, u.short_name or u.name) for u in db.session.scalars(select(Unit))}
    slug_unit = {slug: next(i for i, (n, _) in units.items() if n == name) for slug, name, *_ in D.UNITS}
    areas = {a.id: a.name for a in db.session.scalars(select(Area))}
    area_ids = {name: ident for ident, name in areas.items()}
    street_of = {area_ids[name]: slug_unit[slug] for name, slug in D.AREAS}
    specs = {spec["name"]: spec for spec in D.CATEGORIES}
    categories = []
    for category in db.session.scalars(select(Category).where(Category.parent_id.is_not(None)).order_by(Category.id)):
        spec = specs[category.name]
        lead = {}
        for area_id in areas:
            unit = routing.resolve_lead_unit(category, area_id)
            lead[area_id] = unit.id if unit is not None else None
        categories.append(
            CategoryInfo(
                id=category.id,
                name=category.name,
                full_name=category.full_name,
                limit=category.limit_class.value,
                templates=D.TEMPLATES[category.name],
                replies=D.REPLIES[category.name],
                questions=spec["questions"],
                lead=lead,
                alternatives=[STREET if slug == "street" else slug_unit[slug] for slug in spec["alt"]],
                co_units=[u.id for u in category.co_units if u.active],
            )
        )
    weights = [specs[c.name]["weight"] for c in categories]
    by_name = {c.name: c for c in categories}

    accounts = dict(db.session.execute(select(User.enterprise_id, User.id).where(User.role == Role.ENTERPRISE)).all())
    cadres = dict(db.session.execute(select(LiaisonPair.enterprise_id, LiaisonPair.cadre_id)).all())
    enterprises = [
        EnterpriseInfo(
            id=e.id,
            area_id=e.area_id,
            label=e.public_label,
            terms=[*e.redaction_terms(), e.contact_name],
            contact_name=e.contact_name,
            contact_mobile=e.contact_mobile,
            email=e.email,
            user_id=accounts.get(e.id),
            cadre_id=cadres.get(e.id),
        )
        for e in db.session.scalars(select(Enterprise).order_by(Enterprise.id))
    ]
    random.Random(seed).shuffle(enterprises)
    # A few enterprises complain often, most rarely (Zipf-like).
    enterprise_weights, total = [], 0.0
    for rank in range(len(enterprises)):
        total += 1 / (rank + 1) ** 0.7
        enterprise_weights.append(total)
    category_weights, total = [], 0.0
    for weight in weights:
        total += weight
        category_weights.append(total)
    staff = db.session.execute(select(User.id, User.role, User.unit_id).where(User.unit_id.is_not(None))).all()
    return World(
        now=now,
        origin=origin,
        days=days,
        categories=categories,
        category_weights=category_weights,
        units=units,
        areas=areas,
        street_of=street_of,
        enterprises=enterprises,
        enterprise_weights=enterprise_weights,
        supervisors=list(db.session.scalars(select(User.id).where(User.role == Role.SUPERVISOR))),
        handlers={u.unit_id: u.id for u in staff if u.role == Role.HANDLER},
        leaders={u.unit_id: u.id for u in staff if u.role == Role.LEADER},
        declined=[(by_name[c], title, text, reason, note) for c, title, text, reason, note in D.DECLINED],
    )


# ---------------------------------------------------------------- tickets, by COPY

BULK_TABLES = ("tickets", "ticket_events", "ticket_co_units")
_world: World | None = None
_conn: psycopg.Connection | None = None


def secondary_indexes(conn: psycopg.Connection) -> list[tuple[str, str]]:
    """(name, CREATE INDEX …) of the bulk tables' indexes that back no constraint."""
    return conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' "
        "AND i.tablename = ANY(%s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) "
        "ORDER BY i.tablename, i.indexname",
        (list(BULK_TABLES),),
    ).fetchall()


def _init_worker(dsn: str) -> None:
    global _conn
    _conn = psycopg.connect(dsn)
    _conn.execute("SET synchronous_commit = off")
    try:  # the generator writes consistent keys; skip the per-row foreign-key checks when allowed
        _conn.execute("SET session_replication_role = replica")
        _conn.commit()
    except psycopg.Error:
        _conn.rollback()


def _load_batch(task: tuple[int, list[int], int]) -> tuple[int, int, float, float]:
    """Tell one batch of stories and COPY it in one transaction; (tickets, events, tell s, copy s)."""
    first_id, entries, seed = task
    start = time.perf_counter()
    tickets, events = simulate.batch(_world, first_id, entries, seed)
    co_units = simulate.co_unit_rows(_world, tickets)
    told = time.perf_counter()
    with _conn.cursor() as cur:
        for table, columns, rows in (
            ("tickets", simulate.TICKET_COLUMNS, tickets),
            ("ticket_events", simulate.EVENT_COLUMNS, events),
            ("ticket_co_units", simulate.CO_UNIT_COLUMNS, co_units),
        ):
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
    _conn.commit()
    return len(tickets), len(events), told - start, time.perf_counter() - told


def load_tickets(
    world: World, dsn: str, count: int, jobs: int, batch_size: int, seed: int, phases: Phases
) -> list[tuple[str, str]]:
    """Plan, tell and COPY ``count`` tickets; returns the dropped secondary indexes to rebuild."""
    global _world
    with phases("plan (filing times and scenarios)"):
        entries = simulate.plan(world, count, seed)
    with psycopg.connect(dsn, autocommit=True) as conn:
        dropped = secondary_indexes(conn)
        for name, _ in dropped:
            conn.execute(f'DROP INDEX "{name}"')
    tasks = [
        (start + 1, entries[start : start + batch_size], seed * 1_000_003 + start)
        for start in range(0, count, batch_size)
    ]
    _world = world
    with phases("tickets, timelines, co-units (COPY)"):
        done = events = 0
        tell = copy = 0.0
        started = time.perf_counter()
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_init_worker, initargs=(dsn,)) as pool:
            for tickets, batch_events, tell_s, copy_s in pool.imap_unordered(_load_batch, tasks):
                done, events, tell, copy = done + tickets, events + batch_events, tell + tell_s, copy + copy_s
                print(
                    f"   {done:>10,} / {count:,} tickets  {events:>11,} events  {time.perf_counter() - started:7.1f} s",
                    flush=True,
                )
        print(f"   worker time: telling stories {tell:.1f} s, COPY {copy:.1f} s (summed over {jobs} workers)")
    return dropped


def rebuild_indexes(dsn: str, dropped: list[tuple[str, str]]) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET max_parallel_maintenance_workers = 2")
        for name, definition in dropped:
            start = time.perf_counter()
            conn.execute(definition)
            print(f"   {name}: {time.perf_counter() - start:.1f} s", flush=True)
        conn.execute("SELECT setval(pg_get_serial_sequence('tickets', 'id'), (SELECT max(id) FROM tickets))")


def vacuum_analyze(dsn: str) -> None:
    """Set hint bits and the visibility map (index-only scans) and gather statistics, as autovacuum would."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def summary(dsn: str) -> None:
    from supervise.domain.clocks import HANDLING

    with psycopg.connect(dsn) as conn:
        print("\nState               tickets")
        for state, n in conn.execute("SELECT state, count(*) FROM tickets GROUP BY 1 ORDER BY 2 DESC"):
            print(f"{state:<20}{n:>10,}")
        row = conn.execute(
            "SELECT count(*), count(published_at), count(result_published_at), count(overdue_at), "
            "count(*) FILTER (WHERE state = ANY(%s) AND handle_due < now()), "
            "min(created_at), max(created_at) FROM tickets",
            ([s.value for s in HANDLING],),
        ).fetchone()
        print(
            f"tickets {row[0]:,}; published {row[1]:,}; results published {row[2]:,}; ever overdue {row[3]:,}; "
            f"open and overdue now {row[4]:,}; filed {row[5]:%Y-%m-%d} .. {row[6]:%Y-%m-%d}"
        )
        events = conn.execute("SELECT count(*), count(*) FILTER (WHERE public) FROM ticket_events").fetchone()
        print(
            f"events {events[0]:,} ({events[1]:,} public); "
            f"enterprises {conn.execute('SELECT count(*) FROM enterprises').fetchone()[0]:,}; "
            f"stats cells {conn.execute('SELECT count(*) FROM stats_cells').fetchone()[0]:,}"
        )
        sizes = conn.execute(
            "SELECT relname, pg_size_pretty(pg_table_size(oid)), pg_size_pretty(pg_indexes_size(oid)) FROM pg_class "
            "WHERE relname = ANY(%s) ORDER BY relname",
            (list(BULK_TABLES),),
        ).fetchall()
        for name, table, indexes in sizes:
            print(f"{name}: table {table}, indexes {indexes}")
        database = conn.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()[0]
        print(f"database size {database}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL"),
        help="postgresql+psycopg://… (default: $BENCH_DATABASE_URL)",
    )
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--enterprises", type=int, help="default: tickets / 200, between 200 and 5,000")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="processes telling stories")
    parser.add_argument("--batch", type=int, default=BATCH, help="tickets per COPY transaction")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--create", action="store_true", help="create the database if it does not exist")
    parser.add_argument("--drop-existing", action="store_true", help="drop and recreate a supervise_bench* database")
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("give --database-url or set BENCH_DATABASE_URL")
    enterprises = args.enterprises or min(5000, max(200, args.tickets // 200))
    dsn = libpq_url(args.database_url)

    import flask_migrate

    from supervise import create_app
    from supervise.domain.clock import now as clock_now
    from supervise.extensions import db
    from supervise.models import Unit

    phases = Phases()
    with phases("database"):
        prepare_database(args.database_url, args.create, args.drop_existing)
    app = create_app("development", SQLALCHEMY_DATABASE_URI=args.database_url)
    with app.app_context():
        now = clock_now()
        with phases("schema (migrations)"):
            flask_migrate.upgrade()
        if db.session.scalar(select(func.count()).select_from(Unit)):
            sys.exit("the database already has data: use --drop-existing, or another database")
        with phases("reference data"):
            load_reference(now)
            db.session.commit()
        with phases(f"{enterprises:,} enterprises"):
            add_enterprises(enterprises, now, random.Random(args.seed))
            db.session.commit()
        world = build_world(now, args.seed)
        db.session.remove()
        db.engine.dispose()  # no pooled connection may cross the fork

    dropped = load_tickets(world, dsn, args.tickets, args.jobs, args.batch, args.seed, phases)
    with phases("indexes"):
        rebuild_indexes(dsn, dropped)
    with phases("vacuum analyze"):
        vacuum_analyze(dsn)
    with app.app_context():
        from supervise.domain.measures import cells

        with phases("measures (refresh_all)"):
            count = cells.refresh_all(now)
            db.session.commit()
            print(f"   {count:,} cells")
        db.session.remove()
    phases.report()
    summary(dsn)


if __name__ == "__main__":
    main()
