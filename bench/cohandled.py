"""The co-handled half of the workbench's timed counts, read two ways on the same database (issue 10).

    .venv/bin/python -m bench.cohandled --repeat 7 \\
        --database 10k=postgresql+psycopg://postgres@127.0.0.1/supervise_bench_10k \\
        --database 1m=postgresql+psycopg://postgres@127.0.0.1/supervise_bench_1m

For the unit whose handler ``bench.load`` logs in as (the busiest lead unit, :mod:`bench.staff`), the
overdue and due-soon counts of the tickets it co-handles, and the first page of its co-handled
overdue list: *joined* (``ticket_co_units`` joined to ``tickets`` for each row's state and due date,
as before the copies) and *copies* (``ticket_co_units`` alone, through
``ix_ticket_co_units_unit_state_due``: :func:`supervise.domain.co_copies.co_handled`, what the
workbench runs; its list reads the whole range and sorts it, as the workbench's overdue tab does).
Each query is run under ``EXPLAIN (ANALYZE, BUFFERS)`` ``--repeat`` times after one warm-up; prints
the median execution time, the count, the plan's scans and the buffers it touched. ``--pages`` also
requests each workbench tab in this process, one at a time (no queueing), and prints the median time
of a request and of its SQL.
"""

import argparse
import re
import statistics
import time

from sqlalchemy import func, select

from bench import staff

SCANS = "Index Only Scan|Bitmap Index Scan|Index Scan|Bitmap Heap Scan|Seq Scan"
PLAN_NODE = re.compile(rf"({SCANS})( Backward)?( using \S+)?( on \S+)")


def queries(unit_id: int) -> list[tuple[str, str, object]]:
    """(name, form, SQLAlchemy query) of each measured query."""
    from supervise.domain import clocks, co_copies, scoped
    from supervise.domain.calendar import load_calendar
    from supervise.domain.clock import now
    from supervise.models import Ticket, ticket_co_units

    at = now()
    conditions = {"overdue": clocks.overdue_clause(at), "due soon": clocks.due_soon_clause(load_calendar(), at)}
    co = ticket_co_units.c
    found = []
    for name, condition in conditions.items():
        joined = select(co.ticket_id).join(Ticket, Ticket.id == co.ticket_id).where(co.unit_id == unit_id, condition)
        copies = co_copies.co_handled(unit_id, condition)
        for form, query in (("joined", joined), ("copies", copies)):
            found.append((f"{name} count", form, select(func.count()).select_from(query.subquery())))
            if name == "overdue":
                # Joined: the newest first, filtered (as before); copies: the workbench's whole range, sorted.
                listed = (
                    scoped.newest_part(query, co.ticket_id, 26, whole_range=True)
                    if form == "copies"
                    else query.order_by(co.ticket_id.desc()).limit(26)
                )
                found.append((f"{name} list (26)", form, listed))
    return found


def measure(connection, sql: str, repeat: int) -> tuple[float, str, str]:
    """(median ms, the plan's scans, buffers) of ``sql``, run once to warm up and ``repeat`` times."""
    times, plan = [], []
    for _ in range(repeat + 1):
        plan = connection.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql).scalars().all()
        times.append(float(next(line for line in plan if "Execution Time" in line).split()[-2]))
    scans = sorted({"".join(filter(None, m.groups())) for line in plan for m in [PLAN_NODE.search(line)] if m})
    buffers = next((line.strip() for line in plan if "Buffers" in line), "")
    return statistics.median(times[1:]), "; ".join(scans), buffers


def run(label: str, url: str, repeat: int, forms: list[str]) -> None:
    from supervise import create_app
    from supervise.extensions import db

    app = create_app("production", SQLALCHEMY_DATABASE_URI=url, SECRET_KEY=staff.SECRET_KEY)
    with app.app_context():
        handler, _, _ = staff._users(db)
        connection = db.session.connection()
        print(f"\n{label}: unit {handler.unit_id}")
        print(f"{'query':<18} {'form':<7} {'median ms':>10} {'rows':>6}  plan / buffers")
        for name, form, query in queries(handler.unit_id):
            if form not in forms:
                continue
            sql = str(query.compile(db.engine, compile_kwargs={"literal_binds": True}))
            ms, scans, buffers = measure(connection, sql, repeat)
            result = connection.exec_driver_sql(sql)
            rows = len(result.all()) if "list" in name else result.scalar()
            print(f"{name:<18} {form:<7} {ms:>10.2f} {rows:>6}  {scans} / {buffers}")
        db.session.rollback()
        db.session.remove()


def pages(label: str, url: str, repeat: int) -> None:
    """Each workbench tab requested in this process, one request at a time, as the bench's handler:
    the median of ``repeat`` requests after one warm-up (no queueing behind other requests)."""
    from sqlalchemy import event

    from supervise import create_app
    from supervise.extensions import db

    config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": staff.SECRET_KEY, "TRUSTED_HOSTS": ["localhost"]}
    app = create_app("production", SESSION_COOKIE_SECURE=False, **config)
    with app.app_context():
        handler, _, _ = staff._users(db)
        name, _, value = staff._cookie(app, handler).partition("=")
        db.session.remove()
        client = app.test_client()
        client.set_cookie(name, value)
        spent: list[float] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: spent.append(-time.perf_counter()))
        event.listen(db.engine, "after_cursor_execute", lambda *a: spent.append(time.perf_counter()))
        print(f"\n{label}: workbench tabs, one request at a time (median of {repeat})")
        for tab in staff.UNIT_TABS:
            totals, sql = [], []
            for _ in range(repeat + 1):
                spent.clear()
                start = time.perf_counter()
                assert client.get(f"/unit/?tab={tab}").status_code == 200
                totals.append(time.perf_counter() - start)
                sql.append(sum(spent))
            total, in_sql = statistics.median(totals[1:]) * 1000, statistics.median(sql[1:]) * 1000
            print(f"unit_{tab:<12} {total:8.1f} ms, of which SQL {in_sql:6.1f} ms")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", action="append", required=True, help="label=SQLAlchemy URL (repeatable)")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument(
        "--form", action="append", choices=["joined", "copies"], help="default both (joined alone before 0019)"
    )
    parser.add_argument("--pages", action="store_true", help="also time each workbench tab in this process")
    args = parser.parse_args(argv)
    for entry in args.database:
        label, _, url = entry.partition("=")
        run(label, url, args.repeat, args.form or ["joined", "copies"])
        if args.pages:
            pages(label, url, args.repeat)


if __name__ == "__main__":
    main()
